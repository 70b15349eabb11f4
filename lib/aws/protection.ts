import { Aspects, CfnResource, RemovalPolicy, Stage, type IAspect } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { AWS_STATEFUL_TYPES, monitoringSection, protectionSection, type Tier } from '../core';

/**
 * What a tier decides for the constructs of a stack, each setting overridable: `PlatformStackProps.protection`
 * for the whole stack, a construct's own props for that construct.
 */
export interface ProtectionSettings {
  /**
   * Keep the data: stateful resources (log groups, keys, buckets, vaults, instances) are retained when the stack
   * is deleted or they are replaced.
   * @default - true in production, false in development
   */
  readonly retainData?: boolean;
  /**
   * Load balancers refuse deletion and instances refuse termination through the API (`disableApiTermination`).
   * @default - true in production, false in development
   */
  readonly deletionProtection?: boolean;
  /**
   * The stack refuses deletion (CloudFormation termination protection).
   * @default - true in production, false in development
   */
  readonly terminationProtection?: boolean;
  /**
   * How long log groups keep their records, in days (a retention CloudWatch Logs offers).
   * @default - 365 in production, 30 in development
   */
  readonly logRetentionDays?: number;
}

/** The settings a tier decides, every one resolved. */
export type ResolvedProtection = Required<ProtectionSettings>;

/** The tier a scope is treated as when nothing says otherwise: the safe one. */
export const DEFAULT_TIER: Tier = 'production';

/**
 * What a tier decides (the tier table of the design: production retains and protects, and keeps logs a year;
 * development deletes with the stack and keeps logs 30 days), with explicit settings on top.
 */
export function tierProtection(tier: Tier, overrides: ProtectionSettings = {}): ResolvedProtection {
  const defaults = protectionSection.defaults[tier];
  return {
    retainData: overrides.retainData ?? defaults.retainData,
    deletionProtection: overrides.deletionProtection ?? defaults.deletionProtection,
    terminationProtection: overrides.terminationProtection ?? defaults.terminationProtection,
    logRetentionDays: overrides.logRetentionDays ?? monitoringSection.defaults[tier].logRetentionDays,
  };
}

/** The decision a scope (a PlatformStack) recorded for the constructs under it, and its tier. */
interface ScopeDecision {
  readonly tier: Tier;
  readonly protection: ResolvedProtection;
}

const DECISIONS = new WeakMap<IConstruct, ScopeDecision>();

/**
 * Records what `tier` and `protection` decide for the constructs under `scope` (a PlatformStack does it for
 * itself): {@link protectionOf}, {@link tierOf} and {@link RetainStatefulResources.removalPolicyOf} read it.
 */
export function decideProtection(scope: IConstruct, tier: Tier, protection: ResolvedProtection): void {
  DECISIONS.set(scope, { tier, protection });
}

/** The decision recorded nearest above `scope`, within its stage (a construct never reads past its stage). */
function decisionOf(scope: IConstruct): ScopeDecision | undefined {
  for (let current: IConstruct | undefined = scope; current; current = current.node.scope) {
    const decision = DECISIONS.get(current);
    if (decision) return decision;
    if (Stage.isStage(current)) break;
  }
  return undefined;
}

/**
 * The tier of the stack `scope` is in (`PlatformStackProps.tier`), else production: a construct used outside a
 * PlatformStack gets the safe defaults.
 */
export function tierOf(scope: IConstruct): Tier {
  return decisionOf(scope)?.tier ?? DEFAULT_TIER;
}

/**
 * The protection settings of the stack `scope` is in (its `tier` and `protection`), else production's: data
 * retained, deletion and termination protection on, logs kept 365 days. A construct's own props win over these.
 */
export function protectionOf(scope: IConstruct): ResolvedProtection {
  return decisionOf(scope)?.protection ?? tierProtection(DEFAULT_TIER);
}

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
   * The removal policy decided for the stateful resources of `scope`: that of the aspect applied nearest above it,
   * or of the tier of the PlatformStack it is in (`retainData`), whichever is nearer (within its stage, as aspects
   * do not cross stages), else `RemovalPolicy.RETAIN`.
   */
  public static removalPolicyOf(scope: IConstruct): RemovalPolicy {
    for (let current: IConstruct | undefined = scope; current; current = current.node.scope) {
      const aspect = Aspects.of(current).all.find((a) => a instanceof RetainStatefulResources);
      if (aspect) return aspect.removalPolicy;
      const decision = DECISIONS.get(current);
      if (decision) return decision.protection.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
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
