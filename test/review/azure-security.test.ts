import { diffAzureEnvironment } from '../../lib/review/azure-diff';
import type { SecurityChange } from '../../lib/review/model';
import type { SynthesizedStack } from '../../lib/review/outputs';

type Body = Record<string, unknown>;
type Resources = Record<string, Record<string, Body>>;

const RG = '${azurerm_resource_group.rg.name}';
const KEY_VAULT = '/subscriptions/0/resourceGroups/rg-secrets/providers/Microsoft.KeyVault/vaults/kv-dev';

function stackOf(resource: Resources): SynthesizedStack {
  return {
    cloud: 'azure',
    environment: 'dev',
    stack: 'platform-dev',
    file: 'cdk.tf.json',
    bytes: 0,
    json: { resource },
  };
}

/** The security findings of one address when `head` is deployed over `base`. */
function securityOf(base: Resources, head: Resources, id: string, newEnvironment = false): readonly SecurityChange[] {
  const diff = diffAzureEnvironment('dev', [stackOf(base)], [stackOf(head)], { newEnvironment });
  const change = diff.changes.find((c) => c.id === id);
  if (change === undefined) throw new Error(`no change of ${id}: ${diff.changes.map((c) => c.id).join(', ')}`);
  return change.security;
}

function one(type: string, body: Body, others: Resources = {}): Resources {
  return { ...others, [type]: { it: body } };
}

describe('network security rules', () => {
  const TYPE = 'azurerm_network_security_rule';
  const ID = `${TYPE}.it`;
  const ssh: Body = {
    name: 'AllowSsh',
    network_security_group_name: '${azurerm_network_security_group.nsg.name}',
    resource_group_name: RG,
    priority: 100,
    direction: 'Inbound',
    access: 'Allow',
    protocol: 'Tcp',
    source_port_range: '*',
    destination_port_range: '22',
    source_address_prefix: 'Internet',
    destination_address_prefix: '*',
  };
  const ingress = (broadened: boolean, description: string): SecurityChange[] => [
    { kind: 'network-ingress', broadened, description },
  ];

  test('a created inbound Allow rule broadens', () => {
    expect(securityOf({}, one(TYPE, ssh), ID)).toEqual(ingress(true, 'allows inbound TCP 22 from Internet'));
  });

  test('a created Deny rule, or an outbound Allow, is no finding', () => {
    expect(securityOf({}, one(TYPE, { ...ssh, access: 'Deny' }), ID)).toEqual([]);
    expect(securityOf({}, one(TYPE, { ...ssh, direction: 'Outbound' }), ID)).toEqual([]);
  });

  test('a source that becomes * broadens; one that becomes private again narrows', () => {
    const office = { ...ssh, source_address_prefix: '10.0.0.0/8' };
    const anywhere = { ...ssh, source_address_prefix: '*' };
    expect(securityOf(one(TYPE, office), one(TYPE, anywhere), ID)).toEqual(
      ingress(true, 'widens to allow inbound TCP 22 from * (anywhere)'),
    );
    expect(securityOf(one(TYPE, anywhere), one(TYPE, office), ID)).toEqual(
      ingress(false, 'narrows to allow inbound TCP 22 from 10.0.0.0/8'),
    );
  });

  test('a wider port range or a further source prefix broadens; a narrower range does not', () => {
    const range = { ...ssh, destination_port_range: undefined, destination_port_ranges: ['20-30', '443'] };
    expect(securityOf(one(TYPE, ssh), one(TYPE, range), ID)).toEqual(
      ingress(true, 'widens to allow inbound TCP 20-30, 443 from Internet'),
    );
    expect(securityOf(one(TYPE, range), one(TYPE, { ...range, destination_port_ranges: ['22', '443'] }), ID)).toEqual(
      ingress(false, 'narrows to allow inbound TCP 22, 443 from Internet'),
    );
    const two = { ...ssh, source_address_prefix: undefined, source_address_prefixes: ['10.0.0.0/8', '::/0'] };
    expect(securityOf(one(TYPE, { ...two, source_address_prefixes: ['10.0.0.0/8'] }), one(TYPE, two), ID)).toEqual(
      ingress(true, 'widens to allow inbound TCP 22 from 10.0.0.0/8, ::/0'),
    );
  });

  test('a Deny rule that becomes Allow broadens; a removed Allow rule does not', () => {
    expect(securityOf(one(TYPE, { ...ssh, access: 'Deny' }), one(TYPE, ssh), ID)).toEqual(
      ingress(true, 'now allows inbound TCP 22 from Internet'),
    );
    expect(securityOf(one(TYPE, ssh), {}, ID)).toEqual(ingress(false, 'no longer allows inbound TCP 22 from Internet'));
  });

  test('a change that leaves what the rule lets in alone is no finding', () => {
    expect(securityOf(one(TYPE, ssh), one(TYPE, { ...ssh, priority: 110 }), ID)).toEqual([]);
  });

  test('inline security_rule blocks: a new inbound Allow on an existing group broadens, a removed one does not', () => {
    const NSG = 'azurerm_network_security_group';
    const vnet: Body = {
      name: 'AllowVnetHttps',
      priority: 200,
      direction: 'Inbound',
      access: 'Allow',
      protocol: '*',
      source_port_range: '*',
      destination_port_range: '443',
      source_address_prefix: 'VirtualNetwork',
      destination_address_prefix: '10.0.1.0/24',
    };
    const inline = { ...ssh, network_security_group_name: undefined, resource_group_name: undefined };
    const group = (rules: Body[]): Body => ({
      name: 'nsg',
      location: 'westeurope',
      resource_group_name: RG,
      security_rule: rules,
    });
    expect(securityOf(one(NSG, group([vnet])), one(NSG, group([inline, vnet])), `${NSG}.it`)).toEqual(
      ingress(true, 'security rule AllowSsh allows inbound TCP 22 from Internet'),
    );
    expect(securityOf(one(NSG, group([inline, vnet])), one(NSG, group([vnet])), `${NSG}.it`)).toEqual(
      ingress(false, 'security rule AllowSsh no longer allows inbound TCP 22 from Internet'),
    );
    expect(securityOf({}, one(NSG, group([vnet])), `${NSG}.it`)).toEqual(
      ingress(
        true,
        'security rule AllowVnetHttps allows inbound port 443 (any protocol) from VirtualNetwork to 10.0.1.0/24',
      ),
    );
  });
});

describe('role assignments', () => {
  const TYPE = 'azurerm_role_assignment';
  const ID = `${TYPE}.it`;
  const identity = {
    azurerm_user_assigned_identity: { api: { name: 'id-api', location: 'westeurope', resource_group_name: RG } },
  };
  const assignment: Body = {
    principal_id: '${azurerm_user_assigned_identity.api.principal_id}',
    role_definition_name: 'Key Vault Secrets User',
    scope: KEY_VAULT,
  };
  const role = (broadened: boolean, description: string): SecurityChange[] => [
    { kind: 'role-assignment', broadened, description },
  ];

  test('a new role for an identity that exists in the base broadens', () => {
    expect(securityOf(identity, one(TYPE, assignment, identity), ID)).toEqual(
      role(
        true,
        `grants "Key Vault Secrets User" on ${KEY_VAULT} to azurerm_user_assigned_identity.api (an existing identity)`,
      ),
    );
  });

  test('a new role for an identity created in the same change is listed, not broadening', () => {
    expect(securityOf({}, one(TYPE, assignment, identity), ID)).toEqual(
      role(
        false,
        `grants "Key Vault Secrets User" on ${KEY_VAULT} to azurerm_user_assigned_identity.api (created in this change)`,
      ),
    );
  });

  test('a literal principal is an existing one', () => {
    const literal = {
      principal_id: '11111111-2222',
      role_definition_id: '/providers/roles/reader',
      scope: '/subscriptions/0',
    };
    expect(securityOf({}, one(TYPE, literal), ID)).toEqual(
      role(true, 'grants /providers/roles/reader on /subscriptions/0 to principal 11111111-2222'),
    );
  });

  test('a changed role broadens', () => {
    const contributor = { ...assignment, role_definition_name: 'Key Vault Secrets Officer' };
    expect(securityOf(one(TYPE, assignment, identity), one(TYPE, contributor, identity), ID)).toEqual(
      role(
        true,
        `changes the role of azurerm_user_assigned_identity.api (an existing identity) on ${KEY_VAULT} from "Key Vault Secrets User" to "Key Vault Secrets Officer"`,
      ),
    );
  });

  test('a wider scope broadens, a narrower one does not', () => {
    const group = { ...assignment, scope: '/subscriptions/0/resourceGroups/rg-secrets' };
    expect(securityOf(one(TYPE, assignment, identity), one(TYPE, group, identity), ID)).toEqual(
      role(
        true,
        `widens the scope of "Key Vault Secrets User" for azurerm_user_assigned_identity.api (an existing identity) from ${KEY_VAULT} to /subscriptions/0/resourceGroups/rg-secrets`,
      ),
    );
    expect(securityOf(one(TYPE, group, identity), one(TYPE, assignment, identity), ID)).toEqual(
      role(
        false,
        `narrows the scope of "Key Vault Secrets User" for azurerm_user_assigned_identity.api (an existing identity) from /subscriptions/0/resourceGroups/rg-secrets to ${KEY_VAULT}`,
      ),
    );
  });

  test('a removed role assignment does not broaden', () => {
    expect(securityOf(one(TYPE, assignment, identity), identity, ID)).toEqual(
      role(
        false,
        `no longer grants "Key Vault Secrets User" on ${KEY_VAULT} to azurerm_user_assigned_identity.api (an existing identity)`,
      ),
    );
  });
});

describe('Key Vault access', () => {
  const TYPE = 'azurerm_key_vault_access_policy';
  const ID = `${TYPE}.it`;
  const existing: Resources = {
    azurerm_key_vault: {
      kv: { name: 'kv-dev', location: 'westeurope', resource_group_name: RG, sku_name: 'standard' },
    },
    azurerm_user_assigned_identity: { api: { name: 'id-api', location: 'westeurope', resource_group_name: RG } },
  };
  const policy: Body = {
    key_vault_id: '${azurerm_key_vault.kv.id}',
    tenant_id: 't',
    object_id: '${azurerm_user_assigned_identity.api.principal_id}',
    secret_permissions: ['Get', 'List'],
  };
  const access = (broadened: boolean, description: string): SecurityChange[] => [
    { kind: 'key-vault-access', broadened, description },
  ];

  test('a created policy for an existing principal broadens; for a new one it does not', () => {
    expect(securityOf(existing, one(TYPE, policy, existing), ID)).toEqual(
      access(
        true,
        'grants Key Vault access on azurerm_key_vault.kv to azurerm_user_assigned_identity.api (an existing identity): secrets Get, List',
      ),
    );
    expect(securityOf({}, one(TYPE, policy, existing), ID)).toEqual(
      access(
        false,
        'grants Key Vault access on azurerm_key_vault.kv to azurerm_user_assigned_identity.api (created in this change): secrets Get, List',
      ),
    );
  });

  test('added permissions broaden; removed ones do not', () => {
    const more = { ...policy, secret_permissions: ['Get', 'List', 'Set'], key_permissions: ['Get'] };
    expect(securityOf(one(TYPE, policy, existing), one(TYPE, more, existing), ID)).toEqual(
      access(
        true,
        'adds Key Vault permissions on azurerm_key_vault.kv for azurerm_user_assigned_identity.api (an existing identity): keys Get; secrets Set',
      ),
    );
    expect(
      securityOf(one(TYPE, policy, existing), one(TYPE, { ...policy, secret_permissions: ['Get'] }, existing), ID),
    ).toEqual(
      access(
        false,
        'removes Key Vault permissions on azurerm_key_vault.kv for azurerm_user_assigned_identity.api (an existing identity): secrets List',
      ),
    );
  });

  test('inline access_policy blocks of a vault: added permissions and new principals broaden', () => {
    const vault = (policies: Body[]): Resources => ({
      azurerm_key_vault: {
        kv: { name: 'kv-dev', location: 'westeurope', resource_group_name: RG, access_policy: policies },
      },
    });
    const reader = { tenant_id: 't', object_id: 'obj-1', secret_permissions: ['Get'] };
    expect(
      securityOf(
        vault([reader]),
        vault([
          { ...reader, secret_permissions: ['Get', 'Set'] },
          { tenant_id: 't', object_id: 'obj-2', key_permissions: ['Get'] },
        ]),
        'azurerm_key_vault.kv',
      ),
    ).toEqual([
      {
        kind: 'key-vault-access',
        broadened: true,
        description: 'adds Key Vault permissions for principal obj-1: secrets Set',
      },
      {
        kind: 'key-vault-access',
        broadened: true,
        description: 'grants Key Vault access to principal obj-2: keys Get',
      },
    ]);
    expect(securityOf(vault([reader]), vault([]), 'azurerm_key_vault.kv')).toEqual(
      access(false, 'no longer grants Key Vault access to principal obj-1'),
    );
  });
});

describe('container app ingress', () => {
  const TYPE = 'azurerm_container_app';
  const ID = `${TYPE}.it`;
  const app = (ingress: Body): Body => ({
    name: 'ca-dev-api',
    resource_group_name: RG,
    container_app_environment_id: 'cae',
    revision_mode: 'Single',
    ingress: { target_port: 80, traffic_weight: [{ latest_revision: true, percentage: 100 }], ...ingress },
  });
  const endpoint = (broadened: boolean, description: string): SecurityChange[] => [
    { kind: 'public-endpoint', broadened, description },
  ];

  test('a created app with external ingress broadens; an internal one is no finding', () => {
    expect(securityOf({}, one(TYPE, app({ external_enabled: true })), ID)).toEqual(
      endpoint(true, 'ingress is external: reachable from the internet'),
    );
    expect(securityOf({}, one(TYPE, app({ external_enabled: false })), ID)).toEqual([]);
  });

  test('ingress becoming external broadens; becoming internal does not', () => {
    const internal = one(TYPE, app({}));
    const external = one(TYPE, app({ external_enabled: true }));
    expect(securityOf(internal, external, ID)).toEqual(
      endpoint(true, 'ingress becomes external: reachable from the internet'),
    );
    expect(securityOf(external, internal, ID)).toEqual(
      endpoint(false, 'ingress becomes internal: no longer reachable from the internet'),
    );
  });

  test('a removed IP restriction broadens; the first Allow entry restricts, a further one widens', () => {
    const office = { name: 'office', action: 'Allow', ip_address_range: '203.0.113.0/24' };
    const home = { name: 'home', action: 'Allow', ip_address_range: '198.51.100.7/32' };
    const restricted = (entries: Body[]): Resources =>
      one(TYPE, app({ external_enabled: true, ip_security_restriction: entries }));
    expect(securityOf(restricted([office]), restricted([]), ID)).toEqual(
      endpoint(true, 'ingress IP restriction office (Allow 203.0.113.0/24) is removed'),
    );
    expect(securityOf(restricted([]), restricted([office]), ID)).toEqual(
      endpoint(false, 'ingress IP restriction office (Allow 203.0.113.0/24) is added'),
    );
    expect(securityOf(restricted([office]), restricted([office, home]), ID)).toEqual(
      endpoint(true, 'ingress IP restriction home (Allow 198.51.100.7/32) is added'),
    );
  });

  test('a change hidden by ignore_changes is no finding', () => {
    const ignored = app({ external_enabled: true });
    ignored.lifecycle = { ignore_changes: ['ingress'] };
    const diff = diffAzureEnvironment('dev', [stackOf(one(TYPE, app({})))], [stackOf(one(TYPE, ignored))], {
      newEnvironment: false,
    });
    expect(diff.changes).toEqual([]);
    expect(diff.ignored).toEqual([{ stack: 'platform-dev', id: ID, paths: ['ingress.external_enabled'] }]);
  });
});

describe('public network access', () => {
  const TYPE = 'azurerm_storage_account';
  const ID = `${TYPE}.it`;
  const account = (extra: Body): Resources =>
    one(TYPE, { name: 'stdev', location: 'westeurope', resource_group_name: RG, account_tier: 'Standard', ...extra });
  const open = (broadened: boolean, description: string): SecurityChange[] => [
    { kind: 'public-network-access', broadened, description },
  ];

  test('public_network_access_enabled becoming true broadens; false does not', () => {
    expect(
      securityOf(
        account({ public_network_access_enabled: false }),
        account({ public_network_access_enabled: true }),
        ID,
      ),
    ).toEqual(open(true, 'public network access becomes enabled (public_network_access_enabled becomes true)'));
    expect(
      securityOf(
        account({ public_network_access_enabled: true }),
        account({ public_network_access_enabled: false }),
        ID,
      ),
    ).toEqual(open(false, 'public network access becomes disabled (public_network_access_enabled becomes false)'));
  });

  test('removing public_network_access_enabled after false broadens (the default is true); setting the default is no finding', () => {
    expect(securityOf(account({ public_network_access_enabled: false }), account({}), ID)).toEqual(
      open(
        true,
        'public network access becomes enabled (public_network_access_enabled is removed: the default is true)',
      ),
    );
    expect(securityOf(account({}), account({ public_network_access_enabled: true }), ID)).toEqual([]);
  });

  test('public_network_access becoming Enabled broadens', () => {
    const APP = 'azurerm_app_configuration';
    const store = (access: string): Resources => one(APP, { name: 'appcs-dev', public_network_access: access });
    expect(securityOf(store('Disabled'), store('Enabled'), `${APP}.it`)).toEqual(
      open(true, 'public network access becomes enabled (public_network_access becomes Enabled)'),
    );
  });

  test('storage: public blobs, shared keys and a network default of Allow broaden; the opposite does not', () => {
    const closed = account({
      allow_nested_items_to_be_public: false,
      shared_access_key_enabled: false,
      network_rules: { default_action: 'Deny', bypass: ['AzureServices'] },
    });
    const opened = account({
      allow_nested_items_to_be_public: true,
      shared_access_key_enabled: true,
      network_rules: { default_action: 'Allow', bypass: ['AzureServices'] },
    });
    expect(securityOf(closed, opened, ID)).toEqual([
      {
        kind: 'public-network-access',
        broadened: true,
        description: 'containers and blobs may be made public (allow_nested_items_to_be_public becomes true)',
      },
      {
        kind: 'public-network-access',
        broadened: true,
        description: 'shared access keys authorize requests (shared_access_key_enabled becomes true)',
      },
      {
        kind: 'public-network-access',
        broadened: true,
        description: 'every network may reach it (network_rules.default_action becomes Allow)',
      },
    ]);
    expect(securityOf(opened, closed, ID).map((s) => [s.broadened, s.description])).toEqual([
      [false, 'containers and blobs may no longer be made public (allow_nested_items_to_be_public becomes false)'],
      [false, 'shared access keys no longer authorize requests (shared_access_key_enabled becomes false)'],
      [false, 'only the allowed networks may reach it (network_rules.default_action becomes Deny)'],
    ]);
  });
});

describe('public endpoints', () => {
  const pip: Resources = {
    azurerm_public_ip: {
      pip: { name: 'pip-dev', location: 'westeurope', resource_group_name: RG, allocation_method: 'Static' },
    },
  };
  const nic = (publicIp?: string): Resources => ({
    azurerm_network_interface: {
      nic: {
        name: 'nic-dev',
        location: 'westeurope',
        resource_group_name: RG,
        ip_configuration: [
          { name: 'primary', subnet_id: 's', private_ip_address_allocation: 'Dynamic', public_ip_address_id: publicIp },
        ],
      },
    },
  });

  test('a created public IP broadens; a removed one does not', () => {
    expect(securityOf({}, pip, 'azurerm_public_ip.pip')).toEqual([
      {
        kind: 'public-endpoint',
        broadened: true,
        description: 'creates public IP address pip-dev: an address the internet can reach',
      },
    ]);
    expect(securityOf(pip, {}, 'azurerm_public_ip.pip')).toEqual([
      { kind: 'public-endpoint', broadened: false, description: 'removes public IP address pip-dev' },
    ]);
  });

  test('a network interface gaining a public IP broadens; losing it does not', () => {
    const ref = '${azurerm_public_ip.pip.id}';
    expect(securityOf({ ...pip, ...nic() }, { ...pip, ...nic(ref) }, 'azurerm_network_interface.nic')).toEqual([
      {
        kind: 'public-endpoint',
        broadened: true,
        description: 'gains public IP azurerm_public_ip.pip: reachable from the internet',
      },
    ]);
    expect(securityOf({ ...pip, ...nic(ref) }, { ...pip, ...nic() }, 'azurerm_network_interface.nic')).toEqual([
      {
        kind: 'public-endpoint',
        broadened: false,
        description: 'loses public IP azurerm_public_ip.pip: no longer reachable through it',
      },
    ]);
  });
});

describe('a new environment', () => {
  test('reports no security change: nothing that exists can be broadened', () => {
    const diff = diffAzureEnvironment(
      'dev',
      [],
      [
        stackOf({
          azurerm_public_ip: { pip: { name: 'pip-dev', allocation_method: 'Static' } },
          azurerm_role_assignment: {
            ra: { principal_id: 'p', role_definition_name: 'Owner', scope: '/subscriptions/0' },
          },
        }),
      ],
      { newEnvironment: true },
    );
    expect(diff.changes.map((c) => [c.action, c.id, c.security])).toEqual([
      ['create', 'azurerm_public_ip.pip', []],
      ['create', 'azurerm_role_assignment.ra', []],
    ]);
  });
});
