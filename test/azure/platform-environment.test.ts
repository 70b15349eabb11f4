import { TerraformOutput, TerraformStack, Testing } from 'cdktf';
import {
  PLATFORM_KEY_VAULT_TAG,
  PlatformEnvironment,
  PlatformStack,
  platformEnvironmentNames,
  type IPlatformEnvironment,
  type JoinPlatformEnvironmentProps,
} from '../../lib/azure';
import { defineApplication, SpecError, type ApplicationEnvironment } from '../../lib/core';
import { errorOf } from '../util/fixtures';
import { temporaryFolders } from '../util/temp';

const tempDir = temporaryFolders('platform-environment-');

/** A data source or resource block as cdk.tf.json writes it. */
type Block = Readonly<Record<string, unknown>> & {
  readonly lifecycle?: {
    readonly precondition?: readonly { condition: string; error_message: string }[];
    readonly postcondition?: readonly { condition: string; error_message: string }[];
  };
};

/** The parts of a team stack's JSON these tests read. */
interface TeamJson {
  readonly data: Readonly<Record<string, Readonly<Record<string, Block>>>>;
  readonly resource?: Readonly<Record<string, Readonly<Record<string, Block>>>>;
}

const payments = defineApplication({
  name: 'payments',
  environment: { name: 'dev', tier: 'development', azure: { location: 'westeurope' } },
  tags: { owner: 'payments-team' },
});

function joinAndSynth(
  use: (platform: IPlatformEnvironment) => void = () => undefined,
  props: Partial<JoinPlatformEnvironmentProps> = {},
): TeamJson {
  const stack = new PlatformStack(Testing.app({ outdir: tempDir() }), 'payments-dev', { tier: 'development' });
  use(PlatformEnvironment.join(stack, 'platform', { spec: payments.environment, ...props }));
  return JSON.parse(Testing.synth(stack)) as TeamJson;
}

/** The one block of a type, failing unless there is exactly one. */
function only(blocks: Readonly<Record<string, Block>> | undefined): [string, Block] {
  const entries = Object.entries(blocks ?? {});
  expect(entries).toHaveLength(1);
  return entries[0]!;
}

describe('PlatformEnvironment.join', () => {
  const tf = joinAndSynth();
  const [groupId] = only(tf.data.azurerm_resource_group);
  const groupName = `\${data.azurerm_resource_group.${groupId}.name}`;

  test('reads the resource group by its name and checks its location at plan time', () => {
    const [, group] = only(tf.data.azurerm_resource_group);
    expect(group.name).toBe('rg-platform-dev-weu');
    expect(group.lifecycle?.postcondition).toEqual([
      {
        condition: '${(self.location == "westeurope")}',
        error_message: expect.stringMatching(
          /^The platform environment dev is in the location of its resource group rg-platform-dev-weu, not westeurope/,
        ) as string,
      },
    ]);
  });

  test('reads the virtual network and each subnet by name, in the resource group', () => {
    const [vnetId, vnet] = only(tf.data.azurerm_virtual_network);
    expect(vnet).toMatchObject({ name: 'vnet-platform-dev-weu', resource_group_name: groupName });
    expect(
      Object.values(tf.data.azurerm_subnet ?? {})
        .map((s) => [s.name, s.virtual_network_name, s.resource_group_name])
        .sort(),
    ).toEqual(
      ['snet-apps', 'snet-data', 'snet-workloads'].map((name) => [
        name,
        `\${data.azurerm_virtual_network.${vnetId}.name}`,
        groupName,
      ]),
    );
  });

  test('reads the Log Analytics workspace and the action group of each severity by name', () => {
    expect(only(tf.data.azurerm_log_analytics_workspace)[1]).toMatchObject({
      name: 'log-platform-dev-weu',
      resource_group_name: groupName,
    });
    expect(
      Object.values(tf.data.azurerm_monitor_action_group ?? {}).map((g) => [g.name, g.resource_group_name]),
    ).toEqual([
      ['ag-platform-dev-critical', groupName],
      ['ag-platform-dev-warning', groupName],
    ]);
  });

  test('reads exactly the names the platform publishes, nothing else, and never remote state', () => {
    const names = platformEnvironmentNames({ name: 'dev', locationCode: 'weu' });
    const full = joinAndSynth((platform) => {
      expect([platform.containerAppsEnvironmentId, platform.keyVault.keyVaultId]).toEqual([
        expect.stringMatching(/^\$\{TfToken/),
        expect.stringMatching(/^\$\{TfToken/),
      ]);
    });
    const read = Object.fromEntries(
      Object.entries(full.data).map(([type, blocks]) => [
        type,
        Object.values(blocks)
          .map((b) => b.name)
          .sort(),
      ]),
    );
    expect(read).toEqual({
      azurerm_container_app_environment: [names.containerAppsEnvironment],
      azurerm_key_vault: [expect.stringContaining(`tags["${PLATFORM_KEY_VAULT_TAG}"]`)],
      azurerm_log_analytics_workspace: [names.logAnalyticsWorkspace],
      azurerm_monitor_action_group: [names.actionGroups.critical, names.actionGroups.warning],
      azurerm_resource_group: [names.resourceGroup],
      azurerm_subnet: Object.values(names.subnets).sort(),
      azurerm_virtual_network: [names.virtualNetwork],
    });
    expect(JSON.stringify(full)).not.toMatch(/remote_state/);
    expect(full.resource ?? {}).toEqual({});
  });

  test('the Container Apps environment and the Key Vault are read only when used', () => {
    expect(Object.keys(tf.data).sort()).toEqual([
      'azurerm_log_analytics_workspace',
      'azurerm_monitor_action_group',
      'azurerm_resource_group',
      'azurerm_subnet',
      'azurerm_virtual_network',
    ]);
  });

  test('exposes the network as the platform Network does: the virtual network and a subnet ID per role', () => {
    const roles: string[] = [];
    const json = joinAndSynth((platform) => {
      const stack = TerraformStack.of(platform);
      new TerraformOutput(stack, 'vnet', { value: platform.network.virtualNetworkId });
      for (const [role, id] of Object.entries(platform.network.subnetIds)) {
        roles.push(role);
        new TerraformOutput(stack, `subnet-${role}`, { value: id });
      }
    }) as TeamJson & { readonly output: Readonly<Record<string, { readonly value: string }>> };
    expect(roles).toEqual(['workloads', 'data', 'apps']);
    const [vnetId] = only(json.data.azurerm_virtual_network);
    expect(json.output.vnet?.value).toBe(`\${data.azurerm_virtual_network.${vnetId}.id}`);
    const subnets = json.data.azurerm_subnet ?? {};
    for (const role of roles) {
      const id = Object.keys(subnets).find((key) => subnets[key]!.name === `snet-${role}`)!;
      expect(json.output[`subnet-${role}`]?.value).toBe(`\${data.azurerm_subnet.${id}.id}`);
    }
  });

  test('the Key Vault is the one the resource group tag names, refused at plan time when there is none', () => {
    const json = joinAndSynth((platform) => platform.keyVault);
    const [, vault] = only(json.data.azurerm_key_vault);
    const tag = `data.azurerm_resource_group.${groupId}.tags["${PLATFORM_KEY_VAULT_TAG}"]`;
    expect([vault.name, vault.resource_group_name]).toEqual([
      `\${element(split("/", ${tag}), 8)}`,
      `\${element(split("/", ${tag}), 4)}`,
    ]);
    expect(vault.lifecycle?.precondition).toEqual([
      {
        condition: `\${contains(keys(data.azurerm_resource_group.${groupId}.tags), "${PLATFORM_KEY_VAULT_TAG}")}`,
        error_message: expect.stringMatching(/^The platform environment dev names no Key Vault/) as string,
      },
    ]);
  });

  test('alerts created through its monitoring are named as the platform names them and notify its action groups', () => {
    const json = joinAndSynth((platform) => {
      platform.monitoring.addMetricAlert(platform, 'services/payments-api/cpu', {
        scopes: ['/subscriptions/0/resourceGroups/rg/providers/Microsoft.App/containerApps/ca'],
        metricNamespace: 'Microsoft.App/containerApps',
        metricName: 'UsageNanoCores',
        aggregation: 'Average',
        operator: 'GreaterThan',
        threshold: 80,
        windowMinutes: 5,
        severity: 'critical',
        description: () => 'CPU use of the app is above 80 percent.',
        firstResponse: 'Look at it.',
      });
    });
    const [, alert] = only(json.resource?.azurerm_monitor_metric_alert);
    const critical = Object.entries(json.data.azurerm_monitor_action_group ?? {}).find(
      ([, g]) => g.name === 'ag-platform-dev-critical',
    )![0];
    expect(alert).toMatchObject({
      name: 'platform-dev-services.payments-api.cpu',
      resource_group_name: groupName,
      action: [{ action_group_id: `\${data.azurerm_monitor_action_group.${critical}.id}` }],
    });
  });

  test('applies the alarm tuning it is given to alerts created through its monitoring', () => {
    const json = joinAndSynth(
      (platform) => {
        platform.monitoring.addMetricAlert(platform, 'services/payments-api/cpu', {
          scopes: ['/subscriptions/0/resourceGroups/rg/providers/Microsoft.App/containerApps/ca'],
          metricNamespace: 'Microsoft.App/containerApps',
          metricName: 'UsageNanoCores',
          aggregation: 'Average',
          operator: 'GreaterThan',
          threshold: 80,
          windowMinutes: 5,
          severity: 'critical',
          description: () => 'CPU use of the app is above 80 percent.',
          firstResponse: 'Look at it.',
        });
      },
      { monitoring: { alarms: { 'services/payments-api/cpu': { threshold: 95 } } } },
    );
    expect(only(json.resource?.azurerm_monitor_metric_alert)[1]).toMatchObject({
      criteria: [expect.objectContaining({ threshold: 95 })],
    });
  });

  test('exposes the environment, tier, location code and names it joined', () => {
    joinAndSynth((platform) => {
      expect([platform.environment, platform.tier, platform.locationCode]).toEqual(['dev', 'development', 'weu']);
      expect(platform.names).toEqual(platformEnvironmentNames({ name: 'dev', locationCode: 'weu' }));
    });
  });

  test('refuses an application environment without Azure, saying what to declare', () => {
    const withoutAzure: ApplicationEnvironment = {
      name: 'dev',
      tier: 'development',
      aws: { account: '111111111111', region: 'eu-west-1', availabilityZones: ['eu-west-1a', 'eu-west-1b'] },
    };
    const stack = new PlatformStack(Testing.app({ outdir: tempDir() }), 'payments-dev', { tier: 'development' });
    const error = errorOf(() => PlatformEnvironment.join(stack, 'platform', { spec: withoutAzure }));
    expect(error).toBeInstanceOf(SpecError);
    expect(error.message).toMatch(/Invalid PlatformEnvironment\.join props \(payments-dev\/platform\)/);
    expect(error.message).toMatch(
      /props\.spec\.azure: \(missing\) - the Azure location of the platform environment dev: declare environment\.azure \(\{ location \}\)/,
    );
  });

  test('refuses props of the wrong kind', () => {
    const stack = new PlatformStack(Testing.app({ outdir: tempDir() }), 'payments-dev', { tier: 'development' });
    const error = errorOf(() =>
      PlatformEnvironment.join(stack, 'platform', { spec: 'dev' } as unknown as JoinPlatformEnvironmentProps),
    );
    expect(error.message).toMatch(/props\.spec: "dev" - the environment the application joins/);
  });
});
