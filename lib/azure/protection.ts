import { Aspects, TerraformResource, type IAspect } from 'cdktf';
import type { IConstruct } from 'constructs';
import { AZURE_STATEFUL_TYPES } from '../core';

/**
 * Sets `lifecycle.prevent_destroy` on every resource under a scope that holds data (`AZURE_STATEFUL_TYPES`),
 * so that neither `terraform destroy` nor a plan that would replace one can lose its data. Apply to
 * production-tier stacks (the Terraform counterpart of RemovalPolicy.RETAIN).
 */
export class RetainStatefulResources implements IAspect {
  /** Protects the stateful resources under `scope`. */
  public static applyTo(scope: IConstruct): void {
    Aspects.of(scope).add(new RetainStatefulResources());
  }

  /** Protects one resource, if it holds data. */
  public visit(node: IConstruct): void {
    if (!TerraformResource.isTerraformResource(node) || !AZURE_STATEFUL_TYPES.has(node.terraformResourceType)) return;
    node.lifecycle = { ...node.lifecycle, preventDestroy: true };
  }
}
