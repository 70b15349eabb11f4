import { isExpression, references, type ResourceView } from '../rule';

/** What a reader returns for an attribute whose value is a Terraform expression, known only at apply time. */
export const UNKNOWN = 'unknown';

/** The value of an attribute as a rule can judge it: absent (`undefined`), known, or {@link UNKNOWN}. */
export type Setting<T> = T | undefined | typeof UNKNOWN;

/** The noun a message uses for each resource type the pack checks. */
const KINDS: Readonly<Record<string, string>> = {
  azurerm_application_insights: 'Application Insights',
  azurerm_container_app: 'container app',
  azurerm_container_app_environment: 'container app environment',
  azurerm_key_vault: 'key vault',
  azurerm_kubernetes_cluster: 'AKS cluster',
  azurerm_kubernetes_cluster_node_pool: 'AKS node pool',
  azurerm_linux_virtual_machine: 'Linux VM',
  azurerm_linux_virtual_machine_scale_set: 'Linux VM scale set',
  azurerm_log_analytics_workspace: 'Log Analytics workspace',
  azurerm_monitor_workspace: 'Azure Monitor workspace',
  azurerm_managed_disk: 'managed disk',
  azurerm_monitor_alert_prometheus_rule_group: 'Prometheus rule group',
  azurerm_monitor_metric_alert: 'metric alert',
  azurerm_monitor_scheduled_query_rules_alert_v2: 'log alert',
  azurerm_nat_gateway: 'NAT gateway',
  azurerm_network_interface: 'network interface',
  azurerm_network_security_group: 'network security group',
  azurerm_network_security_rule: 'network security rule',
  azurerm_public_ip: 'public IP',
  azurerm_recovery_services_vault: 'Recovery Services vault',
  azurerm_storage_account: 'storage account',
  azurerm_virtual_network: 'virtual network',
  azurerm_windows_virtual_machine: 'Windows VM',
};

/**
 * Attributes whose change makes Terraform destroy and re-create the resource (from shared/data, azurerm 4.55),
 * for the rules whose fix touches one: the message warns before someone "fixes" a running VM.
 */
const FORCE_NEW: Readonly<Record<string, readonly string[]>> = {
  azurerm_linux_virtual_machine: ['admin_password', 'admin_ssh_key', 'disable_password_authentication'],
  azurerm_linux_virtual_machine_scale_set: ['admin_password'],
};

/** How every message starts: `<address> (<kind> <name>)`, `azurerm_key_vault.main (key vault kv-prod)`. */
export function subject(resource: ResourceView): string {
  return `${resource.address} (${KINDS[resource.type] ?? resource.type} ${String(resource.config.name)})`;
}

/** A warning to append to a fix that changes `attribute`, when that replaces an existing resource; else `''`. */
export function replacementNote(resource: ResourceView, attribute: string): string {
  return FORCE_NEW[resource.type]?.includes(attribute)
    ? ` (${attribute} is ForceNew: on an existing ${KINDS[resource.type] ?? resource.type} this re-creates it)`
    : '';
}

/** Reads a boolean attribute; accepts the strings `true`/`false` that an override may leave. */
export function readBool(config: Readonly<Record<string, unknown>>, key: string): Setting<boolean> {
  const value = config[key];
  if (value === undefined || value === null) return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return UNKNOWN;
}

/** Reads a number attribute; accepts a numeric string. */
export function readNumber(config: Readonly<Record<string, unknown>>, key: string): Setting<number> {
  const value = config[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && !isExpression(value) && value.trim() !== '' && !Number.isNaN(Number(value))) {
    return Number(value);
  }
  return UNKNOWN;
}

/** Reads a string attribute. */
export function readString(config: Readonly<Record<string, unknown>>, key: string): Setting<string> {
  const value = config[key];
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' && !isExpression(value) ? value : UNKNOWN;
}

/** Reads a list of strings (a single string counts as a list of one); `UNKNOWN` when the list itself is an expression. */
export function readStrings(
  config: Readonly<Record<string, unknown>>,
  key: string,
): readonly string[] | typeof UNKNOWN {
  const value = config[key];
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return isExpression(value) ? UNKNOWN : [value];
  if (!Array.isArray(value)) return UNKNOWN;
  return value.filter((v): v is string => typeof v === 'string');
}

/**
 * How a message names the state of an attribute: `sets x = true`, `sets x = "LRS"`, or `leaves x unset` followed by
 * `(whenUnset)`, what that means (`the provider defaults to true`).
 */
export function stateOf(attribute: string, value: unknown, whenUnset?: string): string {
  if (value === undefined) {
    return whenUnset === undefined ? `leaves ${attribute} unset` : `leaves ${attribute} unset (${whenUnset})`;
  }
  return `sets ${attribute} = ${typeof value === 'string' ? `"${value}"` : String(value)}`;
}

/** Options of {@link expectBool}. */
export interface ExpectBoolOptions {
  /** The value the rule requires. */
  readonly expected: boolean;
  /** The provider's default when the attribute is absent. */
  readonly providerDefault: boolean;
  /** What to do besides setting the attribute, appended to the fix. @default - nothing */
  readonly hint?: string;
}

/**
 * The message for a boolean attribute that must be `expected`: none when it is (or defaults to it) or when it is an
 * expression; otherwise `<subject> <state>: set <attribute> = <expected><hint>`.
 */
export function expectBool(resource: ResourceView, attribute: string, options: ExpectBoolOptions): string[] {
  const value = readBool(resource.config, attribute);
  if (value === UNKNOWN || (value ?? options.providerDefault) === options.expected) return [];
  return [
    `${subject(resource)} ${stateOf(attribute, value, `the provider defaults to ${String(options.providerDefault)}`)}: set ${attribute} = ${String(options.expected)}${options.hint ?? ''}${replacementNote(resource, attribute)}`,
  ];
}

/** True when any string inside `value` (a resource's config, nested blocks included) references `address`. */
export function referencesAnywhere(value: unknown, address: string): boolean {
  if (typeof value === 'string') return references(value, address);
  if (Array.isArray(value)) return value.some((v) => referencesAnywhere(v, address));
  if (typeof value === 'object' && value !== null) {
    return Object.values(value).some((v) => referencesAnywhere(v, address));
  }
  return false;
}
