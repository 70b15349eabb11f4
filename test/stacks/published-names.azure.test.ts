import { Testing } from 'cdktf';
import {
  PLATFORM_KEY_VAULT_TAG,
  PlatformEnvironment,
  PlatformStack,
  platformEnvironmentNames,
  type PlatformEnvironmentNames,
} from '../../lib/azure';
import type { ApplicationEnvironment, Environment } from '../../lib/core';
import { loadEnvironments } from '../../stacks/environments';
import { buildAzureApp, EnvironmentStack } from '../../stacks/azure';
import { temporaryFolders } from '../util/temp';

const tempDir = temporaryFolders('published-names-azure-');
const environments = loadEnvironments();

/**
 * Every name an application team's plan reads from the platform environment `prod` (PlatformEnvironment.join),
 * written out. Teams' stacks read these names: renaming or removing one fails every team's next plan, so a change
 * here is a breaking change to announce, never a fix to make the test pass.
 */
const PUBLISHED_PROD: PlatformEnvironmentNames = {
  resourceGroup: 'rg-platform-prod-weu',
  virtualNetwork: 'vnet-platform-prod-weu',
  subnets: { workloads: 'snet-workloads', data: 'snet-data', apps: 'snet-apps' },
  containerAppsEnvironment: 'cae-platform-prod-weu',
  logAnalyticsWorkspace: 'log-platform-prod-weu',
  actionGroups: { critical: 'ag-platform-prod-critical', warning: 'ag-platform-prod-warning' },
  keyVaultTag: 'platform:key-vault-id',
};

/** A resource block of the platform's cdk.tf.json. */
type Block = Readonly<Record<string, unknown>> & { readonly tags?: Readonly<Record<string, string>> };

interface PlatformJson {
  readonly resource: Readonly<Record<string, Readonly<Record<string, Block>>>>;
}

interface TeamJson {
  readonly data: Readonly<Record<string, Readonly<Record<string, Block>>>>;
}

// The platform's own stacks, synthesized here (Azure only), so that this test reads what the foundation creates now.
const app = buildAzureApp({ environments, outdir: tempDir() });
const platformJson: Readonly<Record<string, PlatformJson>> = Object.fromEntries(
  app.node.children
    .filter((c): c is EnvironmentStack => c instanceof EnvironmentStack)
    .map((stack) => [stack.node.id.replace(/^platform-/, ''), JSON.parse(Testing.synth(stack)) as PlatformJson]),
);

/** The `name` of every resource of a type in a platform stack, sorted. */
function namesOf(tf: PlatformJson, type: string): unknown[] {
  return Object.values(tf.resource[type] ?? {})
    .map((r) => r.name)
    .sort();
}

/** The application environment a team declares to join a platform environment on Azure. */
function joining(env: Environment): ApplicationEnvironment {
  return {
    name: env.name,
    tier: env.tier,
    azure: { location: env.azure.location, locationCode: env.azure.locationCode },
  };
}

test('the names join reads are the published ones, letter for letter', () => {
  expect(platformEnvironmentNames({ name: 'prod', locationCode: 'weu' })).toEqual(PUBLISHED_PROD);
  expect(PLATFORM_KEY_VAULT_TAG).toBe(PUBLISHED_PROD.keyVaultTag);
});

describe.each(environments.map((env) => [env.name, env] as const))('platform-%s', (name, env) => {
  const names = platformEnvironmentNames({ name: env.name, locationCode: env.azure.locationCode });

  test('creates every part under the name join reads', () => {
    const tf = platformJson[name]!;
    const hasWorkloads = env.services.length + env.jobs.length > 0;
    expect({
      resourceGroup: namesOf(tf, 'azurerm_resource_group'),
      virtualNetwork: namesOf(tf, 'azurerm_virtual_network'),
      subnets: namesOf(tf, 'azurerm_subnet'),
      containerAppsEnvironment: namesOf(tf, 'azurerm_container_app_environment'),
      logAnalyticsWorkspace: namesOf(tf, 'azurerm_log_analytics_workspace'),
      actionGroups: namesOf(tf, 'azurerm_monitor_action_group'),
    }).toEqual({
      resourceGroup: [names.resourceGroup],
      virtualNetwork: [names.virtualNetwork],
      subnets: Object.values(names.subnets).sort(),
      containerAppsEnvironment: hasWorkloads ? [names.containerAppsEnvironment] : [],
      logAnalyticsWorkspace: [names.logAnalyticsWorkspace],
      actionGroups: Object.values(names.actionGroups).sort(),
    });
  });

  test('its subnets are in its virtual network, and its parts in its resource group', () => {
    const tf = platformJson[name]!;
    const [vnetAddress] = Object.keys(tf.resource.azurerm_virtual_network ?? {});
    const [groupAddress] = Object.keys(tf.resource.azurerm_resource_group ?? {});
    const group = `\${azurerm_resource_group.${groupAddress}.name}`;
    for (const subnet of Object.values(tf.resource.azurerm_subnet ?? {})) {
      expect([subnet.virtual_network_name, subnet.resource_group_name]).toEqual([
        `\${azurerm_virtual_network.${vnetAddress}.name}`,
        group,
      ]);
    }
    for (const type of [
      'azurerm_virtual_network',
      'azurerm_container_app_environment',
      'azurerm_log_analytics_workspace',
      'azurerm_monitor_action_group',
    ]) {
      for (const block of Object.values(tf.resource[type] ?? {}))
        expect([type, block.resource_group_name]).toEqual([type, group]);
    }
  });

  test('publishes its Key Vault on the resource group tag join reads', () => {
    const [group] = Object.values(platformJson[name]!.resource.azurerm_resource_group ?? {});
    expect(group?.tags?.[PLATFORM_KEY_VAULT_TAG]).toBe(env.azure.keyVaultId);
  });

  test('a team joining it reads exactly those names', () => {
    const stack = new PlatformStack(Testing.app({ outdir: tempDir() }), 'team', {
      tier: 'development',
    });
    const platform = PlatformEnvironment.join(stack, 'platform', { spec: joining(env) });
    void platform.containerAppsEnvironmentId;
    const tf = JSON.parse(Testing.synth(stack)) as TeamJson;
    const read = (type: string): unknown[] =>
      Object.values(tf.data[type] ?? {})
        .map((d) => d.name)
        .sort();
    expect({
      resourceGroup: read('azurerm_resource_group'),
      virtualNetwork: read('azurerm_virtual_network'),
      subnets: read('azurerm_subnet'),
      containerAppsEnvironment: read('azurerm_container_app_environment'),
      logAnalyticsWorkspace: read('azurerm_log_analytics_workspace'),
      actionGroups: read('azurerm_monitor_action_group'),
    }).toEqual({
      resourceGroup: namesOf(platformJson[name]!, 'azurerm_resource_group'),
      virtualNetwork: namesOf(platformJson[name]!, 'azurerm_virtual_network'),
      subnets: namesOf(platformJson[name]!, 'azurerm_subnet'),
      containerAppsEnvironment: namesOf(platformJson[name]!, 'azurerm_container_app_environment'),
      logAnalyticsWorkspace: namesOf(platformJson[name]!, 'azurerm_log_analytics_workspace'),
      actionGroups: namesOf(platformJson[name]!, 'azurerm_monitor_action_group'),
    });
  });
});
