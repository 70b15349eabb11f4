import * as dataCae from '@cdktf/provider-azurerm/lib/data-azurerm-container-app-environment';
import * as dataKeyVault from '@cdktf/provider-azurerm/lib/data-azurerm-key-vault';
import * as dataWorkspace from '@cdktf/provider-azurerm/lib/data-azurerm-log-analytics-workspace';
import * as dataActionGroup from '@cdktf/provider-azurerm/lib/data-azurerm-monitor-action-group';
import * as dataResourceGroup from '@cdktf/provider-azurerm/lib/data-azurerm-resource-group';
import * as dataSubnet from '@cdktf/provider-azurerm/lib/data-azurerm-subnet';
import * as dataVnet from '@cdktf/provider-azurerm/lib/data-azurerm-virtual-network';
import { Fn, Op, TerraformSelf } from 'cdktf';
import { Construct, type IConstruct } from 'constructs';
import {
  AZURE_SUBNET_ROLES,
  checkProps,
  IssueCollector,
  makeName,
  PLATFORM_PREFIX,
  SEVERITIES,
  TIERS,
  type ApplicationEnvironment,
  type MonitoringSpec,
  type Severity,
  type Tier,
} from '../core';
import { renderContainerAppsEnvironmentNames } from './container-apps-environment';
import type { IKeyVault, IMonitoring, INetwork, IResourceGroup, SubnetRole } from './interfaces';
import { KeyVault } from './key-vault';
import { Monitoring } from './monitoring';
import { Network, renderNetworkNames } from './network';

/**
 * The tag on a platform environment's resource group that names the Key Vault its workloads read secrets from (the
 * environment's `azure.keyVaultId`, a resource ID). The vault is not the platform's (it outlives every environment,
 * so the platform imports it by ID and its name is whatever its owners chose): the tag is how the foundation
 * publishes it under a stable name. Renaming or removing it breaks every team that joins the environment with
 * secrets (test/stacks/published-names.azure.test.ts pins it).
 */
export const PLATFORM_KEY_VAULT_TAG = 'platform:key-vault-id';

/**
 * The names of everything {@link PlatformEnvironment.join} reads, as the platform's foundation and workloads create
 * them. Teams' plans read these names: renaming one breaks every team that joins the environment.
 */
export interface PlatformEnvironmentNames {
  /** The resource group everything of the environment is in: `rg-platform-<env>-<location code>`. */
  readonly resourceGroup: string;
  /** The virtual network: `vnet-platform-<env>-<location code>`. */
  readonly virtualNetwork: string;
  /** Each subnet, by role: `snet-<role>`. */
  readonly subnets: Readonly<Record<SubnetRole, string>>;
  /** The Container Apps environment: `cae-platform-<env>-<location code>`. */
  readonly containerAppsEnvironment: string;
  /** The Log Analytics workspace: `log-platform-<env>-<location code>`. */
  readonly logAnalyticsWorkspace: string;
  /** The action group of each severity: `ag-platform-<env>-<severity>`. */
  readonly actionGroups: Readonly<Record<Severity, string>>;
  /** The resource group tag that holds the Key Vault's resource ID ({@link PLATFORM_KEY_VAULT_TAG}). */
  readonly keyVaultTag: string;
}

/**
 * The names of a platform environment's shared parts, from its name and location code, exactly as the foundation
 * creates them (the network's and the Container Apps environment's own naming functions, and the monitoring's
 * names); pure.
 */
export function platformEnvironmentNames(environment: {
  readonly name: string;
  readonly locationCode: string;
}): PlatformEnvironmentNames {
  const { name, locationCode } = environment;
  // The location itself does not go into any name: the code does.
  const named = { name, locationCode, resourceGroup: { name: '', location: '' } };
  const network = renderNetworkNames(named);
  return {
    resourceGroup: makeName('azureResourceGroup', ['rg', PLATFORM_PREFIX, name, locationCode]),
    virtualNetwork: network.virtualNetwork,
    subnets: network.subnets,
    containerAppsEnvironment: renderContainerAppsEnvironmentNames(named).environment,
    logAnalyticsWorkspace: makeName('azureLogAnalyticsWorkspace', ['log', PLATFORM_PREFIX, name, locationCode]),
    actionGroups: Object.fromEntries(
      SEVERITIES.map((severity) => [severity, `ag-${PLATFORM_PREFIX}-${name}-${severity}`]),
    ) as Record<Severity, string>,
    keyVaultTag: PLATFORM_KEY_VAULT_TAG,
  };
}

/**
 * A platform environment's shared parts, as an application team's stack sees them ({@link PlatformEnvironment.join}):
 * typed values read by Terraform data sources when the team plans.
 */
export interface IPlatformEnvironment extends IConstruct {
  /** The environment name (`prod`), the middle of every name (`ca-<env>-<name>`, `platform-<env>-<alert>`). */
  readonly environment: string;
  /** The environment's tier, as the application declared it. */
  readonly tier: Tier;
  /** The short code of the environment's location in names (`weu`). */
  readonly locationCode: string;
  /** The names read, as the platform publishes them. */
  readonly names: PlatformEnvironmentNames;
  /** The environment's resource group (name and location read from Azure): the team's workloads go into it. */
  readonly resourceGroup: IResourceGroup;
  /** The virtual network and the subnet of each role, as the platform's `Network` exposes them. */
  readonly network: INetwork;
  /**
   * The resource ID of the environment's Container Apps environment, which the team's services and jobs run in.
   * Read on first use: a platform environment without services or jobs has none.
   */
  readonly containerAppsEnvironmentId: string;
  /** The resource ID of the environment's Log Analytics workspace. */
  readonly workspaceId: string;
  /** The resource ID of the action group of each severity. */
  readonly actionGroupIds: Readonly<Record<Severity, string>>;
  /**
   * The environment's monitoring: alerts created through it are named `platform-<env>-<id>` and notify the action
   * group of their severity, as the platform's own do.
   */
  readonly monitoring: IMonitoring;
  /**
   * The Key Vault the environment's workloads read their secrets from (the platform's `azure.keyVaultId`, published
   * in the resource group's {@link PLATFORM_KEY_VAULT_TAG} tag). Read on first use: the plan fails with a clear
   * message when the platform environment names no vault.
   */
  readonly keyVault: IKeyVault;
}

/** Props of {@link PlatformEnvironment.join}. */
export interface JoinPlatformEnvironmentProps {
  /**
   * The platform environment as the application declares it (`defineApplication(...).environment`): its name and
   * Azure location code give the names of the parts; its location must be the resource group's.
   */
  readonly spec: ApplicationEnvironment;
  /**
   * Tuning of the alerts created through `monitoring` (`monitoring.alarms`). `Application` applies its own spec's
   * tuning to its workloads through a monitoring of its own.
   * @default - every alert with its default tuning
   */
  readonly monitoring?: Pick<MonitoringSpec, 'alarms'>;
}

/**
 * A platform environment shared with application teams, who deploy their services and jobs onto it from their own
 * cdktf apps without building a second network, Container Apps environment or alerting.
 *
 * How the parts are found: {@link PlatformEnvironment.join} reads them with azurerm data sources by their stable
 * names ({@link platformEnvironmentNames}, from lib/core/naming.ts as the foundation creates them): the resource
 * group, the virtual network and its subnets, the Container Apps environment, the Log Analytics workspace, the action
 * group of each severity, and the Key Vault named by the resource group's {@link PLATFORM_KEY_VAULT_TAG} tag. There
 * is no encryption key to join on Azure: the platform's resources use Microsoft-managed keys.
 *
 * Why data sources and not `terraform_remote_state`: remote state needs read access to the platform's whole state
 * file, which holds secrets, and couples every team to the platform's backend configuration and output names. Data
 * sources need only Reader on the resources read, fail at plan time when a part is missing, and stay plain Terraform
 * for terraform or OpenTofu. The cost: nothing stops the platform from renaming a part a team reads, so a test pins
 * the names (test/stacks/published-names.azure.test.ts); a renamed part fails the team's next plan.
 */
export class PlatformEnvironment {
  /**
   * Joins a platform environment from a team's stack: data sources for its resource group (whose location must be
   * `spec.azure.location`, checked at plan time), virtual network, subnets, Log Analytics workspace and action
   * groups, and, on first use, its Container Apps environment and Key Vault. Put it in the stack the team's
   * constructs are in: a value read in another stack would travel through remote state.
   *
   * @example
   * const payments = defineApplication({ name: 'payments', environment: { name: 'prod', tier: 'production',
   *   azure: { location: 'westeurope' } }, services: [...] });
   * const platform = PlatformEnvironment.join(stack, 'platform', { spec: payments.environment });
   * new Application(stack, 'payments', { spec: payments, platform });
   *
   * @throws SpecError when the application declared no Azure environment (`environment.azure`)
   */
  public static join(scope: Construct, id: string, props: JoinPlatformEnvironmentProps): IPlatformEnvironment {
    return new JoinedPlatformEnvironment(scope, id, props);
  }

  private constructor() {}
}

/** A platform environment joined from a team's stack ({@link PlatformEnvironment.join}). */
class JoinedPlatformEnvironment extends Construct implements IPlatformEnvironment {
  public readonly environment: string;
  public readonly tier: Tier;
  public readonly locationCode: string;
  public readonly names: PlatformEnvironmentNames;
  public readonly resourceGroup: IResourceGroup;
  public readonly network: INetwork;
  public readonly workspaceId: string;
  public readonly actionGroupIds: Readonly<Record<Severity, string>>;
  public readonly monitoring: IMonitoring;
  private readonly group: dataResourceGroup.DataAzurermResourceGroup;
  private containerAppsEnvironmentIdToken?: string;
  private importedKeyVault?: IKeyVault;

  constructor(scope: Construct, id: string, props: JoinPlatformEnvironmentProps) {
    super(scope, id);
    const azure = validateJoinProps(this.node.path, props);
    const spec = props.spec;
    this.environment = spec.name;
    this.tier = spec.tier;
    this.locationCode = azure.locationCode;
    this.names = platformEnvironmentNames({ name: spec.name, locationCode: azure.locationCode });
    const names = this.names;

    this.group = new dataResourceGroup.DataAzurermResourceGroup(this, 'resource-group', {
      name: names.resourceGroup,
      lifecycle: {
        postcondition: [
          {
            condition: Op.eq(TerraformSelf.getString('location'), azure.location),
            errorMessage: `The platform environment ${spec.name} is in the location of its resource group ${names.resourceGroup}, not ${azure.location}: set the application's environment.azure.location to it.`,
          },
        ],
      },
    });
    // Read once: each read of a provider attribute makes a new token.
    const resourceGroupName = this.group.name;
    this.resourceGroup = { name: resourceGroupName, location: this.group.location };

    const vnet = new dataVnet.DataAzurermVirtualNetwork(this, 'virtual-network', {
      name: names.virtualNetwork,
      resourceGroupName,
    });
    const subnetIds = Object.fromEntries(
      AZURE_SUBNET_ROLES.map((role) => [
        role,
        new dataSubnet.DataAzurermSubnet(this, `subnet-${role}`, {
          name: names.subnets[role],
          virtualNetworkName: vnet.name,
          resourceGroupName,
        }).id,
      ]),
    ) as Record<SubnetRole, string>;
    this.network = Network.fromNetworkAttributes({ virtualNetworkId: vnet.id, subnetIds });

    this.workspaceId = new dataWorkspace.DataAzurermLogAnalyticsWorkspace(this, 'log-analytics-workspace', {
      name: names.logAnalyticsWorkspace,
      resourceGroupName,
    }).id;
    this.actionGroupIds = Object.fromEntries(
      SEVERITIES.map((severity) => [
        severity,
        new dataActionGroup.DataAzurermMonitorActionGroup(this, `action-group-${severity}`, {
          name: names.actionGroups[severity],
          resourceGroupName,
        }).id,
      ]),
    ) as Record<Severity, string>;
    this.monitoring = Monitoring.fromMonitoringAttributes(this, 'monitoring', {
      environment: this.environment,
      workspaceId: this.workspaceId,
      actionGroupIds: this.actionGroupIds,
      resourceGroup: this.resourceGroup,
      ...(props.monitoring?.alarms !== undefined && { alarms: props.monitoring.alarms }),
    });
  }

  public get containerAppsEnvironmentId(): string {
    this.containerAppsEnvironmentIdToken ??= new dataCae.DataAzurermContainerAppEnvironment(
      this,
      'container-apps-environment',
      { name: this.names.containerAppsEnvironment, resourceGroupName: this.resourceGroup.name },
    ).id;
    return this.containerAppsEnvironmentIdToken;
  }

  public get keyVault(): IKeyVault {
    if (!this.importedKeyVault) {
      const tags = this.group.interpolationForAttribute('tags');
      const keyVaultId = this.group.tags.lookup(PLATFORM_KEY_VAULT_TAG);
      // /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.KeyVault/vaults/<name>
      const part = (index: number): string => Fn.element(Fn.split('/', keyVaultId), index) as string;
      const vault = new dataKeyVault.DataAzurermKeyVault(this, 'key-vault', {
        name: part(8),
        resourceGroupName: part(4),
        lifecycle: {
          precondition: [
            {
              condition: Fn.contains(Fn.keys(tags), PLATFORM_KEY_VAULT_TAG),
              errorMessage: `The platform environment ${this.environment} names no Key Vault (its resource group ${this.names.resourceGroup} has no ${PLATFORM_KEY_VAULT_TAG} tag): its spec has no azure.keyVaultId, so workloads joining it cannot name secrets.`,
            },
          ],
        },
      });
      this.importedKeyVault = KeyVault.fromKeyVaultId(vault.id);
    }
    return this.importedKeyVault;
  }
}

function validateJoinProps(
  path: string,
  props: JoinPlatformEnvironmentProps,
): NonNullable<ApplicationEnvironment['azure']> {
  checkProps('PlatformEnvironment.join', path, props, {
    spec: {
      kind: 'object',
      allowed: 'the environment the application joins: defineApplication(...).environment',
      fields: {
        name: { kind: 'string', allowed: 'the platform environment name' },
        tier: { kind: 'string', allowed: `the platform environment's tier: ${TIERS.join(' or ')}` },
        azure: {
          kind: 'object',
          optional: true,
          allowed: 'the Azure location of the platform environment',
          fields: {
            location: { kind: 'string', allowed: 'the Azure location (westeurope)' },
            locationCode: { kind: 'string', allowed: 'the short code of the location in names (weu)' },
          },
        },
      },
    },
    monitoring: { kind: 'object', optional: true, allowed: 'the alarm tuning: { alarms }' },
  });
  const issues = new IssueCollector();
  const azure = props.spec.azure;
  if (azure === undefined) {
    issues.add(
      'props.spec.azure',
      azure,
      `the Azure location of the platform environment ${props.spec.name}: declare environment.azure ({ location }) in the application spec to deploy it to Azure`,
    );
  }
  issues.throwIfAny(`Invalid PlatformEnvironment.join props (${path})`);
  return azure!;
}
