import * as cae from '@cdktf/provider-azurerm/lib/container-app-environment';
import * as diagnosticSetting from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { checkProps, ENVIRONMENT_NAME_PATTERN, IssueCollector, makeName, PLATFORM_PREFIX } from '../core';
import { ENVIRONMENT_PROP, LOCATION_CODE_PROP, pathUnder, RESOURCE_GROUP_PROP } from './construct-props';
import { DIAGNOSTIC_SETTING_NAME } from './diagnostics';
import type { IResourceGroup } from './interfaces';
import { locationCodeOf } from './location';

/** Props of {@link ContainerAppsEnvironment}. */
export interface ContainerAppsEnvironmentProps {
  /** The environment name; it goes into the resource names (`cae-platform-<name>-<location code>`). */
  readonly name: string;
  /** The resource group to create the environment in; its location is the environment's. */
  readonly resourceGroup: IResourceGroup;
  /**
   * Short code of the location used in names.
   * @default - the code of the resource group's location in AZURE_LOCATIONS
   */
  readonly locationCode?: string;
  /** The subnet the environment's replicas run in: the network's `apps` subnet, delegated to Microsoft.App/environments. */
  readonly subnetId: string;
  /** The Log Analytics workspace the apps' console and system logs and the environment's metrics go to. */
  readonly workspaceId: string;
  /**
   * Spread the environment's replicas over the region's availability zones: the network spec's `zoneRedundant`
   * (on for production tiers). Chosen at creation: changing it replaces the environment and every app in it.
   * @default false
   */
  readonly zoneRedundant?: boolean;
}

/** The only workload profile: Consumption (billed per use, up to 4 vCPU and 8 GiB per replica). */
export const CONSUMPTION_WORKLOAD_PROFILE = 'Consumption';

/** The names of everything the environment creates. */
export interface ContainerAppsEnvironmentNames {
  /** The managed environment: `cae-platform-<env>-<location code>`. */
  readonly environment: string;
  /**
   * The resource group Azure creates for the environment's load balancer and public IP:
   * `rg-platform-<env>-cae-<location code>`. It must not exist beforehand.
   */
  readonly infrastructureResourceGroup: string;
}

/** Names the environment's resources, within Azure's limits; pure. */
export function renderContainerAppsEnvironmentNames(
  props: Pick<ContainerAppsEnvironmentProps, 'name' | 'resourceGroup' | 'locationCode'>,
): ContainerAppsEnvironmentNames {
  const code = props.locationCode ?? locationCodeOf(props.resourceGroup.location);
  const loc = code === undefined ? [] : [code];
  return {
    // A managed environment takes 2-60 lowercase letters, digits and hyphens, starting with a letter: the
    // container app rule (2-32, the same characters) is the nearest one named, and shorter.
    environment: makeName('azureContainerApp', ['cae', PLATFORM_PREFIX, props.name, ...loc]),
    infrastructureResourceGroup: makeName('azureResourceGroup', ['rg', PLATFORM_PREFIX, props.name, 'cae', ...loc]),
  };
}

/** Maps the props to the provider's managed environment config; pure. */
export function renderContainerAppsEnvironmentConfig(
  props: ContainerAppsEnvironmentProps,
  names: ContainerAppsEnvironmentNames = renderContainerAppsEnvironmentNames(props),
): cae.ContainerAppEnvironmentConfig {
  return {
    name: names.environment,
    location: props.resourceGroup.location,
    resourceGroupName: props.resourceGroup.name,
    // ForceNew: a change of subnet, load balancer mode, zone redundancy or infrastructure resource group
    // replaces the environment and, with it, every app in it.
    infrastructureSubnetId: props.subnetId,
    // External: an app with `external_enabled` is reachable from the Internet; any other app only from inside
    // the environment (ContainerService maps `public` to that).
    internalLoadBalancerEnabled: false,
    zoneRedundancyEnabled: props.zoneRedundant ?? false,
    // A workload-profiles environment is the kind that takes a delegated subnet (a Consumption-only one needs
    // an undelegated /23); Consumption is its only profile.
    workloadProfile: [{ name: CONSUMPTION_WORKLOAD_PROFILE, workloadProfileType: CONSUMPTION_WORKLOAD_PROFILE }],
    // With a subnet and a workload profile Azure creates this group itself; left out, azurerm 4.x reads back the
    // generated name on the next plan and, the attribute being ForceNew, would replace the environment
    // (hashicorp/terraform-provider-azurerm#28727). Naming it keeps every plan empty.
    infrastructureResourceGroupName: names.infrastructureResourceGroup,
    // Logs through Azure Monitor (the diagnostic setting below): the `log-analytics` destination sends them with
    // the workspace's shared key, which the library's workspace refuses (local authentication is off).
    logsDestination: 'azure-monitor',
  };
}

/**
 * The environment's Container Apps environment (one per environment): a workload-profiles managed environment
 * (profile Consumption) in the network's `apps` subnet, with an external load balancer, its logs and metrics sent
 * to the environment's workspace.
 *
 * The load balancer is external so that an app can be public; an app whose ingress has `external_enabled = false`
 * gets no public endpoint and is reachable only from the other apps of the same environment (through its
 * internal FQDN, `<app>.internal.<default domain>`), never from the rest of the virtual network or the Internet.
 *
 * Logs go through Azure Monitor: a diagnostic setting sends console and system logs (the `ContainerAppConsoleLogs`
 * and `ContainerAppSystemLogs` tables) and metrics to the workspace. It carries the id `SendDiagnostics` would
 * give it, so that aspect does not add a second one.
 *
 * @example
 * const apps = new ContainerAppsEnvironment(stack, 'container-apps', {
 *   name: env.name, resourceGroup: rg, subnetId: network.subnets.apps.id, workspaceId: monitoring.workspaceId,
 *   zoneRedundant: env.network.zoneRedundant,
 * });
 */
export class ContainerAppsEnvironment extends Construct {
  /** The environment name (`prod`). */
  public readonly environment: string;
  /** The managed environment. */
  public readonly resource: cae.ContainerAppEnvironment;
  /** The diagnostic setting sending its logs and metrics to the workspace. */
  public readonly diagnosticSetting: diagnosticSetting.MonitorDiagnosticSetting;
  /** The names of what it creates. */
  public readonly names: ContainerAppsEnvironmentNames;

  constructor(scope: Construct, id: string, props: ContainerAppsEnvironmentProps) {
    checkProps('ContainerAppsEnvironment', pathUnder(scope, id), props, {
      name: ENVIRONMENT_PROP,
      resourceGroup: RESOURCE_GROUP_PROP,
      locationCode: LOCATION_CODE_PROP,
      subnetId: {
        kind: 'string',
        allowed: 'the ID of the subnet delegated to Container Apps (network.subnets.apps.id)',
      },
      workspaceId: { kind: 'string', allowed: 'the ID of the Log Analytics workspace (monitoring.workspaceId)' },
      zoneRedundant: { kind: 'boolean', optional: true, allowed: 'true to spread the environment over zones' },
    });
    super(scope, id);
    validateContainerAppsEnvironmentProps(props);
    this.environment = props.name;
    this.names = renderContainerAppsEnvironmentNames(props);
    this.resource = new cae.ContainerAppEnvironment(
      this,
      'Resource',
      renderContainerAppsEnvironmentConfig(props, this.names),
    );
    this.diagnosticSetting = new diagnosticSetting.MonitorDiagnosticSetting(this, 'Resource-diagnostics', {
      name: DIAGNOSTIC_SETTING_NAME,
      targetResourceId: this.resource.id,
      logAnalyticsWorkspaceId: props.workspaceId,
      enabledLog: [{ categoryGroup: 'allLogs' }],
      enabledMetric: [{ category: 'AllMetrics' }],
    });
  }

  /** The managed environment's resource ID, for `ContainerService.containerAppsEnvironmentId`. */
  public get id(): string {
    return this.resource.id;
  }
}

function validateContainerAppsEnvironmentProps(props: ContainerAppsEnvironmentProps): void {
  const issues = new IssueCollector();
  if (!Token.isUnresolved(props.subnetId) && !/\/subnets\/[^/]+$/i.test(props.subnetId)) {
    issues.add('subnetId', props.subnetId, "a subnet resource ID (the network's apps subnet)");
  }
  if (
    !Token.isUnresolved(props.workspaceId) &&
    !/\/providers\/Microsoft\.OperationalInsights\/workspaces\/[^/]+$/i.test(props.workspaceId)
  ) {
    issues.add('workspaceId', props.workspaceId, 'a Log Analytics workspace resource ID');
  }
  if (!ENVIRONMENT_NAME_PATTERN.test(props.name)) {
    issues.add(
      'name',
      props.name,
      'an environment name: 2-12 lowercase letters, digits and single hyphens, such as prod',
    );
  }
  issues.throwIfAny(`Invalid ContainerAppsEnvironment props (${props.name})`);
}
