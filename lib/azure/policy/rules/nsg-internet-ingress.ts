import { isExpression, type PolicyRule } from '../rule';
import { attributeIs, internetSource, securityRules } from './nsg-ingress';
import { readString, readStrings, subject, UNKNOWN } from './util';

/**
 * True when every port one `destination_port_range(s)` entry covers (`443`, `8000-8080`) is in `ports`: `*`, an
 * expression or anything unreadable is not.
 */
export function withinPorts(entry: string, ports: readonly number[]): boolean {
  const e = entry.trim();
  if (/^\d+$/.test(e)) return ports.includes(Number(e));
  const range = /^(\d+)\s*-\s*(\d+)$/.exec(e);
  if (!range) return false;
  const [low, high] = [Number(range[1]), Number(range[2])];
  return low <= high && ports.filter((p) => low <= p && p <= high).length === high - low + 1;
}

/** How a message names port entries: `8080`, `every port (*)`, `ports known only at apply time`. */
function describePorts(entries: readonly string[]): string {
  return entries
    .map((e) => (e.trim() === '*' ? 'every port (*)' : isExpression(e) ? `port ${e} (known only at apply time)` : e))
    .join(', ');
}

/**
 * PC_AZURE_NSG_INTERNET_INGRESS: no Inbound Allow network security rule (a standalone `azurerm_network_security_rule`
 * or an inline `security_rule`) lets the Internet in (`*`, `Any`, `Internet`, `0.0.0.0/0`, `::/0`, in
 * `source_address_prefix` or among `source_address_prefixes`) on any port but the TCP listeners the environment's
 * spec declares public: `PolicyChecks.applyTo(stack, { publicPorts })`, recorded in the stack's `"//"` block so
 * `npm run check` judges cdk.tf.json alone. A port given as an expression, a range reaching past the public ports,
 * `*`, or a protocol other than TCP is refused. One message per offending security rule.
 *
 * Mirrors trivy's AZU-0047 (azure-network-no-public-ingress), which refuses Internet ingress on every port, with the
 * spec's public listeners as the only exception; checkov has no port-agnostic check (CKV_AZURE_9, _10, _160 and _77
 * cover RDP, SSH, HTTP and UDP only, so 8080 from the Internet passed them). NIST 800-53 SC-7 (boundary protection).
 */
export const nsgInternetIngress: PolicyRule = {
  id: 'PC_AZURE_NSG_INTERNET_INGRESS',
  severity: 'error',
  title: 'No network security rule allows inbound from the internet except to the public listeners the spec declares',
  resourceTypes: ['azurerm_network_security_group', 'azurerm_network_security_rule'],
  check(resource, context) {
    const messages: string[] = [];
    const declared = context.publicPorts.length > 0 ? `TCP ${context.publicPorts.join(', ')}` : 'none';
    for (const rule of securityRules(resource)) {
      const c = rule.config;
      if (!attributeIs(c, 'direction', 'Inbound') || !attributeIs(c, 'access', 'Allow')) continue;
      const source = internetSource(c);
      if (source === undefined) continue;
      const entries: string[] = [];
      for (const attribute of ['destination_port_range', 'destination_port_ranges']) {
        const values = readStrings(c, attribute);
        entries.push(...(values === UNKNOWN ? [String(c[attribute])] : values));
      }
      const tcp = attributeIs(c, 'protocol', 'Tcp');
      const closed = entries.filter((e) => !withinPorts(e, context.publicPorts));
      if (tcp && closed.length === 0) continue;
      const protocol = readString(c, 'protocol');
      const what = tcp
        ? `TCP ${describePorts(closed)}`
        : `protocol ${protocol === undefined || protocol === UNKNOWN ? 'unknown' : `"${protocol}"`} on ${describePorts(entries)}`;
      messages.push(
        `${subject(resource)}${rule.label} allows ${what} inbound from ${source.attribute} "${source.value}", which is not a public listener of the environment (the spec declares ${declared}): set ${source.attribute} to a known address range, or access = "Deny"; a listener meant for the Internet is declared in the spec (a public service)`,
      );
    }
    return messages;
  },
};
