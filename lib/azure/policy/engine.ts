import type { Tier } from '../../core';
import type { Finding, PolicyRule, ResourceView, RuleContext } from './rule';

/** The key under a resource's `"//"` comment block where acknowledgements are recorded. */
export const ACKNOWLEDGEMENTS_KEY = 'acknowledged';

/** The key of the stack's `"//"` block that records the tier, the rule pack and the public ports, for `npm run check`. */
export const POLICY_METADATA_KEY = 'platform-policy';

/** What `PolicyChecks` records in a stack's `"//"` block, so the pack can re-run on cdk.tf.json alone. */
export interface PolicyRecord {
  /** The environment's tier. */
  readonly tier: Tier;
  /** The ids of the rules run. */
  readonly rules: readonly string[];
  /** The TCP ports the spec declares public: the only ones a security rule may open to the Internet. */
  readonly publicPorts?: readonly number[];
}

/** The parts of a synthesized `cdk.tf.json` the engine reads. */
export interface TerraformJson {
  readonly resource?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;
  /** Provider configurations by provider name: a list (one per alias), or one object. */
  readonly provider?: Readonly<Record<string, unknown>>;
  readonly '//'?: Readonly<Record<string, unknown>>;
}

/** The policy record of a synthesized configuration, when `PolicyChecks` wrote one. */
export function policyRecordOf(json: TerraformJson): PolicyRecord | undefined {
  const record = json['//']?.[POLICY_METADATA_KEY];
  return typeof record === 'object' && record !== null ? (record as PolicyRecord) : undefined;
}

/** Lists the resources of a synthesized configuration, in address order. */
export function resourceViews(json: TerraformJson): ResourceView[] {
  const views: ResourceView[] = [];
  for (const type of Object.keys(json.resource ?? {}).sort()) {
    const ofType = json.resource![type]!;
    for (const name of Object.keys(ofType).sort()) {
      const { '//': comment, ...config } = ofType[name]! as Record<string, unknown> & {
        '//'?: { metadata?: { path?: string }; [ACKNOWLEDGEMENTS_KEY]?: Record<string, string> };
      };
      views.push({
        type,
        name,
        address: `${type}.${name}`,
        ...(comment?.metadata?.path !== undefined && { path: comment.metadata.path }),
        config,
        acknowledgements: comment?.[ACKNOWLEDGEMENTS_KEY] ?? {},
      });
    }
  }
  return views;
}

/** Options of {@link checkTerraform}. */
export interface CheckOptions {
  /** The environment's tier: some rules apply to production only. */
  readonly tier: Tier;
  /** The rules to run. */
  readonly rules: readonly PolicyRule[];
  /**
   * The TCP ports the spec declares public (PC_AZURE_NSG_INTERNET_INGRESS lets the Internet reach these only).
   * @default - the ports in the configuration's policy record (`"//"."platform-policy".publicPorts`), else none
   */
  readonly publicPorts?: readonly number[];
}

/** The type a rule names to check the configurations of a provider: `provider.azurerm`. */
export function providerType(provider: string): string {
  return `provider.${provider}`;
}

/**
 * Lists the provider configurations of a synthesized configuration as the rules see them: type
 * `provider.<name>` (see {@link providerType}), name the alias or `default`, address `provider.<name>` or
 * `provider.<name>.<alias>`. Acknowledgements are read from a `"//"` block in the configuration, where
 * `PolicyChecks` records those made on the provider construct.
 */
export function providerViews(json: TerraformJson): ResourceView[] {
  const views: ResourceView[] = [];
  for (const provider of Object.keys(json.provider ?? {}).sort()) {
    const value = json.provider![provider];
    const list = (Array.isArray(value) ? value : [value]).filter(
      (v): v is Record<string, unknown> => typeof v === 'object' && v !== null,
    );
    for (const entry of list) {
      const { '//': comment, ...config } = entry as Record<string, unknown> & {
        '//'?: { [ACKNOWLEDGEMENTS_KEY]?: Record<string, string> };
      };
      const alias = typeof config.alias === 'string' ? config.alias : undefined;
      views.push({
        type: providerType(provider),
        name: alias ?? 'default',
        address: alias === undefined ? providerType(provider) : `${providerType(provider)}.${alias}`,
        config,
        acknowledgements: comment?.[ACKNOWLEDGEMENTS_KEY] ?? {},
      });
    }
  }
  return views;
}

/**
 * Runs every rule over every resource (and provider configuration) of a synthesized Terraform configuration.
 * Returns all findings,
 * acknowledged ones included (with their reason), sorted by address and rule.
 */
export function checkTerraform(json: TerraformJson, options: CheckOptions): Finding[] {
  const resources = resourceViews(json);
  const byType = new Map<string, ResourceView[]>();
  // Providers are reachable by type (`provider.azurerm`) but are not resources: rules that walk every resource
  // (`context.resources`) do not see them.
  for (const r of [...resources, ...providerViews(json)]) {
    const ofType = byType.get(r.type);
    if (ofType) ofType.push(r);
    else byType.set(r.type, [r]);
  }
  const publicPorts = options.publicPorts ?? policyRecordOf(json)?.publicPorts ?? [];
  const context: RuleContext = {
    tier: options.tier,
    publicPorts,
    resources,
    ofType: (type) => byType.get(type) ?? [],
  };
  const findings: Finding[] = [];
  for (const rule of options.rules) {
    if (rule.tiers && !rule.tiers.includes(options.tier)) continue;
    for (const type of rule.resourceTypes) {
      for (const resource of context.ofType(type)) {
        for (const message of rule.check(resource, context)) {
          const reason = resource.acknowledgements[rule.id];
          findings.push({
            ruleId: rule.id,
            severity: rule.severity,
            address: resource.address,
            ...(resource.path !== undefined && { path: resource.path }),
            message,
            ...(reason !== undefined && { acknowledgedReason: reason }),
          });
        }
      }
    }
  }
  return findings.sort((a, b) => a.address.localeCompare(b.address) || a.ruleId.localeCompare(b.ruleId));
}

/** The findings that fail synthesis: errors nobody acknowledged. */
export function blockingFindings(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => f.severity === 'error' && f.acknowledgedReason === undefined);
}
