import * as rg from '@cdktf/provider-azurerm/lib/resource-group';
import { Testing } from 'cdktf';
import { diffAzureEnvironment, PREVENT_DESTROY_GONE_NOTE, PREVENT_DESTROY_NOTE } from '../../lib/review/azure-diff';
import { normalizeAttributePath, referencedAddresses } from '../../lib/review/azure-paths';
import type { DraftChange, EnvironmentDiff } from '../../lib/review/model';
import type { SynthesizedStack } from '../../lib/review/outputs';

type Body = Record<string, unknown>;
type Resources = Record<string, Record<string, Body>>;

const STACK = 'platform-dev';

function stackOf(json: unknown, stack = STACK): SynthesizedStack {
  return { cloud: 'azure', environment: 'dev', stack, file: `${stack}/cdk.tf.json`, bytes: 0, json: json as Body };
}

/** Reviews one stack of dev; undefined on a side means the stack is not there. */
function review(base: Body | undefined, head: Body | undefined, newEnvironment = false): EnvironmentDiff {
  return diffAzureEnvironment('dev', base ? [stackOf(base)] : [], head ? [stackOf(head)] : [], { newEnvironment });
}

function changeOf(diff: EnvironmentDiff, id: string): DraftChange {
  const found = diff.changes.find((c) => c.id === id);
  if (found === undefined) throw new Error(`no change of ${id}; changes: ${diff.changes.map((c) => c.id).join(', ')}`);
  return found;
}

function actions(diff: EnvironmentDiff): string[] {
  return diff.changes.map((c) => `${c.action} ${c.id}`);
}

/** A deep copy with edits applied, so one base serves many heads. */
function edited<T>(value: T, edit: (copy: T) => void): T {
  const copy = structuredClone(value);
  edit(copy);
  return copy;
}

const RG = '${azurerm_resource_group.rg.name}';

function resourceGroup(extra: Body = {}): Body {
  return { name: 'rg-platform-dev-weu', location: 'westeurope', ...extra };
}

function vm(extra: Body = {}): Body {
  return {
    name: 'vm-web-1',
    location: 'westeurope',
    resource_group_name: RG,
    size: 'Standard_B2s',
    admin_username: 'platform',
    admin_ssh_key: [{ username: 'platform', public_key: 'ssh-ed25519 AAAA one' }],
    network_interface_ids: ['${azurerm_network_interface.nic.id}'],
    os_disk: { caching: 'ReadWrite', name: 'vm-web-1-osdisk', storage_account_type: 'Premium_LRS' },
    source_image_reference: { publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: 'latest' },
    tags: { environment: 'dev' },
    ...extra,
  };
}

function containerApp(extra: Body = {}): Body {
  return {
    name: 'ca-dev-api',
    resource_group_name: RG,
    container_app_environment_id: '${azurerm_container_app_environment.cae.id}',
    revision_mode: 'Single',
    secret: [
      { name: 'a', key_vault_secret_id: 'https://kv/secrets/a', identity: 'System' },
      { name: 'b', key_vault_secret_id: 'https://kv/secrets/b', identity: 'System' },
    ],
    template: {
      container: [
        {
          name: 'api',
          image: 'httpd:2.4',
          cpu: 0.5,
          memory: '1Gi',
          env: [
            { name: 'A', value: '1' },
            { name: 'B', value: '2' },
          ],
        },
      ],
      min_replicas: 1,
      max_replicas: 2,
    },
    ...extra,
  };
}

function storage(extra: Body = {}): Body {
  return {
    name: 'stplatformdev',
    location: 'westeurope',
    resource_group_name: RG,
    account_tier: 'Standard',
    account_replication_type: 'LRS',
    ...extra,
  };
}

describe('stack status', () => {
  test('a stack only in the head is added and each of its resources is created, with no properties', () => {
    const diff = review(undefined, { resource: { azurerm_resource_group: { rg: resourceGroup() } } });
    expect(diff.stacks).toEqual([{ stack: STACK, status: 'added' }]);
    expect(diff.changes).toEqual([
      {
        stack: STACK,
        id: 'azurerm_resource_group.rg',
        type: 'azurerm_resource_group',
        action: 'create',
        stateful: true,
        dataLoss: false,
        properties: [],
        security: [],
        notes: [],
      },
    ]);
  });

  test('a stack only in the base is removed and each of its resources is destroyed', () => {
    const diff = review({ resource: { azurerm_user_assigned_identity: { id: { name: 'id-api' } } } }, undefined);
    expect(diff.stacks).toEqual([{ stack: STACK, status: 'removed' }]);
    expect(actions(diff)).toEqual(['destroy azurerm_user_assigned_identity.id']);
  });

  test('a stack reviewed against itself is unchanged', () => {
    const json = { resource: { azurerm_resource_group: { rg: resourceGroup() } } };
    const diff = review(json, json);
    expect(diff.stacks).toEqual([{ stack: STACK, status: 'unchanged' }]);
    expect(diff.changes).toEqual([]);
  });

  test('"//" comments at any depth, depends_on and lifecycle are no change', () => {
    const base = { resource: { azurerm_linux_virtual_machine: { web: vm() } } };
    const head = edited(base, (h) => {
      const body = h.resource.azurerm_linux_virtual_machine.web;
      body['//'] = { metadata: { path: 'platform-dev/servers/web/VirtualMachine-1' } };
      (body.os_disk as Body)['//'] = 'a comment inside a block';
      body.depends_on = ['azurerm_network_interface.nic'];
      body.lifecycle = { prevent_destroy: true };
    });
    const diff = review({ ...base, '//': { metadata: { version: '0.20.0' } } }, { ...head, '//': { metadata: {} } });
    expect(diff.stacks).toEqual([{ stack: STACK, status: 'unchanged' }]);
    expect(diff.changes).toEqual([]);
    expect(diff.templateChanges).toEqual([]);
  });

  test('stacks are compared by name; changes sort by stack, then address', () => {
    const a = { resource: { azurerm_user_assigned_identity: { b: { name: 'b' }, a: { name: 'a' } } } };
    const diff = diffAzureEnvironment('dev', [], [stackOf(a, 'platform-dev-z'), stackOf(a, 'platform-dev-a')], {
      newEnvironment: true,
    });
    expect(diff.stacks.map((s) => s.stack)).toEqual(['platform-dev-a', 'platform-dev-z']);
    expect(diff.changes.map((c) => `${c.stack} ${c.id}`)).toEqual([
      'platform-dev-a azurerm_user_assigned_identity.a',
      'platform-dev-a azurerm_user_assigned_identity.b',
      'platform-dev-z azurerm_user_assigned_identity.a',
      'platform-dev-z azurerm_user_assigned_identity.b',
    ]);
  });

  test('the construct path comes from the head, else from the base', () => {
    const comment = (path: string): Body => ({ '//': { metadata: { path } } });
    const base = {
      resource: {
        azurerm_user_assigned_identity: {
          kept: { name: 'kept', ...comment('platform-dev/old/kept') },
          gone: { name: 'gone', ...comment('platform-dev/gone') },
        },
      },
    };
    const head = {
      resource: { azurerm_user_assigned_identity: { kept: { name: 'kept2', ...comment('platform-dev/new/kept') } } },
    };
    const diff = review(base, head);
    expect(diff.changes.map((c) => [c.id, c.path])).toEqual([
      ['azurerm_user_assigned_identity.gone', 'platform-dev/gone'],
      ['azurerm_user_assigned_identity.kept', 'platform-dev/new/kept'],
    ]);
  });
});

describe('attribute diff', () => {
  test('a changed attribute is an update at its dot-joined path, list indices dropped', () => {
    const base = { resource: { azurerm_container_app: { api: containerApp() } } };
    const head = edited(base, (h) => {
      ((h.resource.azurerm_container_app.api.template as Body).container as Body[])[0]!.image = 'httpd:2.5';
    });
    const change = changeOf(review(base, head), 'azurerm_container_app.api');
    expect(change.action).toBe('update');
    expect(change.properties).toEqual([
      { path: 'template.container.image', replacement: 'never', before: 'httpd:2.4', after: 'httpd:2.5' },
    ]);
  });

  test('a block written as an object equals the same block in a one-element list', () => {
    const base = { resource: { azurerm_linux_virtual_machine: { web: vm() } } };
    const head = edited(base, (h) => {
      const body = h.resource.azurerm_linux_virtual_machine.web;
      body.os_disk = [body.os_disk];
      body.source_image_reference = [body.source_image_reference];
    });
    expect(review(base, head).changes).toEqual([]);
  });

  test('null and an empty list mean "not set"; a number equals its string', () => {
    const base = { resource: { azurerm_container_app: { api: containerApp({ workload_profile_name: null }) } } };
    const head = edited(base, (h) => {
      const body = h.resource.azurerm_container_app.api;
      delete body.workload_profile_name;
      body.ingress = [];
      ((body.template as Body).container as Body[])[0]!.cpu = '0.5';
    });
    expect(review(base, head).changes).toEqual([]);
  });

  test('a reordered set is no change; a reordered list is', () => {
    const base = { resource: { azurerm_container_app: { api: containerApp() } } };
    const head = edited(base, (h) => {
      const body = h.resource.azurerm_container_app.api;
      (body.secret as Body[]).reverse();
      ((((body.template as Body).container as Body[])[0]!.env as Body[]) ?? []).reverse();
    });
    expect(changeOf(review(base, head), 'azurerm_container_app.api').properties).toEqual([
      { path: 'template.container.env.name', replacement: 'never', before: 'A', after: 'B' },
      { path: 'template.container.env.name', replacement: 'never', before: 'B', after: 'A' },
      { path: 'template.container.env.value', replacement: 'never', before: '1', after: '2' },
      { path: 'template.container.env.value', replacement: 'never', before: '2', after: '1' },
    ]);
  });

  test('a changed set element pairs with the element of the same name', () => {
    const base = { resource: { azurerm_container_app: { api: containerApp() } } };
    const head = edited(base, (h) => {
      const secrets = h.resource.azurerm_container_app.api.secret as Body[];
      secrets[1]!.key_vault_secret_id = 'https://kv/secrets/b2';
      secrets.reverse();
    });
    expect(changeOf(review(base, head), 'azurerm_container_app.api').properties).toEqual([
      {
        path: 'secret.key_vault_secret_id',
        replacement: 'never',
        before: 'https://kv/secrets/b',
        after: 'https://kv/secrets/b2',
      },
    ]);
  });

  test('a block that appears or disappears as a whole is one change at the block path', () => {
    const scale = { name: 'http', concurrent_requests: '50' };
    const base = { resource: { azurerm_container_app: { api: containerApp() } } };
    const head = edited(base, (h) => {
      (h.resource.azurerm_container_app.api.template as Body).http_scale_rule = [scale];
    });
    expect(changeOf(review(base, head), 'azurerm_container_app.api').properties).toEqual([
      { path: 'template.http_scale_rule', replacement: 'never', after: scale },
    ]);
    expect(changeOf(review(head, base), 'azurerm_container_app.api').properties).toEqual([
      { path: 'template.http_scale_rule', replacement: 'never', before: scale },
    ]);
  });
});

describe('replacement', () => {
  const base = { resource: { azurerm_linux_virtual_machine: { web: vm() } } };
  const replaceOf = (edit: (body: Body) => void): DraftChange =>
    changeOf(
      review(
        base,
        edited(base, (h) => edit(h.resource.azurerm_linux_virtual_machine.web)),
      ),
      'azurerm_linux_virtual_machine.web',
    );

  test('a changed ForceNew attribute replaces the resource', () => {
    const change = replaceOf((b) => (b.name = 'vm-web-2'));
    expect(change.action).toBe('replace');
    expect(change.properties).toEqual([{ path: 'name', replacement: 'always', before: 'vm-web-1', after: 'vm-web-2' }]);
  });

  test('a changed attribute that is not ForceNew updates in place', () => {
    const change = replaceOf((b) => (b.size = 'Standard_D2s_v5'));
    expect([change.action, change.properties]).toEqual([
      'update',
      [{ path: 'size', replacement: 'never', before: 'Standard_B2s', after: 'Standard_D2s_v5' }],
    ]);
  });

  test('os_disk.name is ForceNew inside its block', () => {
    const change = replaceOf((b) => ((b.os_disk as Body).name = 'other-osdisk'));
    expect([change.action, change.properties]).toEqual([
      'replace',
      [{ path: 'os_disk.name', replacement: 'always', before: 'vm-web-1-osdisk', after: 'other-osdisk' }],
    ]);
  });

  test('source_image_reference.version is ForceNew', () => {
    const change = replaceOf((b) => ((b.source_image_reference as Body).version = '24.04.202501010'));
    expect(change.action).toBe('replace');
    expect(change.properties.map((p) => [p.path, p.replacement])).toEqual([
      ['source_image_reference.version', 'always'],
    ]);
  });

  test('a listed block covers its children: admin_ssh_key covers admin_ssh_key.public_key', () => {
    const change = replaceOf((b) => ((b.admin_ssh_key as Body[])[0]!.public_key = 'ssh-ed25519 BBBB two'));
    expect(change.action).toBe('replace');
    expect(change.properties).toEqual([
      {
        path: 'admin_ssh_key.public_key',
        replacement: 'always',
        before: 'ssh-ed25519 AAAA one',
        after: 'ssh-ed25519 BBBB two',
      },
    ]);
  });

  test('a listed block that disappears as a whole replaces', () => {
    const change = replaceOf((b) => {
      delete b.source_image_reference;
      b.source_image_id = '/subscriptions/0/images/golden';
    });
    expect(change.properties.map((p) => [p.path, p.replacement])).toEqual([
      ['source_image_id', 'always'],
      ['source_image_reference', 'always'],
    ]);
  });

  test('a block that appears replaces when a listed child of it changes, not otherwise', () => {
    const withoutDisk = edited(base, (b) => delete b.resource.azurerm_linux_virtual_machine.web.os_disk);
    const headWith = (disk: Body): Body =>
      edited(withoutDisk, (h) => (h.resource.azurerm_linux_virtual_machine.web.os_disk = disk));
    const named = changeOf(
      review(withoutDisk, headWith({ caching: 'ReadWrite', name: 'd1' })),
      'azurerm_linux_virtual_machine.web',
    );
    const unnamed = changeOf(
      review(withoutDisk, headWith({ caching: 'ReadWrite' })),
      'azurerm_linux_virtual_machine.web',
    );
    expect([named.action, named.properties]).toEqual([
      'replace',
      [{ path: 'os_disk', replacement: 'always', after: { caching: 'ReadWrite', name: 'd1' } }],
    ]);
    expect([unnamed.action, unnamed.properties]).toEqual([
      'update',
      [{ path: 'os_disk', replacement: 'never', after: { caching: 'ReadWrite' } }],
    ]);
  });
});

describe('replacement by reference', () => {
  const network: Resources = {
    azurerm_resource_group: { rg: resourceGroup() },
    azurerm_virtual_network: {
      vnet: { name: 'vnet-dev', location: 'westeurope', resource_group_name: RG, address_space: ['10.0.0.0/16'] },
    },
    azurerm_subnet: {
      apps: {
        name: 'snet-apps',
        resource_group_name: RG,
        virtual_network_name: '${azurerm_virtual_network.vnet.name}',
        address_prefixes: ['10.0.1.0/24'],
      },
    },
    azurerm_network_interface: {
      nic: {
        name: 'nic-web-1',
        location: 'westeurope',
        resource_group_name: 'rg-fixed',
        ip_configuration: [
          { name: 'primary', subnet_id: '${azurerm_subnet.apps.id}', private_ip_address_allocation: 'Dynamic' },
        ],
      },
    },
  };
  const renamedGroup = edited(network, (h) => (h.azurerm_resource_group!.rg!.name = 'rg-platform-dev-neu'));
  const diff = review({ resource: network }, { resource: renamedGroup });

  test('a ForceNew attribute referencing a replaced resource may replace, transitively', () => {
    expect(actions(diff)).toEqual([
      'update azurerm_network_interface.nic',
      'replace azurerm_resource_group.rg',
      'may-replace azurerm_subnet.apps',
      'may-replace azurerm_virtual_network.vnet',
    ]);
    expect(changeOf(diff, 'azurerm_virtual_network.vnet').properties).toEqual([
      {
        path: 'resource_group_name',
        replacement: 'maybe',
        before: RG,
        after: RG,
        cause: 'references azurerm_resource_group.rg, which is replaced',
      },
    ]);
    expect(changeOf(diff, 'azurerm_subnet.apps').properties.map((p) => [p.path, p.replacement, p.cause])).toEqual([
      ['resource_group_name', 'maybe', 'references azurerm_resource_group.rg, which is replaced'],
      ['virtual_network_name', 'maybe', 'references azurerm_virtual_network.vnet, which may be replaced'],
    ]);
  });

  test('an attribute that is not ForceNew referencing a replaced resource is an update with the cause', () => {
    expect(changeOf(diff, 'azurerm_network_interface.nic').properties).toEqual([
      {
        path: 'ip_configuration.subnet_id',
        replacement: 'never',
        before: '${azurerm_subnet.apps.id}',
        after: '${azurerm_subnet.apps.id}',
        cause: 'references azurerm_subnet.apps, which may be replaced',
      },
    ]);
  });

  test('references are read anywhere inside an interpolation; a data source is not read as a resource', () => {
    expect(
      referencedAddresses(
        'x-${element(azurerm_subnet.apps.*.id, 0)}-${data.azurerm_client_config.current.tenant_id}${var.a.b}',
      ),
    ).toEqual(['azurerm_subnet.apps', 'data.azurerm_client_config', 'var.a']);
    expect(referencedAddresses('${azurerm_subnet.network_Subnet-apps_78D6C6EB.id}')).toEqual([
      'azurerm_subnet.network_Subnet-apps_78D6C6EB',
    ]);
  });
});

describe('moved blocks', () => {
  const group = { name: 'rg-platform-dev-weu', location: 'westeurope' };
  const base = {
    resource: {
      azurerm_resource_group: { old: group },
      azurerm_user_assigned_identity: {
        id: { name: 'id-api', location: 'westeurope', resource_group_name: '${azurerm_resource_group.old.name}' },
      },
    },
  };
  const identity = {
    id: { name: 'id-api', location: 'westeurope', resource_group_name: '${azurerm_resource_group.new.name}' },
  };

  function headFrom(build: (scope: Parameters<Parameters<typeof Testing.synthScope>[0]>[0]) => void): Body {
    const json = JSON.parse(Testing.synthScope(build)) as Body;
    (json.resource as Resources).azurerm_user_assigned_identity = identity;
    return json;
  }

  const expected = {
    stack: STACK,
    id: 'azurerm_resource_group.new',
    type: 'azurerm_resource_group',
    action: 'update',
    stateful: true,
    dataLoss: false,
    properties: [],
    security: [],
    notes: ['moved from azurerm_resource_group.old'],
  };

  test('moveFromId: the rename is an update of the new address with a note, and references follow it', () => {
    const head = headFrom((s) => new rg.ResourceGroup(s, 'new', group).moveFromId('azurerm_resource_group.old'));
    expect(head.moved).toEqual([{ from: 'azurerm_resource_group.old', to: 'azurerm_resource_group.new' }]);
    expect(review(base, head).changes).toEqual([expected]);
  });

  test('moveToId: the old resource leaves the output and the move is the same update', () => {
    const head = headFrom((s) => {
      new rg.ResourceGroup(s, 'old', group).moveToId('azurerm_resource_group.new');
      new rg.ResourceGroup(s, 'new', group);
    });
    expect(Object.keys((head.resource as Resources).azurerm_resource_group!)).toEqual(['new']);
    expect(review(base, head).changes).toEqual([expected]);
  });

  test("cdktf's HCL form ({ value }), an indexed target and a chain of moves are read too", () => {
    const head = {
      moved: [
        { from: { value: 'azurerm_resource_group.old' }, to: { value: 'azurerm_resource_group.mid[0]' } },
        { from: 'azurerm_resource_group.mid', to: 'azurerm_resource_group.new' },
      ],
      resource: {
        azurerm_resource_group: { new: { ...group, name: 'rg-other' } },
        azurerm_user_assigned_identity: identity,
      },
    };
    const diff = review(base, head);
    expect(actions(diff)).toEqual([
      'replace azurerm_resource_group.new',
      'may-replace azurerm_user_assigned_identity.id',
    ]);
    expect(changeOf(diff, 'azurerm_resource_group.new').notes).toEqual(['moved from azurerm_resource_group.old']);
  });

  test('a move whose source is still declared cannot plan: a blocker', () => {
    const head = {
      moved: [{ from: 'azurerm_resource_group.old', to: 'azurerm_resource_group.new' }],
      resource: { azurerm_resource_group: { old: group, new: group }, azurerm_user_assigned_identity: identity },
    };
    expect(review(base, head).blockers).toEqual([
      {
        stack: STACK,
        id: 'azurerm_resource_group.old',
        message:
          "A moved block moves azurerm_resource_group.old to azurerm_resource_group.new, but azurerm_resource_group.old is still in the configuration: terraform plan fails with 'Moved object still exists'. Remove azurerm_resource_group.old (cdktf: moveToId/moveTo removes it) or the moved block.",
      },
    ]);
  });

  test('without a moved block a rename destroys the old address and creates the new one', () => {
    const head = { resource: { azurerm_resource_group: { new: group }, azurerm_user_assigned_identity: identity } };
    expect(actions(review(base, head))).toEqual([
      'create azurerm_resource_group.new',
      'destroy azurerm_resource_group.old',
      'replace azurerm_user_assigned_identity.id',
    ]);
  });
});

describe('lifecycle', () => {
  test('ignore_changes marks a change ignored and keeps it from counting toward the action', () => {
    const base = { resource: { azurerm_linux_virtual_machine: { web: vm() } } };
    const head = edited(base, (h) => {
      const body = h.resource.azurerm_linux_virtual_machine.web;
      (body.admin_ssh_key as Body[])[0]!.public_key = 'ssh-ed25519 BBBB two';
      body.tags = { environment: 'dev', owner: 'platform' };
      body.lifecycle = { ignore_changes: ['admin_ssh_key', 'os_disk[0].caching'] };
    });
    const diff = review(base, head);
    expect(changeOf(diff, 'azurerm_linux_virtual_machine.web').action).toBe('update');
    expect(changeOf(diff, 'azurerm_linux_virtual_machine.web').properties).toEqual([
      {
        path: 'admin_ssh_key.public_key',
        replacement: 'always',
        before: 'ssh-ed25519 AAAA one',
        after: 'ssh-ed25519 BBBB two',
        ignored: true,
      },
      { path: 'tags.owner', replacement: 'never', after: 'platform' },
    ]);
    expect(diff.ignored).toEqual([]);
  });

  test('a resource whose only changes are ignored is no change but is listed as ignored', () => {
    const base = { resource: { azurerm_linux_virtual_machine: { web: vm() } } };
    const head = edited(base, (h) => {
      const body = h.resource.azurerm_linux_virtual_machine.web;
      body.custom_data = 'I2Nsb3VkLWNvbmZpZw==';
      body.zone = '2';
      body.lifecycle = { ignore_changes: 'all' };
    });
    const diff = review(base, head);
    expect(diff.changes).toEqual([]);
    expect(diff.ignored).toEqual([
      { stack: STACK, id: 'azurerm_linux_virtual_machine.web', paths: ['custom_data', 'zone'] },
    ]);
    expect(diff.stacks).toEqual([{ stack: STACK, status: 'unchanged' }]);
    expect(normalizeAttributePath('tags["owner"]')).toBe('tags.owner');
  });

  test('prevent_destroy on a replaced resource: a note on the change and a blocker for the stack', () => {
    const base = { resource: { azurerm_linux_virtual_machine: { web: vm({ lifecycle: { prevent_destroy: true } }) } } };
    const head = edited(base, (h) => ((h.resource.azurerm_linux_virtual_machine.web.os_disk as Body).name = 'other'));
    const diff = review(base, head);
    expect(changeOf(diff, 'azurerm_linux_virtual_machine.web').notes).toEqual([PREVENT_DESTROY_NOTE]);
    expect(diff.blockers).toEqual([
      {
        stack: STACK,
        id: 'azurerm_linux_virtual_machine.web',
        message:
          "azurerm_linux_virtual_machine.web must be replaced (os_disk.name), but lifecycle.prevent_destroy is set: terraform apply fails with 'Instance cannot be destroyed' and nothing in platform-dev deploys. Undo the change, or lift prevent_destroy, which loses the data.",
      },
    ]);
  });

  test('prevent_destroy on a resource that may be replaced: the blocker says so', () => {
    const base = {
      resource: {
        azurerm_resource_group: { rg: resourceGroup() },
        azurerm_linux_virtual_machine: { web: vm({ lifecycle: { prevent_destroy: true } }) },
      },
    };
    const head = edited(base, (h) => (h.resource.azurerm_resource_group.rg.name = 'rg-platform-dev-2'));
    expect(review(base, head).blockers).toEqual([
      {
        stack: STACK,
        id: 'azurerm_linux_virtual_machine.web',
        message:
          "azurerm_linux_virtual_machine.web may be replaced (resource_group_name references a replaced resource), but lifecycle.prevent_destroy is set: if it is, terraform apply fails with 'Instance cannot be destroyed' and nothing in platform-dev deploys. Undo the change, or lift prevent_destroy, which loses the data.",
      },
    ]);
  });

  test('an ignored attribute that references a replaced resource neither replaces nor passes it on', () => {
    const base = {
      resource: {
        azurerm_resource_group: { rg: resourceGroup() },
        azurerm_linux_virtual_machine: { web: vm({ lifecycle: { ignore_changes: ['resource_group_name'] } }) },
        azurerm_virtual_machine_extension: {
          agent: { name: 'agent', virtual_machine_id: '${azurerm_linux_virtual_machine.web.id}', publisher: 'p' },
        },
      },
    };
    const head = edited(base, (h) => (h.resource.azurerm_resource_group.rg.name = 'rg-platform-dev-2'));
    const diff = review(base, head);
    expect(actions(diff)).toEqual(['replace azurerm_resource_group.rg']);
    expect(diff.ignored).toEqual([
      { stack: STACK, id: 'azurerm_linux_virtual_machine.web', paths: ['resource_group_name'] },
    ]);
  });

  test('a removed resource that had prevent_destroy in the base: the protection left with it', () => {
    const base = {
      resource: { azurerm_resource_group: { rg: resourceGroup({ lifecycle: { prevent_destroy: true } }) } },
    };
    const diff = review(base, { resource: {} });
    expect(changeOf(diff, 'azurerm_resource_group.rg').notes).toEqual([PREVENT_DESTROY_GONE_NOTE]);
    expect(diff.blockers).toEqual([]);
  });

  test('create_before_destroy on a replaced resource: a note, and the name collision when the name stays', () => {
    const base = {
      resource: { azurerm_resource_group: { rg: resourceGroup({ lifecycle: { create_before_destroy: true } }) } },
    };
    const moved = edited(base, (h) => (h.resource.azurerm_resource_group.rg.location = 'northeurope'));
    const renamed = edited(base, (h) => (h.resource.azurerm_resource_group.rg.name = 'rg-platform-dev-2'));
    expect(changeOf(review(base, moved), 'azurerm_resource_group.rg').notes).toEqual([
      'lifecycle.create_before_destroy is set: the new one is created before the old one is destroyed; its name rg-platform-dev-weu does not change, so creating it fails while the old one still holds the name',
    ]);
    expect(changeOf(review(base, renamed), 'azurerm_resource_group.rg').notes).toEqual([
      'lifecycle.create_before_destroy is set: the new one is created before the old one is destroyed',
    ]);
  });
});

describe('data loss', () => {
  const base = {
    resource: {
      azurerm_resource_group: { rg: resourceGroup() },
      azurerm_storage_account: { logs: storage() },
      azurerm_storage_container: {
        c: { name: 'tfstate', storage_account_id: '${azurerm_storage_account.logs.id}' },
      },
      azurerm_user_assigned_identity: { id: { name: 'id-api', location: 'westeurope', resource_group_name: 'rg-x' } },
    },
  };

  test('replacing and maybe replacing stateful resources lose what they hold, in words', () => {
    const head = edited(base, (h) => (h.resource.azurerm_resource_group.rg.location = 'northeurope'));
    const diff = review(base, head);
    expect(diff.changes.map((c) => [c.action, c.id, c.dataLoss, c.consequence])).toEqual([
      [
        'replace',
        'azurerm_resource_group.rg',
        true,
        'Replaces the resource group rg-platform-dev-weu of dev with a new, empty one: every resource in it is lost.',
      ],
      [
        'may-replace',
        'azurerm_storage_account.logs',
        true,
        'May replace the storage account stplatformdev of dev with a new, empty one: every blob, file, queue and table in it is lost.',
      ],
      ['update', 'azurerm_storage_container.c', false, undefined],
    ]);
  });

  test('destroying a stateful resource deletes what it holds; a stateless one loses nothing', () => {
    const diff = review(base, { resource: {} });
    expect(diff.changes.map((c) => [c.action, c.id, c.stateful, c.dataLoss, c.consequence])).toEqual([
      [
        'destroy',
        'azurerm_resource_group.rg',
        true,
        true,
        'Deletes the resource group rg-platform-dev-weu of dev and every resource in it.',
      ],
      [
        'destroy',
        'azurerm_storage_account.logs',
        true,
        true,
        'Deletes the storage account stplatformdev of dev and every blob, file, queue and table in it.',
      ],
      [
        'destroy',
        'azurerm_storage_container.c',
        true,
        true,
        'Deletes the storage container tfstate of dev and every blob in it.',
      ],
      ['destroy', 'azurerm_user_assigned_identity.id', false, false, undefined],
    ]);
  });

  test('a name that is an expression is not a name: the address stands in', () => {
    const named = { resource: { azurerm_storage_account: { logs: storage({ name: '${var.name}' }) } } };
    expect(changeOf(review(named, { resource: {} }), 'azurerm_storage_account.logs').consequence).toBe(
      'Deletes the storage account azurerm_storage_account.logs of dev and every blob, file, queue and table in it.',
    );
  });

  test('a removed block with destroy = false forgets the resource instead: an orphan, nothing lost', () => {
    const head = { resource: {}, removed: [{ from: 'azurerm_storage_account.logs', lifecycle: { destroy: false } }] };
    const change = changeOf(
      review({ resource: { azurerm_storage_account: { logs: storage() } } }, head),
      'azurerm_storage_account.logs',
    );
    expect([change.action, change.dataLoss, change.consequence, change.notes]).toEqual([
      'orphan',
      false,
      'Keeps the storage account stplatformdev of dev (retained) with its data, outside the stack: it is no longer managed; delete it or import it again by hand.',
      ['a removed block with lifecycle.destroy = false: Terraform forgets it without destroying it'],
    ]);
  });

  test('an import block: the created resource adopts an existing one', () => {
    const head = {
      resource: { azurerm_resource_group: { rg: resourceGroup() } },
      import: [{ to: 'azurerm_resource_group.rg', id: '/subscriptions/0/resourceGroups/rg-platform-dev-weu' }],
    };
    const diff = review({ resource: {} }, head);
    expect(changeOf(diff, 'azurerm_resource_group.rg').notes).toEqual([
      'imported from /subscriptions/0/resourceGroups/rg-platform-dev-weu: Terraform adopts the existing resource rather than creating an empty one',
    ]);
    expect(diff.templateChanges).toEqual([]);
  });
});

describe('acknowledgements', () => {
  test('are indexed per side: the resource\'s own "//" block, and the stack\'s by the address it names; malformed ones are ignored', () => {
    const ack = { risk: 'data-loss', reason: 'the logs are copied to the new account first' };
    const head = {
      '//': {
        'platform:review': [
          { resource: 'azurerm_storage_account.old', risk: 'data-loss', reason: 'emptied and no longer used' },
          { risk: 'security', reason: 'no resource named here' },
          { resource: 'azurerm_storage_account.old', risk: 'everything', reason: 'an unknown risk' },
        ],
      },
      resource: {
        azurerm_storage_account: {
          logs: storage({ '//': { 'platform:review': [ack, { risk: 'security', reason: 'short' }, 'not an object'] } }),
        },
      },
    };
    const base = {
      resource: { azurerm_storage_account: { logs: storage({ '//': { 'platform:review': 'not a list' } }) } },
    };
    const diff = review(base, head);
    expect(diff.headAcknowledgements).toEqual(
      new Map([
        [
          STACK,
          new Map([
            ['azurerm_storage_account.logs', [{ ...ack, on: 'resource' }]],
            [
              'azurerm_storage_account.old',
              [
                {
                  resource: 'azurerm_storage_account.old',
                  risk: 'data-loss',
                  reason: 'emptied and no longer used',
                  on: 'stack',
                },
              ],
            ],
          ]),
        ],
      ]),
    );
    expect(diff.baseAcknowledgements).toEqual(new Map());
    expect(diff.changes).toEqual([]);
  });
});

describe('template changes', () => {
  const base = {
    resource: {},
    terraform: {
      backend: { local: { path: 'terraform.platform-dev.tfstate' } },
      required_providers: { azurerm: { source: 'hashicorp/azurerm', version: '4.55.0' } },
    },
    provider: { azurerm: [{ features: [{}] }] },
    output: { vault: { value: 'a' }, gone: { value: 'b' } },
    data: { azurerm_client_config: { current: {} } },
  };

  test('entries outside resource are keyed per entry: created, updated, destroyed', () => {
    const head = {
      ...base,
      terraform: {
        ...base.terraform,
        required_providers: { azurerm: { source: 'hashicorp/azurerm', version: '4.56.0' } },
      },
      provider: { azurerm: [{ features: [{}], subscription_id: '0000' }] },
      output: { vault: { value: 'a', '//': 'a comment' }, added: { value: 'c' } },
      data: { azurerm_client_config: { current: {} }, azurerm_subscription: { primary: {} } },
      locals: { prefix: 'platform' },
    };
    const diff = review(base, head);
    expect(diff.templateChanges).toEqual([
      { stack: STACK, section: 'data', id: 'azurerm_subscription.primary', action: 'create' },
      { stack: STACK, section: 'locals', id: 'prefix', action: 'create' },
      { stack: STACK, section: 'output', id: 'added', action: 'create' },
      { stack: STACK, section: 'output', id: 'gone', action: 'destroy' },
      { stack: STACK, section: 'provider', id: 'azurerm', action: 'update' },
      { stack: STACK, section: 'terraform', id: 'required_providers', action: 'update' },
    ]);
    expect(diff.stacks).toEqual([{ stack: STACK, status: 'changed' }]);
    expect(diff.blockers).toEqual([]);
  });

  test('a changed backend is a blocker: the state has to be migrated first', () => {
    const head = edited(base, (h) => {
      (h.terraform as Body).backend = { azurerm: { key: 'platform-dev.tfstate', container_name: 'tfstate' } };
    });
    const diff = review(base, head);
    expect(diff.templateChanges).toEqual([{ stack: STACK, section: 'terraform', id: 'backend', action: 'update' }]);
    expect(diff.blockers).toEqual([
      {
        stack: STACK,
        message:
          'The Terraform backend changes (local becomes azurerm): the state moves, so run terraform init -migrate-state before the next apply, or Terraform finds an empty state and plans to create every resource anew (and fails on those that exist).',
      },
    ]);
  });

  test('a new stack has no backend to migrate', () => {
    expect(review(undefined, base).blockers).toEqual([]);
  });
});

describe('malformed input', () => {
  const cases: [string, unknown, string][] = [
    ['not an object', 'text', 'the Terraform JSON is a string ("text"), not an object'],
    ['resource a list', { resource: [] }, '"resource" is a list, not an object of resource types'],
    [
      'a type not an object',
      { resource: { azurerm_x: 1 } },
      'resource.azurerm_x is a number (1), not an object of resources',
    ],
    ['a body not an object', { resource: { azurerm_x: { a: null } } }, 'resource azurerm_x.a is null, not an object'],
    [
      'ignore_changes a number',
      { resource: { azurerm_x: { a: { lifecycle: { ignore_changes: 3 } } } } },
      'resource azurerm_x.a: lifecycle.ignore_changes is a number (3); use a list of paths or "all"',
    ],
    [
      'moved without from',
      { resource: {}, moved: [{ to: 'azurerm_x.a' }] },
      'moved[0].from is missing, not a resource address <type>.<name>',
    ],
    ['output a string', { output: 'x' }, '"output" is a string ("x"), not an object or a list of objects'],
  ];
  test.each(cases)('%s: an Error names the stack, the side and the problem', (_, json, message) => {
    expect(() => review({ resource: {} }, json as Body)).toThrow(
      new Error(`Azure review: stack platform-dev (head): ${message}`),
    );
  });

  test('a stack twice on one side is an error', () => {
    expect(() => diffAzureEnvironment('dev', [stackOf({}), stackOf({})], [], { newEnvironment: false })).toThrow(
      new Error('Azure review of dev: stack platform-dev appears twice on the base side'),
    );
  });
});
