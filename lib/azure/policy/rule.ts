import type { Tier } from '../../core';

/** How bad a finding is: an `error` fails synthesis unless acknowledged; a `warning` is reported only. */
export type Severity = 'error' | 'warning';

/** One resource of a synthesized Terraform JSON configuration, as the rules see it. */
export interface ResourceView {
  /** The resource type, `azurerm_storage_account`. */
  readonly type: string;
  /** The resource's local name in the configuration. */
  readonly name: string;
  /** The Terraform address, `azurerm_storage_account.logs`. */
  readonly address: string;
  /** The construct path that created it, when cdktf recorded one. */
  readonly path?: string;
  /** The resource's arguments, as synthesized (tokens appear as `${...}` strings). */
  readonly config: Readonly<Record<string, unknown>>;
  /** Rules acknowledged on this resource: rule id to the reason. */
  readonly acknowledgements: Readonly<Record<string, string>>;
}

/** What a rule can see besides the resource it checks. */
export interface RuleContext {
  /** The tier of the environment the configuration belongs to. */
  readonly tier: Tier;
  /** The TCP ports the environment's spec declares public: its listeners the Internet may reach. */
  readonly publicPorts: readonly number[];
  /** Every resource of the configuration, in address order. */
  readonly resources: readonly ResourceView[];
  /** The resources of one type. */
  ofType(type: string): readonly ResourceView[];
}

/**
 * One guardrail over synthesized azurerm resources. Rules are pure: they read the JSON and return the
 * problems they find, each a sentence that names the resource and the fix.
 */
export interface PolicyRule {
  /** The checkov or trivy id where one exists (so a reader can look it up), else `PC_AZURE_*`. */
  readonly id: string;
  /** Whether a finding fails synthesis. */
  readonly severity: Severity;
  /** What the rule demands, in one sentence. */
  readonly title: string;
  /** The resource types the rule checks; `provider.azurerm` checks the azurerm provider's configurations. */
  readonly resourceTypes: readonly string[];
  /** The tiers the rule applies to. @default - every tier */
  readonly tiers?: readonly Tier[];
  /** Returns one message per problem on `resource`; an empty list when it complies. */
  check(resource: ResourceView, context: RuleContext): readonly string[];
}

/** One problem a rule found on one resource. */
export interface Finding {
  /** The rule's id. */
  readonly ruleId: string;
  /** The rule's severity. */
  readonly severity: Severity;
  /** The Terraform address of the resource. */
  readonly address: string;
  /** The construct path of the resource, when known. */
  readonly path?: string;
  /** What is wrong and how to fix it. */
  readonly message: string;
  /** The reason it was acknowledged with, when it was. */
  readonly acknowledgedReason?: string;
}

/** Reads a string attribute, or undefined. */
export function str(config: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const value = config[key];
  return typeof value === 'string' ? value : undefined;
}

/** Reads a nested block: the provider synthesizes blocks as an object, or as a list of objects. */
export function blocks(config: Readonly<Record<string, unknown>>, key: string): Readonly<Record<string, unknown>>[] {
  const value = config[key];
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null);
}

/** True when `value` is a Terraform expression (`${...}`) whose value is known only at apply time. */
export function isExpression(value: unknown): boolean {
  return typeof value === 'string' && value.includes('${');
}

/** True when `value` is an expression referencing `address` (`${azurerm_subnet.apps.id}`). */
export function references(value: unknown, address: string): boolean {
  return typeof value === 'string' && value.includes(`\${${address}.`);
}
