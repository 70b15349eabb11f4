/**
 * Security-relevant changes of azurerm resources: inbound network rules, role assignments, Key Vault access
 * policies, public endpoints and public network access. Each finding is one sentence a reviewer can check against
 * the code, and says whether access widens.
 */
import { type Attributes, blockList } from './azure-attributes';
import { isExpression, referencedAddresses } from './azure-paths';
import type { SecurityChange, SecurityKind } from './model';

/** What a security check needs to know about the rest of the change. */
export interface SecurityContext {
  /** True when the resource at this address (as the head names it) exists on the base side. */
  readonly existedBefore: (address: string) => boolean;
  /** True when this change creates the resource at this address. */
  readonly createdNow: (address: string) => boolean;
}

function finding(kind: SecurityKind, broadened: boolean, description: string): SecurityChange {
  return { kind, broadened, description };
}

function str(body: Attributes | undefined, key: string): string | undefined {
  const value = body?.[key];
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : undefined;
}

function strings(body: Attributes | undefined, key: string): string[] {
  const value = body?.[key];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).flatMap((v) =>
    typeof v === 'string' || typeof v === 'number' ? [String(v)] : [],
  );
}

function blocks(body: Attributes | undefined, key: string): Attributes[] {
  return (body === undefined ? undefined : blockList(body[key])) ?? [];
}

function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

function isFalse(value: unknown): boolean {
  return value === false || value === 'false';
}

/** A value as a reviewer reads it: the address an expression references, else the value itself. */
function shown(value: string): string {
  if (!isExpression(value)) return value;
  const addresses = referencedAddresses(value).filter((a) => !/^(var|local|data|module|each|count|path)\./.test(a));
  return addresses.length === 1 ? addresses[0]! : value;
}

/** The resource an expression references, when it references one the change knows. */
function principalOf(value: string | undefined, context: SecurityContext): { words: string; isNew: boolean } {
  if (value === undefined) return { words: 'an unnamed principal', isNew: false };
  if (!isExpression(value)) return { words: `principal ${value}`, isNew: false };
  const addresses = referencedAddresses(value);
  const created = addresses.find((a) => context.createdNow(a));
  if (created !== undefined) return { words: `${created} (created in this change)`, isNew: true };
  const existing = addresses.find((a) => context.existedBefore(a));
  if (existing !== undefined) return { words: `${existing} (an existing identity)`, isNew: false };
  return { words: value, isNew: false };
}

const lower = (s: string): string => s.toLowerCase();

// ---------------------------------------------------------------------------------------------------------------
// Network security rules

/** Sources that cover every other source. */
const EVERY_SOURCE = new Set(['*', 'any', '0.0.0.0/0']);

interface RuleFacts {
  readonly name?: string;
  readonly inboundAllow: boolean;
  readonly protocol: string;
  readonly sources: readonly string[];
  readonly ports: readonly string[];
  readonly destinations: readonly string[];
}

function ruleFacts(body: Attributes): RuleFacts {
  const orAny = (list: string[]): string[] => (list.length === 0 ? ['*'] : list);
  return {
    name: str(body, 'name'),
    inboundAllow: lower(str(body, 'direction') ?? '') === 'inbound' && lower(str(body, 'access') ?? '') === 'allow',
    protocol: str(body, 'protocol') ?? '*',
    sources: orAny([
      ...strings(body, 'source_address_prefix'),
      ...strings(body, 'source_address_prefixes'),
      ...strings(body, 'source_application_security_group_ids').map((id) => `application security group ${shown(id)}`),
    ]),
    ports: orAny([...strings(body, 'destination_port_range'), ...strings(body, 'destination_port_ranges')]),
    destinations: orAny([
      ...strings(body, 'destination_address_prefix'),
      ...strings(body, 'destination_address_prefixes'),
      ...strings(body, 'destination_application_security_group_ids').map(
        (id) => `application security group ${shown(id)}`,
      ),
    ]),
  };
}

function sourceWords(source: string): string {
  return EVERY_SOURCE.has(lower(source)) ? `${source} (anywhere)` : shown(source);
}

/** `inbound TCP 22 from Internet`, `inbound all traffic from * (anywhere) to 10.0.1.0/24`. */
function trafficWords(rule: RuleFacts): string {
  const protocol = rule.protocol === '*' ? undefined : rule.protocol.toUpperCase();
  const anyPort = rule.ports.includes('*');
  const what =
    protocol === undefined
      ? anyPort
        ? 'all traffic'
        : `port ${rule.ports.join(', ')} (any protocol)`
      : anyPort
        ? `${protocol} on any port`
        : `${protocol} ${rule.ports.join(', ')}`;
  const to = rule.destinations.includes('*') ? '' : ` to ${rule.destinations.map(shown).join(', ')}`;
  return `inbound ${what} from ${rule.sources.map(sourceWords).join(', ')}${to}`;
}

type PortRange = readonly [number, number];

function portRanges(ports: readonly string[]): PortRange[] | undefined {
  const ranges: PortRange[] = [];
  for (const port of ports) {
    if (port === '*') ranges.push([0, 65535]);
    else {
      const match = /^(\d+)(?:-(\d+))?$/.exec(port.trim());
      if (!match) return undefined;
      ranges.push([Number(match[1]), Number(match[2] ?? match[1])]);
    }
  }
  return ranges;
}

/** True when some port of `after` lies outside every range of `before`. */
function portsWider(before: readonly string[], after: readonly string[]): boolean {
  const b = portRanges(before);
  const a = portRanges(after);
  if (b === undefined || a === undefined) return after.some((p) => !before.includes(p));
  return a.some(([from, to]) => {
    // Walk the range, jumping over the before-ranges that cover it.
    let next = from;
    for (;;) {
      const cover = b.find(([bf, bt]) => bf <= next && next <= bt);
      if (cover === undefined) return true;
      if (cover[1] >= to) return false;
      next = cover[1] + 1;
    }
  });
}

function addressesWider(before: readonly string[], after: readonly string[]): boolean {
  const b = new Set(before.map(lower));
  if ([...b].some((s) => EVERY_SOURCE.has(s))) return false;
  return after.some((s) => !b.has(lower(s)));
}

function protocolWider(before: string, after: string): boolean {
  return before !== '*' && lower(before) !== lower(after);
}

/** True when `after` lets through something `before` did not (both inbound Allow rules). */
function ruleWider(before: RuleFacts, after: RuleFacts): boolean {
  return (
    protocolWider(before.protocol, after.protocol) ||
    addressesWider(before.sources, after.sources) ||
    portsWider(before.ports, after.ports) ||
    addressesWider(before.destinations, after.destinations)
  );
}

function ruleChanges(label: string, before: Attributes | undefined, after: Attributes | undefined): SecurityChange[] {
  const b = before === undefined ? undefined : ruleFacts(before);
  const a = after === undefined ? undefined : ruleFacts(after);
  const kind = 'network-ingress';
  if (a?.inboundAllow && !b?.inboundAllow) {
    const verb = b === undefined ? 'allows' : 'now allows';
    return [finding(kind, true, `${label}${verb} ${trafficWords(a)}`)];
  }
  if (b?.inboundAllow && !a?.inboundAllow) return [finding(kind, false, `${label}no longer allows ${trafficWords(b)}`)];
  if (a === undefined || b === undefined || !a.inboundAllow) return [];
  if (ruleWider(b, a)) return [finding(kind, true, `${label}widens to allow ${trafficWords(a)}`)];
  if (ruleWider(a, b)) return [finding(kind, false, `${label}narrows to allow ${trafficWords(a)}`)];
  return [];
}

function inlineRuleChanges(before: Attributes | undefined, after: Attributes | undefined): SecurityChange[] {
  const beforeRules = blocks(before, 'security_rule');
  const afterRules = blocks(after, 'security_rule');
  const name = (r: Attributes): string => str(r, 'name') ?? '';
  const names = [...new Set([...beforeRules, ...afterRules].map(name))].sort();
  return names.flatMap((n) =>
    ruleChanges(
      `security rule ${n} `,
      beforeRules.find((r) => name(r) === n),
      afterRules.find((r) => name(r) === n),
    ),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Role assignments

function roleOf(body: Attributes): string {
  const name = str(body, 'role_definition_name');
  return name !== undefined ? `"${name}"` : shown(str(body, 'role_definition_id') ?? 'an unnamed role');
}

function roleAssignmentChanges(
  before: Attributes | undefined,
  after: Attributes | undefined,
  context: SecurityContext,
): SecurityChange[] {
  const kind = 'role-assignment';
  if (after === undefined) {
    if (before === undefined) return [];
    const principal = principalOf(str(before, 'principal_id'), context).words;
    return [
      finding(
        kind,
        false,
        `no longer grants ${roleOf(before)} on ${shown(str(before, 'scope') ?? '?')} to ${principal}`,
      ),
    ];
  }
  const principal = principalOf(str(after, 'principal_id'), context);
  const scope = str(after, 'scope') ?? '?';
  if (before === undefined) {
    return [finding(kind, !principal.isNew, `grants ${roleOf(after)} on ${shown(scope)} to ${principal.words}`)];
  }
  const found: SecurityChange[] = [];
  if (str(before, 'principal_id') !== str(after, 'principal_id')) {
    const old = principalOf(str(before, 'principal_id'), context).words;
    found.push(
      finding(
        kind,
        !principal.isNew,
        `grants ${roleOf(after)} on ${shown(scope)} to ${principal.words} instead of ${old}`,
      ),
    );
  }
  if (roleOf(before) !== roleOf(after)) {
    found.push(
      finding(
        kind,
        true,
        `changes the role of ${principal.words} on ${shown(scope)} from ${roleOf(before)} to ${roleOf(after)}`,
      ),
    );
  }
  const oldScope = str(before, 'scope') ?? '?';
  if (lower(oldScope) !== lower(scope)) {
    const under = (inner: string, outer: string): boolean => lower(inner).startsWith(`${lower(outer)}/`);
    const [broadened, verb] = under(oldScope, scope)
      ? [true, 'widens']
      : under(scope, oldScope)
        ? [false, 'narrows']
        : [true, 'moves'];
    found.push(
      finding(
        kind,
        broadened,
        `${verb} the scope of ${roleOf(after)} for ${principal.words} from ${shown(oldScope)} to ${shown(scope)}`,
      ),
    );
  }
  return found;
}

// ---------------------------------------------------------------------------------------------------------------
// Key Vault access policies

const PERMISSION_KINDS = [
  ['certificate_permissions', 'certificates'],
  ['key_permissions', 'keys'],
  ['secret_permissions', 'secrets'],
  ['storage_permissions', 'storage'],
] as const;

/** Permissions of a policy as `secrets Get, List; keys Get`, for the kinds in `pick`. */
function permissionWords(pick: (attribute: string) => string[]): string {
  return PERMISSION_KINDS.flatMap(([attribute, words]) => {
    const list = pick(attribute);
    return list.length === 0 ? [] : [`${words} ${list.join(', ')}`];
  }).join('; ');
}

function policyKey(policy: Attributes): string {
  return `${str(policy, 'object_id') ?? ''}\u0000${str(policy, 'application_id') ?? ''}`;
}

function policyChanges(
  before: Attributes | undefined,
  after: Attributes | undefined,
  context: SecurityContext,
  vault: string,
): SecurityChange[] {
  const kind = 'key-vault-access';
  const on = vault === '' ? '' : ` on ${vault}`;
  if (after === undefined) {
    if (before === undefined) return [];
    const principal = principalOf(str(before, 'object_id'), context).words;
    return [finding(kind, false, `no longer grants Key Vault access${on} to ${principal}`)];
  }
  const principal = principalOf(str(after, 'object_id'), context);
  if (before === undefined || policyKey(before) !== policyKey(after)) {
    const what = permissionWords((attribute) => strings(after, attribute));
    return [
      finding(kind, !principal.isNew, `grants Key Vault access${on} to ${principal.words}${what ? `: ${what}` : ''}`),
    ];
  }
  const has = (body: Attributes, attribute: string): Set<string> => new Set(strings(body, attribute).map(lower));
  const added = permissionWords((attribute) =>
    strings(after, attribute).filter((p) => !has(before, attribute).has(lower(p))),
  );
  const removed = permissionWords((attribute) =>
    strings(before, attribute).filter((p) => !has(after, attribute).has(lower(p))),
  );
  return [
    ...(added ? [finding(kind, true, `adds Key Vault permissions${on} for ${principal.words}: ${added}`)] : []),
    ...(removed ? [finding(kind, false, `removes Key Vault permissions${on} for ${principal.words}: ${removed}`)] : []),
  ];
}

function inlinePolicyChanges(
  before: Attributes | undefined,
  after: Attributes | undefined,
  context: SecurityContext,
): SecurityChange[] {
  const beforePolicies = blocks(before, 'access_policy');
  const afterPolicies = blocks(after, 'access_policy');
  const keys = [...new Set([...beforePolicies, ...afterPolicies].map(policyKey))].sort();
  return keys.flatMap((key) =>
    policyChanges(
      beforePolicies.find((p) => policyKey(p) === key),
      afterPolicies.find((p) => policyKey(p) === key),
      context,
      '',
    ),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Container apps: external ingress and IP restrictions

function restrictionWords(entry: Attributes): string {
  return `${str(entry, 'name') ?? '(unnamed)'} (${str(entry, 'action') ?? '?'} ${shown(str(entry, 'ip_address_range') ?? '?')})`;
}

function containerAppChanges(before: Attributes | undefined, after: Attributes | undefined): SecurityChange[] {
  const kind = 'public-endpoint';
  if (after === undefined) return [];
  const external = (body: Attributes | undefined): boolean =>
    blocks(body, 'ingress').some((i) => isTrue(i.external_enabled));
  if (before === undefined) {
    return external(after) ? [finding(kind, true, 'ingress is external: reachable from the internet')] : [];
  }
  const found: SecurityChange[] = [];
  if (!external(before) && external(after)) {
    found.push(finding(kind, true, 'ingress becomes external: reachable from the internet'));
  } else if (external(before) && !external(after)) {
    found.push(finding(kind, false, 'ingress becomes internal: no longer reachable from the internet'));
  }
  const restrictions = (body: Attributes): Attributes[] =>
    blocks(body, 'ingress').flatMap((i) => blocks(i, 'ip_security_restriction'));
  const same = (a: Attributes, b: Attributes): boolean => JSON.stringify(a) === JSON.stringify(b);
  const old = restrictions(before);
  const now = restrictions(after);
  const isAllow = (e: Attributes): boolean => lower(str(e, 'action') ?? '') === 'allow';
  for (const entry of old.filter((e) => !now.some((n) => same(e, n)))) {
    found.push(finding(kind, true, `ingress IP restriction ${restrictionWords(entry)} is removed`));
  }
  for (const entry of now.filter((e) => !old.some((o) => same(e, o)))) {
    // Allow entries make an allow list: the first one restricts everyone else; a further one lets more in.
    const widens = isAllow(entry) && old.some(isAllow);
    found.push(finding(kind, widens, `ingress IP restriction ${restrictionWords(entry)} is added`));
  }
  return found;
}

// ---------------------------------------------------------------------------------------------------------------
// Public network access switches

interface Switch {
  /** The attribute path. */
  readonly path: string;
  /** Whether a value opens access; undefined when it cannot be told (an expression). */
  readonly open: (value: unknown) => boolean | undefined;
  /** What the default (not set) is, in words. */
  readonly unset: string;
  /** What opening means. */
  readonly opens: string;
  /** What closing means. */
  readonly closes: string;
}

const boolSwitch = (value: unknown): boolean | undefined => (isTrue(value) ? true : isFalse(value) ? false : undefined);
const textSwitch =
  (openValue: string, closedValues: readonly string[]) =>
  (value: unknown): boolean | undefined => {
    if (typeof value !== 'string') return undefined;
    if (lower(value) === lower(openValue)) return true;
    return closedValues.some((c) => lower(c) === lower(value)) ? false : undefined;
  };

const SWITCHES: readonly Switch[] = [
  {
    path: 'public_network_access_enabled',
    open: boolSwitch,
    unset: 'true',
    opens: 'public network access becomes enabled',
    closes: 'public network access becomes disabled',
  },
  {
    path: 'public_network_access',
    open: textSwitch('Enabled', ['Disabled', 'SecuredByPerimeter']),
    unset: 'Enabled',
    opens: 'public network access becomes enabled',
    closes: 'public network access becomes disabled',
  },
  {
    path: 'allow_nested_items_to_be_public',
    open: boolSwitch,
    unset: 'true',
    opens: 'containers and blobs may be made public',
    closes: 'containers and blobs may no longer be made public',
  },
  {
    path: 'shared_access_key_enabled',
    open: boolSwitch,
    unset: 'true',
    opens: 'shared access keys authorize requests',
    closes: 'shared access keys no longer authorize requests',
  },
  ...['network_rules.default_action', 'network_acls.default_action', 'default_action'].map((path): Switch => ({
    path,
    open: textSwitch('Allow', ['Deny']),
    unset: 'Allow',
    opens: 'every network may reach it',
    closes: 'only the allowed networks may reach it',
  })),
];

function valueAt(body: Attributes, path: string): unknown {
  let current: unknown = body;
  for (const key of path.split('.')) {
    const first = blockList(current)?.[0];
    current = first === undefined ? undefined : first[key];
  }
  return current;
}

function switchChanges(type: string, before: Attributes, after: Attributes): SecurityChange[] {
  const found: SecurityChange[] = [];
  for (const s of SWITCHES) {
    // A bare default_action is the network rules resource's own; elsewhere it belongs to another block.
    if (s.path === 'default_action' && !type.endsWith('_network_rules')) continue;
    const b = valueAt(before, s.path);
    const a = valueAt(after, s.path);
    if (b === undefined && a === undefined) continue;
    const wasOpen = b === undefined ? true : s.open(b);
    const isOpen = a === undefined ? true : s.open(a);
    if (wasOpen === undefined || isOpen === undefined || wasOpen === isOpen) continue;
    const how = a === undefined ? `${s.path} is removed: the default is ${s.unset}` : `${s.path} becomes ${String(a)}`;
    found.push(finding('public-network-access', isOpen, `${isOpen ? s.opens : s.closes} (${how})`));
  }
  return found;
}

// ---------------------------------------------------------------------------------------------------------------
// Public IPs and network interfaces

function publicIpsOf(body: Attributes | undefined): string[] {
  return blocks(body, 'ip_configuration').flatMap((c) => strings(c, 'public_ip_address_id'));
}

function networkInterfaceChanges(before: Attributes | undefined, after: Attributes | undefined): SecurityChange[] {
  if (after === undefined) return [];
  const old = publicIpsOf(before);
  const now = publicIpsOf(after);
  return [
    ...now
      .filter((ip) => !old.includes(ip))
      .map((ip) => finding('public-endpoint', true, `gains public IP ${shown(ip)}: reachable from the internet`)),
    ...old
      .filter((ip) => !now.includes(ip))
      .map((ip) => finding('public-endpoint', false, `loses public IP ${shown(ip)}: no longer reachable through it`)),
  ];
}

function publicIpChanges(before: Attributes | undefined, after: Attributes | undefined): SecurityChange[] {
  if (before === undefined && after !== undefined) {
    const name = str(after, 'name');
    const what = name === undefined ? 'a public IP address' : `public IP address ${shown(name)}`;
    return [finding('public-endpoint', true, `creates ${what}: an address the internet can reach`)];
  }
  if (after === undefined && before !== undefined) {
    const name = str(before, 'name');
    return [
      finding('public-endpoint', false, `removes public IP address${name === undefined ? '' : ` ${shown(name)}`}`),
    ];
  }
  return [];
}

/**
 * The security-relevant changes of one resource, from its normalized body on each side (undefined where it does
 * not exist: created or destroyed). Recognized: `azurerm_network_security_rule` and inline `security_rule` blocks
 * (inbound Allow rules), `azurerm_role_assignment`, `azurerm_key_vault_access_policy` and inline `access_policy`
 * blocks, container app ingress, `azurerm_public_ip`, network interfaces gaining a public IP, and the switches that
 * open a resource to public networks (`public_network_access_enabled`, `public_network_access`, storage
 * `allow_nested_items_to_be_public` and `shared_access_key_enabled`, network rules `default_action`).
 */
export function azureSecurityChanges(
  type: string,
  before: Attributes | undefined,
  after: Attributes | undefined,
  context: SecurityContext,
): SecurityChange[] {
  const found: SecurityChange[] = [];
  switch (type) {
    case 'azurerm_network_security_rule':
      found.push(...ruleChanges('', before, after));
      break;
    case 'azurerm_network_security_group':
      found.push(...inlineRuleChanges(before, after));
      break;
    case 'azurerm_role_assignment':
      found.push(...roleAssignmentChanges(before, after, context));
      break;
    case 'azurerm_key_vault_access_policy': {
      const vault = str(after ?? before, 'key_vault_id');
      found.push(...policyChanges(before, after, context, vault === undefined ? '' : shown(vault)));
      break;
    }
    case 'azurerm_key_vault':
      found.push(...inlinePolicyChanges(before, after, context));
      break;
    case 'azurerm_container_app':
      found.push(...containerAppChanges(before, after));
      break;
    case 'azurerm_public_ip':
      found.push(...publicIpChanges(before, after));
      break;
    case 'azurerm_network_interface':
      found.push(...networkInterfaceChanges(before, after));
      break;
  }
  if (before !== undefined && after !== undefined) found.push(...switchChanges(type, before, after));
  return found;
}
