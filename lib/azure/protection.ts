import { Aspects, TerraformResource, TerraformStack, type IAspect } from 'cdktf';
import type { IConstruct } from 'constructs';
import { AZURE_STATEFUL_TYPES, monitoringSection, protectionSection, TIERS, type Tier } from '../core';

/**
 * What a tier decides for the constructs of a stack on Azure, each setting overridable: for the whole stack with
 * {@link decideProtection}, for one construct by its own props.
 */
export interface ProtectionSettings {
  /**
   * Keep the data: resources that hold data (`AZURE_STATEFUL_TYPES`: the Log Analytics workspace, the Recovery
   * Services vault, VMs, key vaults, ...) get `lifecycle.prevent_destroy`, so no plan destroys or replaces them.
   * @default - true in production, false in development
   */
  readonly retainData?: boolean;
  /**
   * How long Log Analytics workspaces keep their records, in days (one of the spec's LOG_RETENTION_DAYS).
   * @default - 365 in production, 30 in development
   */
  readonly logRetentionDays?: number;
  /**
   * Key vaults have purge protection (CKV_AZURE_110). It cannot be turned off again, so only production turns it on.
   * @default - true in production, false in development
   */
  readonly keyVaultPurgeProtection?: boolean;
  /**
   * How many days a deleted key vault (and a deleted key, secret or certificate) stays recoverable: 7-90.
   * @default - 90 in production (PC_AZURE_KEY_VAULT_SOFT_DELETE_90_DAYS), 7 in development
   */
  readonly keyVaultSoftDeleteRetentionDays?: number;
}

/** The settings a tier decides, every one resolved. */
export type ResolvedProtection = Required<ProtectionSettings>;

/** The tier a scope is treated as when nothing says otherwise: the safe one. */
export const DEFAULT_TIER: Tier = 'production';

/**
 * What a tier decides (the tier table of the design: production retains its data and keeps logs a year, with purge
 * protection and 90 days of soft delete on key vaults; development is disposable and keeps logs 30 days), with
 * explicit settings on top; pure.
 */
export function tierProtection(tier: Tier, overrides: ProtectionSettings = {}): ResolvedProtection {
  const production = tier === 'production';
  return {
    retainData: overrides.retainData ?? protectionSection.defaults[tier].retainData,
    logRetentionDays: overrides.logRetentionDays ?? monitoringSection.defaults[tier].logRetentionDays,
    keyVaultPurgeProtection: overrides.keyVaultPurgeProtection ?? production,
    keyVaultSoftDeleteRetentionDays: overrides.keyVaultSoftDeleteRetentionDays ?? (production ? 90 : 7),
  };
}

/** The decision a scope recorded for the constructs under it, and its tier. */
interface ScopeDecision {
  readonly tier: Tier;
  readonly protection: ResolvedProtection;
}

/** Decisions made on purpose (`decideProtection`, a PlatformStack). */
const DECISIONS = new WeakMap<IConstruct, ScopeDecision>();
/** Tiers stated in passing (`PolicyChecks.applyTo`): they count where no decision was made. */
const DECLARED = new WeakMap<IConstruct, Tier>();

/**
 * Records what `tier` (and `settings` on top of it) decide for the constructs under `scope`, usually a stack: the
 * constructs of this library read it with {@link tierOf} and {@link protectionOf} when the stack is synthesized, so
 * it may be called before or after they are created. The nearest decision above a construct wins.
 *
 * @throws Error when `tier` is not a tier
 */
export function decideProtection(scope: IConstruct, tier: Tier, settings: ProtectionSettings = {}): void {
  assertTier(scope, tier);
  DECISIONS.set(scope, { tier, protection: tierProtection(tier, settings) });
}

/**
 * Records the tier a stack's guardrails run with (`PolicyChecks.applyTo` does), for the constructs of a stack that
 * made no decision of its own with {@link decideProtection}.
 */
export function declareTier(scope: IConstruct, tier: Tier): void {
  assertTier(scope, tier);
  DECLARED.set(scope, tier);
}

function assertTier(scope: IConstruct, tier: Tier): void {
  if (!(TIERS as readonly string[]).includes(tier)) {
    throw new Error(`Protection of ${scope.node.path}: tier ${JSON.stringify(tier)} - one of ${TIERS.join(', ')}`);
  }
}

/** The decision nearest above `scope`: one made on purpose, one declared, or a stack's own `tier` property. */
function decisionOf(scope: IConstruct): ScopeDecision | undefined {
  for (let current: IConstruct | undefined = scope; current; current = current.node.scope) {
    const decision = DECISIONS.get(current);
    if (decision) return decision;
    const declared = DECLARED.get(current) ?? stackTierOf(current);
    if (declared) return { tier: declared, protection: tierProtection(declared) };
  }
  return undefined;
}

/** The tier a stack states as its `tier` property (as PlatformStack does), if it is a stack that does. */
function stackTierOf(node: IConstruct): Tier | undefined {
  if (!TerraformStack.isStack(node)) return undefined;
  const tier = (node as TerraformStack & { readonly tier?: unknown }).tier;
  return typeof tier === 'string' && (TIERS as readonly string[]).includes(tier) ? (tier as Tier) : undefined;
}

/** Whether a {@link RetainStatefulResources} aspect was applied to `scope` or above it. */
function retainedAbove(scope: IConstruct): boolean {
  for (let current: IConstruct | undefined = scope; current; current = current.node.scope) {
    if (Aspects.of(current).all.some((aspect) => aspect instanceof RetainStatefulResources)) return true;
  }
  return false;
}

/**
 * The tier of the stack `scope` is in: the nearest {@link decideProtection}, else the tier its guardrails run with
 * (`PolicyChecks.applyTo`), else the stack's own `tier` property (PlatformStack), else production: a construct used
 * where nothing states a tier gets the safe defaults.
 */
export function tierOf(scope: IConstruct): Tier {
  return decisionOf(scope)?.tier ?? DEFAULT_TIER;
}

/**
 * The protection settings of the stack `scope` is in (see {@link tierOf}), else production's. Where
 * `RetainStatefulResources` was applied, `retainData` is true whatever the tier. A construct's own props win over
 * these. Read it when the stack is synthesized (lazily), not in a constructor, so that a stack may state its tier
 * after creating its constructs.
 */
export function protectionOf(scope: IConstruct): ResolvedProtection {
  const protection = decisionOf(scope)?.protection ?? tierProtection(DEFAULT_TIER);
  return retainedAbove(scope) ? { ...protection, retainData: true } : protection;
}

/** Gives one resource `prevent_destroy` at synthesis when its stack's protection retains data. */
class RetainWhereDecided implements IAspect {
  public visit(node: IConstruct): void {
    if (TerraformResource.isTerraformResource(node) && protectionOf(node).retainData) {
      node.lifecycle = { ...node.lifecycle, preventDestroy: true };
    }
  }
}

/**
 * Sets `lifecycle.prevent_destroy` on every resource under a scope that holds data (`AZURE_STATEFUL_TYPES`),
 * so that neither `terraform destroy` nor a plan that would replace one can lose its data (the Terraform
 * counterpart of RemovalPolicy.RETAIN). The environment decides: apply it once to each stack whose resolved
 * `protection.retainData` is true (the spec's default on production tiers), and nowhere else.
 *
 * The library's constructs also protect what they create by themselves ({@link RetainStatefulResources.protect}),
 * following their stack's tier ({@link protectionOf}), so that a construct used in a team's own stack retains its
 * data in production, and wherever no tier is stated, without this aspect.
 */
export class RetainStatefulResources implements IAspect {
  /** Protects the stateful resources under `scope`; a second call on the same scope adds nothing. */
  public static applyTo(scope: IConstruct): void {
    const aspects = Aspects.of(scope);
    if (aspects.all.some((aspect) => aspect instanceof RetainStatefulResources)) return;
    aspects.add(new RetainStatefulResources());
  }

  /**
   * Protects one resource a construct creates: `prevent_destroy` when `retainData` is true; when it is undefined,
   * when its stack's protection retains data ({@link protectionOf}, read at synthesis); nothing when it is false
   * (though a `RetainStatefulResources` applied to the stack still protects a stateful resource, as production
   * requires).
   *
   * @param resource the resource
   * @param retainData the construct's own prop
   */
  public static protect(resource: TerraformResource, retainData?: boolean): void {
    if (retainData === true) resource.lifecycle = { ...resource.lifecycle, preventDestroy: true };
    else if (retainData === undefined) Aspects.of(resource).add(new RetainWhereDecided());
  }

  /** Protects one resource, if it holds data. */
  public visit(node: IConstruct): void {
    if (!TerraformResource.isTerraformResource(node) || !AZURE_STATEFUL_TYPES.has(node.terraformResourceType)) return;
    node.lifecycle = { ...node.lifecycle, preventDestroy: true };
  }
}
