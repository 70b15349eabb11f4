import { Aspects, TerraformResource, type IAspect } from 'cdktf';
import type { IConstruct } from 'constructs';
import { AZURE_STATEFUL_TYPES } from '../core';

/**
 * Sets `lifecycle.prevent_destroy` on every resource under a scope that holds data (`AZURE_STATEFUL_TYPES`),
 * so that neither `terraform destroy` nor a plan that would replace one can lose its data (the Terraform
 * counterpart of RemovalPolicy.RETAIN). The environment decides: apply it once to each stack whose resolved
 * `protection.retainData` is true (the spec's default on production tiers), and nowhere else.
 */
export class RetainStatefulResources implements IAspect {
  /** Protects the stateful resources under `scope`; a second call on the same scope adds nothing. */
  public static applyTo(scope: IConstruct): void {
    const aspects = Aspects.of(scope);
    if (aspects.all.some((aspect) => aspect instanceof RetainStatefulResources)) return;
    aspects.add(new RetainStatefulResources());
  }

  /** Protects one resource, if it holds data. */
  public visit(node: IConstruct): void {
    if (!TerraformResource.isTerraformResource(node) || !AZURE_STATEFUL_TYPES.has(node.terraformResourceType)) return;
    node.lifecycle = { ...node.lifecycle, preventDestroy: true };
  }
}
