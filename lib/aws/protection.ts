import { Aspects, CfnResource, RemovalPolicy, Stage, type IAspect } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { AWS_STATEFUL_TYPES } from '../core';

/** Props of {@link RetainStatefulResources}. */
export interface RetainStatefulResourcesProps {
  /**
   * Keep the data: the stateful resources are retained (DeletionPolicy and UpdateReplacePolicy `Retain`) when the
   * stack is deleted or they are replaced. False, for a disposable environment: they are deleted with the stack
   * (`Delete`); a bucket that still holds objects then fails to delete, which keeps them.
   * @default true
   */
  readonly retainData?: boolean;
}

/**
 * Decides, in one place, what happens to the resources under a scope that hold data (`AWS_STATEFUL_TYPES`: log
 * groups, keys, buckets, vaults, instances, ...) when their stack is deleted or they are replaced: the environment's
 * `protection.retainData` applied once per stack. As an aspect it sets the policy of every stateful resource in the
 * scope, whoever created it; the constructs of this library also read the decision when they create their
 * resources ({@link RetainStatefulResources.removalPolicyOf}), so the props they give aws-cdk-lib say what the
 * template does. Without it, they retain: a construct used on its own never loses data by default. The Azure side
 * has a class of the same name (`lifecycle.prevent_destroy`).
 *
 * @example
 * RetainStatefulResources.applyTo(stack, { retainData: env.protection.retainData });
 */
export class RetainStatefulResources implements IAspect {
  /** The removal policy the aspect gives every stateful resource. */
  public readonly removalPolicy: RemovalPolicy;

  private constructor(props: RetainStatefulResourcesProps) {
    this.removalPolicy = props.retainData === false ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
  }

  /** Sets the removal policy of every stateful resource under `scope` (a stack, or a stage for all its stacks). */
  public static applyTo(scope: IConstruct, props: RetainStatefulResourcesProps = {}): void {
    Aspects.of(scope).add(new RetainStatefulResources(props));
  }

  /**
   * The removal policy decided for the stateful resources of `scope`: that of the aspect applied nearest above it
   * (within its stage, as aspects do not cross stages), else `RemovalPolicy.RETAIN`.
   */
  public static removalPolicyOf(scope: IConstruct): RemovalPolicy {
    for (let current: IConstruct | undefined = scope; current; current = current.node.scope) {
      const decision = Aspects.of(current).all.find((a) => a instanceof RetainStatefulResources);
      if (decision) return decision.removalPolicy;
      if (Stage.isStage(current)) break;
    }
    return RemovalPolicy.RETAIN;
  }

  /** Sets the removal policy of one resource, if it holds data. */
  public visit(node: IConstruct): void {
    if (CfnResource.isCfnResource(node) && AWS_STATEFUL_TYPES.has(node.cfnResourceType)) {
      node.applyRemovalPolicy(this.removalPolicy);
    }
  }
}
