import { blocks, isExpression, type PolicyRule, type ResourceView } from '../rule';
import { readString, readStrings, subject, UNKNOWN } from './util';

/**
 * Source prefixes that mean "anyone on the internet". Azure accepts `*`, `Any` and the `Internet` service tag;
 * checkov's INTERNET_ADDRESSES adds `0.0.0.0` and any `/0` network (`0.0.0.0/0`, `::/0`).
 */
export function isInternetSource(prefix: string): boolean {
  const p = prefix.trim().toLowerCase();
  return p === '*' || p === 'any' || p === 'internet' || p === '0.0.0.0' || p.endsWith('/0');
}

/** True when one `destination_port_range(s)` entry (`22`, `20-30`, `*`) covers `port`. */
export function coversPort(entry: string, port: number): boolean {
  const e = entry.trim();
  if (e === '*') return true;
  const range = /^(\d+)\s*-\s*(\d+)$/.exec(e);
  if (range) return Number(range[1]) <= port && port <= Number(range[2]);
  return /^\d+$/.test(e) && Number(e) === port;
}

/** One security rule, as a standalone `azurerm_network_security_rule` or an inline `security_rule` block. */
export interface SecurityRule {
  /** How a message names the rule after the resource's subject: `''` standalone, ` security_rule "ssh"` inline. */
  readonly label: string;
  /** The rule's arguments. */
  readonly config: Readonly<Record<string, unknown>>;
}

/** The security rules a resource holds. An inline list given as an expression (a dynamic block) is unknown: none. */
export function securityRules(resource: ResourceView): SecurityRule[] {
  if (resource.type === 'azurerm_network_security_rule') return [{ label: '', config: resource.config }];
  return blocks(resource.config, 'security_rule').map((config) => ({
    label: ` security_rule "${String(config.name)}"`,
    config,
  }));
}

/** True when a string attribute is known and equals `expected`, ignoring case (`Inbound`, `inbound`). */
export function attributeIs(config: Readonly<Record<string, unknown>>, key: string, expected: string): boolean {
  const value = readString(config, key);
  return value !== undefined && value !== UNKNOWN && value.toLowerCase() === expected.toLowerCase();
}

/** The first internet source of a rule, with the attribute it came from; expressions are unknown, never a match. */
export function internetSource(
  config: Readonly<Record<string, unknown>>,
): { attribute: string; value: string } | undefined {
  for (const attribute of ['source_address_prefix', 'source_address_prefixes']) {
    const values = readStrings(config, attribute);
    if (values === UNKNOWN) continue;
    const value = values.find((v) => !isExpression(v) && isInternetSource(v));
    if (value !== undefined) return { attribute, value };
  }
  return undefined;
}

/** True when `destination_port_range` or one of `destination_port_ranges` covers `port`. */
function opensPort(config: Readonly<Record<string, unknown>>, port: number): boolean {
  return ['destination_port_range', 'destination_port_ranges'].some((attribute) => {
    const values = readStrings(config, attribute);
    return values !== UNKNOWN && values.some((v) => !isExpression(v) && coversPort(v, port));
  });
}

/** What {@link internetIngressRule} looks for, and how it reports it. */
export interface InternetIngressOptions {
  /** The rule's id. */
  readonly id: string;
  /** The rule's title. */
  readonly title: string;
  /** The protocol the rule guards; a rule with protocol `*` also matches. */
  readonly protocol: 'Tcp' | 'Udp';
  /** The destination port the rule guards. @default - every port */
  readonly port?: number;
  /** What is exposed, for the message: `SSH (TCP port 22)`. */
  readonly exposes: string;
  /** The fix, naming the attributes and values to set, given the source attribute that let the internet in. */
  readonly fix: (sourceAttribute: string) => string;
}

/**
 * A rule that flags every Inbound Allow security rule from the internet ({@link isInternetSource}) to `protocol`
 * (or `*`) and, when given, `port`: on standalone `azurerm_network_security_rule` resources and on the inline
 * `security_rule` blocks of `azurerm_network_security_group`. One message per offending security rule.
 * Mirrors checkov's NSGRulePortAccessRestricted and NSGRuleUDPAccessRestricted, and also reads the list forms
 * `source_address_prefixes` and `destination_port_ranges`, which checkov skips.
 */
export function internetIngressRule(options: InternetIngressOptions): PolicyRule {
  return {
    id: options.id,
    severity: 'error',
    title: options.title,
    resourceTypes: ['azurerm_network_security_group', 'azurerm_network_security_rule'],
    check(resource) {
      const messages: string[] = [];
      for (const rule of securityRules(resource)) {
        const c = rule.config;
        if (!attributeIs(c, 'direction', 'Inbound') || !attributeIs(c, 'access', 'Allow')) continue;
        if (!attributeIs(c, 'protocol', options.protocol) && !attributeIs(c, 'protocol', '*')) continue;
        if (options.port !== undefined && !opensPort(c, options.port)) continue;
        const source = internetSource(c);
        if (source === undefined) continue;
        messages.push(
          `${subject(resource)}${rule.label} allows ${options.exposes} inbound from ${source.attribute} "${source.value}": ${options.fix(source.attribute)}`,
        );
      }
      return messages;
    },
  };
}
