import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { App, TerraformOutput, TerraformStack, Testing } from 'cdktf';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ContainerAppsEnvironment,
  renderContainerAppsEnvironmentNames,
  SendDiagnostics,
  type ContainerAppsEnvironmentProps,
} from '../../lib/azure';
import { checkName } from '../../lib/core';
import { errorOf } from '../util/fixtures';
import { readStackJson, type TfStackJson } from '../util/terraform';

const SUBNET = '/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/snet-apps';
const WORKSPACE =
  '/subscriptions/0/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/log-platform-dev-weu';
const rg = { name: 'rg-platform-dev-weu', location: 'westeurope' };

/** The attributes these tests read, as cdktf writes them. */
interface Synthesized {
  azurerm_container_app_environment: {
    readonly name: string;
    readonly location: string;
    readonly resource_group_name: string;
    readonly infrastructure_subnet_id: string;
    readonly infrastructure_resource_group_name: string;
    readonly internal_load_balancer_enabled: boolean;
    readonly zone_redundancy_enabled: boolean;
    readonly logs_destination: string;
    readonly log_analytics_workspace_id?: string;
    readonly workload_profile: { readonly name: string; readonly workload_profile_type: string }[];
  };
  azurerm_monitor_diagnostic_setting: {
    readonly name: string;
    readonly target_resource_id: string;
    readonly log_analytics_workspace_id: string;
    readonly enabled_log: { readonly category_group: string }[];
    readonly enabled_metric: { readonly category: string }[];
  };
}

function all<K extends keyof Synthesized>(tf: TfStackJson, type: K): Synthesized[K][] {
  return Object.values(tf.resource[type] ?? {}) as unknown as Synthesized[K][];
}

const props = (extra: Partial<ContainerAppsEnvironmentProps> = {}): ContainerAppsEnvironmentProps => ({
  name: 'dev',
  resourceGroup: rg,
  subnetId: SUBNET,
  workspaceId: WORKSPACE,
  ...extra,
});

/** Synthesizes a stack with one environment; `diagnostics` also applies the SendDiagnostics aspect. */
function synth(extra: Partial<ContainerAppsEnvironmentProps> = {}, diagnostics = false): TfStackJson {
  const outdir = mkdtempSync(join(tmpdir(), 'azure-cae-'));
  try {
    const app = new App({ outdir });
    const stack = new TerraformStack(app, 'env');
    new AzurermProvider(stack, 'azurerm', { features: [{}] });
    new ContainerAppsEnvironment(stack, 'container-apps', props(extra));
    if (diagnostics) SendDiagnostics.applyTo(stack, WORKSPACE);
    app.synth();
    return readStackJson(outdir, 'env');
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

describe('ContainerAppsEnvironment (Azure)', () => {
  test('a workload-profiles environment cae-platform-<env>-<location code> in the apps subnet, external, not zone redundant by default', () => {
    const [environment] = all(synth(), 'azurerm_container_app_environment');
    expect(environment).toEqual({
      '//': expect.any(Object) as unknown,
      name: 'cae-platform-dev-weu',
      location: 'westeurope',
      resource_group_name: 'rg-platform-dev-weu',
      infrastructure_subnet_id: SUBNET,
      infrastructure_resource_group_name: 'rg-platform-dev-cae-weu',
      internal_load_balancer_enabled: false,
      zone_redundancy_enabled: false,
      logs_destination: 'azure-monitor',
      workload_profile: [{ name: 'Consumption', workload_profile_type: 'Consumption' }],
    });
  });

  test('zoneRedundant spreads the environment over the zones', () => {
    const [environment] = all(synth({ zoneRedundant: true }), 'azurerm_container_app_environment');
    expect(environment!.zone_redundancy_enabled).toBe(true);
  });

  test('locationCode names the location in both names', () => {
    const [environment] = all(synth({ locationCode: 'we' }), 'azurerm_container_app_environment');
    expect([environment!.name, environment!.infrastructure_resource_group_name]).toEqual([
      'cae-platform-dev-we',
      'rg-platform-dev-cae-we',
    ]);
  });

  test('names the infrastructure resource group, so a plan never replaces the environment over a generated name', () => {
    const names = renderContainerAppsEnvironmentNames({ name: 'prod', resourceGroup: rg });
    expect(names).toEqual({
      environment: 'cae-platform-prod-weu',
      infrastructureResourceGroup: 'rg-platform-prod-cae-weu',
    });
    expect(checkName('azureContainerApp', names.environment)).toBeUndefined();
    expect(checkName('azureResourceGroup', names.infrastructureResourceGroup)).toBeUndefined();
  });

  test('logs go through Azure Monitor, never with the workspace key (the workspace refuses local authentication)', () => {
    const [environment] = all(synth(), 'azurerm_container_app_environment');
    expect(environment!.logs_destination).toBe('azure-monitor');
    expect(environment!.log_analytics_workspace_id).toBeUndefined();
  });

  test('a diagnostic setting sends all logs and metrics to the workspace', () => {
    const tf = synth();
    const [address] = Object.keys(tf.resource.azurerm_container_app_environment ?? {});
    expect(all(tf, 'azurerm_monitor_diagnostic_setting')).toEqual([
      {
        '//': expect.any(Object) as unknown,
        name: 'platform-diagnostics',
        target_resource_id: `\${azurerm_container_app_environment.${address}.id}`,
        log_analytics_workspace_id: WORKSPACE,
        enabled_log: [{ category_group: 'allLogs' }],
        enabled_metric: [{ category: 'AllMetrics' }],
      },
    ]);
  });

  test('SendDiagnostics adds no second diagnostic setting', () => {
    expect(all(synth({}, true), 'azurerm_monitor_diagnostic_setting')).toHaveLength(1);
  });

  test('exposes the environment name and the resource id', () => {
    let name = '';
    const tf = JSON.parse(
      Testing.synthScope((scope) => {
        const apps = new ContainerAppsEnvironment(scope, 'container-apps', props());
        name = apps.environment;
        new TerraformOutput(scope, 'id', { value: apps.id });
      }),
    ) as { output: Record<string, { value: string }>; resource: Record<string, Record<string, unknown>> };
    const [address] = Object.keys(tf.resource.azurerm_container_app_environment ?? {});
    expect(name).toBe('dev');
    expect(tf.output.id?.value).toBe(`\${azurerm_container_app_environment.${address}.id}`);
  });

  describe('validation', () => {
    const construct = (extra: Partial<ContainerAppsEnvironmentProps>) => () =>
      new ContainerAppsEnvironment(new TerraformStack(new App(), 'env'), 'container-apps', props(extra));

    test('refuses a subnet ID that names no subnet', () => {
      expect(construct({ subnetId: 'snet-apps' })).toThrow(
        /subnetId: "snet-apps" - a subnet resource ID \(the network's apps subnet\)/,
      );
    });

    test('refuses a workspace ID that names no Log Analytics workspace', () => {
      expect(construct({ workspaceId: 'log-platform-dev' })).toThrow(
        /workspaceId: "log-platform-dev" - a Log Analytics workspace resource ID/,
      );
    });

    test('refuses a name that is no environment name', () => {
      expect(construct({ name: 'Prod_1' })).toThrow(
        /name: "Prod_1" - an environment name: 2-12 lowercase letters, digits and single hyphens/,
      );
    });

    test('reports every problem at once, titled with the environment', () => {
      const message = errorOf(construct({ subnetId: 'x', workspaceId: 'y' })).message;
      expect(message).toMatch(/^Invalid ContainerAppsEnvironment props \(dev\) \(2 problems\):/);
    });

    test('takes IDs known only at apply time', () => {
      const stack = new TerraformStack(new App(), 'env');
      const other = new ContainerAppsEnvironment(stack, 'first', props());
      expect(
        () =>
          new ContainerAppsEnvironment(
            stack,
            'second',
            props({ name: 'stage', subnetId: other.id, workspaceId: other.id }),
          ),
      ).not.toThrow();
    });
  });
});
