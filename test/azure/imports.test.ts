import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ContainerAppsEnvironment,
  ContainerService,
  KeyVault,
  Monitoring,
  Network,
  ScheduledJob,
  Server,
  type MonitoringAttributes,
  type NetworkAttributes,
} from '../../lib/azure';
import { defineEnvironment, type Environment } from '../../lib/core';
import { devInput, errorOf } from '../util/fixtures';
import { readStackJson, type TfStackJson } from '../util/terraform';

const SUBSCRIPTION = '/subscriptions/00000000-0000-0000-0000-000000000000';
const VNET = `${SUBSCRIPTION}/resourceGroups/rg-shared-network/providers/Microsoft.Network/virtualNetworks/vnet-shared`;
const WORKSPACE = `${SUBSCRIPTION}/resourceGroups/rg-shared-monitoring/providers/Microsoft.OperationalInsights/workspaces/log-shared`;
const CRITICAL = `${SUBSCRIPTION}/resourceGroups/rg-shared-monitoring/providers/microsoft.insights/actionGroups/ag-shared-critical`;
const WARNING = `${SUBSCRIPTION}/resourceGroups/rg-shared-monitoring/providers/microsoft.insights/actionGroups/ag-shared-warning`;
const KEY_VAULT = `${SUBSCRIPTION}/resourceGroups/rg-secrets/providers/Microsoft.KeyVault/vaults/KV-Shared`;
const CAE_ID = `${SUBSCRIPTION}/resourceGroups/rg-team/providers/Microsoft.App/managedEnvironments/cae-team`;
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq1Hbr4i1J9wY0l3hZ6pYc3c2hQ5JbW8B9m3v3kq5p0 break-glass';
const rg = { name: 'rg-team-dev', location: 'westeurope' };

const networkAttributes: NetworkAttributes = {
  virtualNetworkId: VNET,
  subnetIds: {
    workloads: `${VNET}/subnets/snet-vms`,
    data: `${VNET}/subnets/snet-data`,
    apps: `${VNET}/subnets/snet-apps`,
  },
};

const monitoringAttributes: MonitoringAttributes = {
  environment: 'dev',
  workspaceId: WORKSPACE,
  actionGroupIds: { critical: CRITICAL, warning: WARNING },
  resourceGroup: rg,
};

/** A development environment with one server, one service with a secret and one job. */
function environment(): Environment {
  const base = devInput();
  return defineEnvironment({
    ...base,
    azure: { ...base.azure, adminSshPublicKey: KEY, keyVaultId: KEY_VAULT },
    servers: [{ name: 'web', size: 'small' }],
    services: [
      {
        name: 'api',
        image: 'public.ecr.aws/nginx/nginx:1.27',
        cpu: 0.5,
        memoryGiB: 1,
        port: 80,
        secrets: { DB: 'db-password' },
      },
    ],
    jobs: [
      {
        name: 'report',
        image: 'public.ecr.aws/nginx/nginx:1.27',
        cpu: 0.5,
        memoryGiB: 1,
        schedule: { rateMinutes: 60 },
        secrets: { DB: 'db-password' },
      },
    ],
  });
}

/** Synthesizes what `build` adds to a stack (aspects and validations run, as in cdktf synth). */
function synth(build: (stack: Construct) => void): TfStackJson {
  const outdir = mkdtempSync(join(tmpdir(), 'azure-imports-'));
  try {
    const app = new App({ outdir });
    const stack = new TerraformStack(app, 'env');
    new AzurermProvider(stack, 'azurerm', { features: [{}] });
    build(stack);
    app.synth();
    return readStackJson(outdir, 'env');
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The blocks of one resource type. */
function all(tf: TfStackJson, type: string): Record<string, unknown>[] {
  return Object.values(tf.resource[type] ?? {});
}

describe('Network.fromNetworkAttributes', () => {
  test('servers and the Container Apps environment go into the subnets of an imported network', () => {
    const env = environment();
    const tf = synth((stack) => {
      const network = Network.fromNetworkAttributes(networkAttributes);
      new Server(stack, 'web', {
        spec: env.servers[0]!,
        environment: env.name,
        resourceGroup: rg,
        subnetId: network.subnetIds.workloads,
        zones: 2,
        adminSshPublicKey: KEY,
      });
      new ContainerAppsEnvironment(stack, 'apps', {
        name: env.name,
        resourceGroup: rg,
        subnetId: network.subnetIds.apps,
        workspaceId: WORKSPACE,
      });
    });
    expect(all(tf, 'azurerm_network_interface').map((nic) => nic.ip_configuration)).toEqual([
      [{ name: 'primary', subnet_id: `${VNET}/subnets/snet-vms`, private_ip_address_allocation: 'Dynamic' }],
    ]);
    expect(all(tf, 'azurerm_container_app_environment').map((cae) => cae.infrastructure_subnet_id)).toEqual([
      `${VNET}/subnets/snet-apps`,
    ]);
    // Nothing of the network is created: it is someone else's.
    expect(all(tf, 'azurerm_virtual_network')).toEqual([]);
    expect(all(tf, 'azurerm_subnet')).toEqual([]);
  });

  test('the network the library creates offers its subnets the same way', () => {
    const env = environment();
    const tf = synth((stack) => {
      const network = new Network(stack, 'network', { spec: env.network, name: env.name, resourceGroup: rg });
      new TerraformOutput(stack, 'vnet', { value: network.virtualNetworkId });
      for (const [role, id] of Object.entries(network.subnetIds)) new TerraformOutput(stack, role, { value: id });
    });
    const outputs = Object.fromEntries(
      Object.entries((tf as unknown as { output: Record<string, { value: string }> }).output).map(([k, v]) => [
        k,
        v.value,
      ]),
    );
    expect(outputs).toEqual({
      vnet: '${azurerm_virtual_network.network_39EEAA36.id}',
      workloads: '${azurerm_subnet.network_Subnet-workloads_3C1BDBDE.id}',
      data: '${azurerm_subnet.network_Subnet-data_BBDA4313.id}',
      apps: '${azurerm_subnet.network_Subnet-apps_78D6C6EB.id}',
    });
  });

  test('an ID that is no virtual network is refused', () => {
    expect(() => Network.fromNetworkAttributes({ ...networkAttributes, virtualNetworkId: 'vnet-shared' })).toThrow(
      /virtualNetworkId: "vnet-shared" - a virtual network resource ID/,
    );
  });

  test('a subnet of another virtual network is refused, naming the role', () => {
    const other = `${SUBSCRIPTION}/resourceGroups/rg-other/providers/Microsoft.Network/virtualNetworks/vnet-other/subnets/snet-apps`;
    expect(() =>
      Network.fromNetworkAttributes({
        ...networkAttributes,
        subnetIds: { ...networkAttributes.subnetIds, apps: other },
      }),
    ).toThrow(/subnetIds\.apps: .* - a subnet resource ID in the virtual network \(.*\/vnet-shared\/subnets\/<name>\)/);
  });

  test('every problem is reported at once', () => {
    const message = errorOf(() =>
      Network.fromNetworkAttributes({
        virtualNetworkId: 'vnet',
        subnetIds: { workloads: 'snet-vms', data: `${VNET}/subnets/snet-data`, apps: 'snet-apps' },
      }),
    ).message;
    expect(message).toMatch(/^Invalid network attributes \(3 problems\):/);
    for (const path of ['virtualNetworkId', 'subnetIds.workloads', 'subnetIds.apps']) {
      expect(message).toContain(`  - ${path}: `);
    }
  });
});

describe('Monitoring.fromMonitoringAttributes', () => {
  test("a network's alerts notify the imported action groups, and no monitoring resource is created", () => {
    const env = environment();
    const tf = synth((stack) => {
      const monitoring = Monitoring.fromMonitoringAttributes(stack, 'monitoring', monitoringAttributes);
      new Network(stack, 'network', { spec: env.network, name: env.name, resourceGroup: rg, monitoring });
    });
    expect(
      all(tf, 'azurerm_monitor_metric_alert')
        .map((alert) => [alert.name, alert.resource_group_name, alert.action])
        .sort(),
    ).toEqual([
      ['platform-dev-network.nat.packets-dropped', 'rg-team-dev', [{ action_group_id: WARNING }]],
      ['platform-dev-network.nat.port-allocation-errors', 'rg-team-dev', [{ action_group_id: CRITICAL }]],
    ]);
    for (const type of [
      'azurerm_monitor_action_group',
      'azurerm_log_analytics_workspace',
      'azurerm_application_insights_workbook',
    ]) {
      expect([type, all(tf, type)]).toEqual([type, []]);
    }
  });

  test("a job's failure alert queries the imported workspace, and a container service sends its metrics there", () => {
    const env = environment();
    const tf = synth((stack) => {
      const monitoring = Monitoring.fromMonitoringAttributes(stack, 'monitoring', monitoringAttributes);
      const keyVault = KeyVault.fromKeyVaultId(KEY_VAULT);
      const workload = {
        environment: env.name,
        resourceGroup: rg,
        containerAppsEnvironmentId: CAE_ID,
        monitoring,
        keyVault,
      };
      new ScheduledJob(stack, 'report', { ...workload, spec: env.jobs[0]! });
      new ContainerService(stack, 'api', { ...workload, spec: env.services[0]! });
    });
    const [failed] = all(tf, 'azurerm_monitor_scheduled_query_rules_alert_v2').filter(
      (alert) => alert.name === 'platform-dev-job.report.failed',
    );
    expect(failed).toMatchObject({
      scopes: [WORKSPACE],
      location: 'westeurope',
      action: { action_groups: [CRITICAL] },
    });
    expect(all(tf, 'azurerm_monitor_diagnostic_setting').map((s) => s.log_analytics_workspace_id)).toEqual([WORKSPACE]);
  });

  test('saved searches go into the imported workspace; workbook sections are dropped', () => {
    const tf = synth((stack) => {
      const monitoring = Monitoring.fromMonitoringAttributes(stack, 'monitoring', monitoringAttributes);
      monitoring.addSavedSearch('errors', 'AppTraces | where SeverityLevel >= 3');
      monitoring.addWorkbookItems('Team', { type: 'text', markdown: 'ignored' });
    });
    expect(all(tf, 'azurerm_log_analytics_saved_search')).toEqual([
      expect.objectContaining({
        name: 'platform-errors',
        category: 'platform',
        display_name: 'errors',
        log_analytics_workspace_id: WORKSPACE,
        query: 'AppTraces | where SeverityLevel >= 3',
      }),
    ]);
    expect(all(tf, 'azurerm_application_insights_workbook')).toEqual([]);
  });

  test('the alarm overrides given apply, and one that names no alert fails synthesis', () => {
    const env = environment();
    const tf = synth((stack) => {
      const monitoring = Monitoring.fromMonitoringAttributes(stack, 'monitoring', {
        ...monitoringAttributes,
        alarms: { 'network/nat/packets-dropped': { enabled: false, reason: 'The shared hub watches packet drops' } },
      });
      new Network(stack, 'network', { spec: env.network, name: env.name, resourceGroup: rg, monitoring });
    });
    expect(all(tf, 'azurerm_monitor_metric_alert').map((alert) => alert.name)).toEqual([
      'platform-dev-network.nat.port-allocation-errors',
    ]);
    expect(() =>
      synth((stack) => {
        Monitoring.fromMonitoringAttributes(stack, 'monitoring', {
          ...monitoringAttributes,
          alarms: { 'network/nat/typo': { threshold: 5 } },
        });
      }),
    ).toThrow(/monitoring\.alarms\.network\/nat\/typo: no alarm has this id/);
  });

  test('IDs that are no workspace or action group are refused, all at once', () => {
    const message = errorOf(() =>
      synth((stack) => {
        Monitoring.fromMonitoringAttributes(stack, 'monitoring', {
          ...monitoringAttributes,
          workspaceId: 'log-shared',
          actionGroupIds: { critical: CRITICAL, warning: 'ag-shared-warning' },
        });
      }),
    ).message;
    expect(message).toMatch(/^Invalid monitoring attributes \(dev\) \(2 problems\):/);
    expect(message).toContain('  - workspaceId: "log-shared" - a Log Analytics workspace resource ID');
    expect(message).toContain('  - actionGroupIds.warning: "ag-shared-warning" - an action group resource ID');
  });
});

describe('KeyVault.fromKeyVaultId', () => {
  test('the vault URI is the lowercased name under vault.azure.net', () => {
    expect(KeyVault.fromKeyVaultId(KEY_VAULT)).toEqual({
      keyVaultId: KEY_VAULT,
      vaultUri: 'https://kv-shared.vault.azure.net',
    });
  });

  test('a service and a job given an imported vault read their secrets from it with their identities', () => {
    const env = environment();
    const tf = synth((stack) => {
      const keyVault = KeyVault.fromKeyVaultId(KEY_VAULT);
      const workload = { environment: env.name, resourceGroup: rg, containerAppsEnvironmentId: CAE_ID, keyVault };
      new ContainerService(stack, 'api', { ...workload, spec: env.services[0]! });
      new ScheduledJob(stack, 'report', { ...workload, spec: env.jobs[0]! });
    });
    expect(all(tf, 'azurerm_role_assignment').map((r) => [r.scope, r.role_definition_name])).toEqual([
      [KEY_VAULT, 'Key Vault Secrets User'],
      [KEY_VAULT, 'Key Vault Secrets User'],
    ]);
    const secretsOf = (type: string): unknown[] =>
      all(tf, type).flatMap((w) => (w.secret as { key_vault_secret_id: string }[]).map((s) => s.key_vault_secret_id));
    expect(secretsOf('azurerm_container_app')).toEqual(['https://kv-shared.vault.azure.net/secrets/db-password']);
    expect(secretsOf('azurerm_container_app_job')).toEqual(['https://kv-shared.vault.azure.net/secrets/db-password']);
  });

  test('an ID that is no Key Vault is refused', () => {
    expect(() => KeyVault.fromKeyVaultId('kv-shared')).toThrow(
      /keyVaultId: "kv-shared" - a Key Vault resource ID: \/subscriptions\/<id>\/resourceGroups\/<group>\/providers\/Microsoft\.KeyVault\/vaults\/<name>/,
    );
  });

  test('a vault name too long for Key Vault is refused', () => {
    expect(() =>
      KeyVault.fromKeyVaultId(
        `${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/${'k'.repeat(25)}`,
      ),
    ).toThrow(/Invalid Key Vault \(1 problem\)/);
  });
});
