import * as aks from '@cdktf/provider-azurerm/lib/kubernetes-cluster';
import * as nodePool from '@cdktf/provider-azurerm/lib/kubernetes-cluster-node-pool';
import * as dcr from '@cdktf/provider-azurerm/lib/monitor-data-collection-rule';
import * as dcrAssociation from '@cdktf/provider-azurerm/lib/monitor-data-collection-rule-association';
import * as diagnosticSetting from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import * as roleAssignment from '@cdktf/provider-azurerm/lib/role-assignment';
import * as identity from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { Token, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import {
  checkProps,
  cidrsOverlap,
  ENVIRONMENT_NAME_PATTERN,
  IssueCollector,
  makeName,
  parseCidr,
  PLATFORM_PREFIX,
  SERVER_SIZES,
  TIERS,
  type PatchingSpec,
  type PropRules,
  type Tier,
} from '../core';
import { KUBERNETES_VERSIONS, type KubernetesSpec, type NodePoolSpec } from '../core/kubernetes';
import { kubernetesAlarmId } from '../core/kubernetes-alarms';
import {
  ENVIRONMENT_PROP,
  LOCATION_CODE_PROP,
  pathUnder,
  RESOURCE_GROUP_PROP,
  RETAIN_DATA_PROP,
  specProp,
} from './construct-props';
import { acknowledgeChange } from './acknowledge';
import { DIAGNOSTIC_SETTING_NAME } from './diagnostics';
import type { IMonitoring, INetwork, IResourceGroup } from './interfaces';
import { locationCodeOf } from './location';
import { RetainStatefulResources } from './protection';

/**
 * The default alarm `kubernetes/api-server-errors` has no Azure realisation: AKS exposes the API server's metrics
 * only through the control-plane metrics preview (`job="controlplane-apiserver"`), and the library builds on
 * generally available features only. It is declared handled elsewhere (the EKS `apiserver_request_total_5XX`
 * alarm on AWS), so that a spec override of it is accepted on Azure too.
 */
export const AZURE_API_SERVER_ERRORS_ALARM = {
  id: kubernetesAlarmId('api-server-errors'),
  reason:
    'AKS exposes API server metrics only through the control-plane metrics preview; the alarm exists on AWS (EKS apiserver_request_total_5XX)',
} as const;

/**
 * A Kubernetes cluster as the constructs beside it take it: the Managed Prometheus rules and data collection are
 * bound to it. `KubernetesCluster` implements it.
 */
export interface IKubernetesCluster {
  /** The cluster's resource ID. */
  readonly clusterId: string;
  /** The cluster's name (the `cluster` label Managed Prometheus adds to every series). */
  readonly clusterName: string;
  /** The cluster's Azure location: a data collection endpoint for it must be in the same one. */
  readonly location: string;
}

/** How the cluster's nodes reach the Internet: through the subnet's NAT gateway, or a load balancer AKS creates. */
export type KubernetesOutboundType = 'userAssignedNATGateway' | 'loadBalancer';

/** Props of {@link KubernetesCluster}. */
export interface KubernetesClusterProps {
  /** The environment's resolved kubernetes section: version, node pools, admins. */
  readonly spec: KubernetesSpec;
  /** The environment name; it goes into every resource name (`aks-platform-<env>-<location code>`). */
  readonly environment: string;
  /**
   * The environment's tier: production gets the Standard (SLA-backed) control plane, development the Free one.
   */
  readonly tier: Tier;
  /** The resource group to create the cluster in; its location is the cluster's. */
  readonly resourceGroup: IResourceGroup;
  /**
   * Short code of the location used in names.
   * @default - the code of the resource group's location in AZURE_LOCATIONS
   */
  readonly locationCode?: string;
  /** The environment's network: the nodes go into its `workloads` subnet. */
  readonly network: INetwork;
  /**
   * The environment's address space (`env.network.cidr`): the pod and service ranges are chosen outside it (and
   * outside `reservedCidrs`).
   */
  readonly networkCidr: string;
  /**
   * Further address ranges the pod and service ranges must not overlap: peered networks, on-premises ranges.
   * @default - none
   */
  readonly reservedCidrs?: readonly string[];
  /**
   * How the nodes reach the Internet. The library's Network attaches a NAT gateway to the workloads subnet.
   * @default 'userAssignedNATGateway'
   */
  readonly outboundType?: KubernetesOutboundType;
  /**
   * The environment's monitoring: Container insights and the control-plane logs go to its workspace.
   */
  readonly monitoring: IMonitoring;
  /** The environment's patch window: Kubernetes patch upgrades and node image upgrades run in it. */
  readonly patching: PatchingSpec;
  /**
   * The Entra ID tenant whose users and groups sign in to the cluster.
   * @default - the tenant of the subscription the provider deploys to
   */
  readonly tenantId?: string;
  /**
   * Resources the cluster must wait for, beyond its identity's role on the subnet: the NAT gateway association of
   * the workloads subnet, with the `userAssignedNATGateway` outbound type.
   * @default - none
   */
  readonly dependsOn?: readonly ITerraformDependable[];
  /**
   * Give the cluster `lifecycle.prevent_destroy`, so that no plan destroys or replaces it and the workloads in it.
   * @default - the tier of the stack (`protectionOf(this).retainData`): in production, and wherever no tier is stated
   */
  readonly retainData?: boolean;
}

const KUBERNETES_CLUSTER_PROPS: PropRules = {
  spec: {
    ...specProp('kubernetes'),
    fields: {
      version: { kind: 'string', allowed: `a Kubernetes minor version: ${KUBERNETES_VERSIONS.join(', ')}` },
      pools: { kind: 'array', allowed: 'the node pools, the system pool first' },
      publicApiCidrs: { kind: 'array', allowed: 'the CIDR blocks that may reach the API server (empty on Azure)' },
      admins: { kind: 'object', allowed: 'the administrators: { aws: [...], azure: [...] }' },
    },
  },
  environment: ENVIRONMENT_PROP,
  tier: { kind: 'string', allowed: `the environment's tier: ${TIERS.join(' or ')}` },
  resourceGroup: RESOURCE_GROUP_PROP,
  locationCode: LOCATION_CODE_PROP,
  network: {
    kind: 'object',
    allowed: "the environment's network (a Network, or Network.fromNetworkAttributes)",
    fields: { subnetIds: { kind: 'object', allowed: 'the resource ID of each subnet, by role' } },
  },
  networkCidr: { kind: 'string', allowed: "the environment's address space (env.network.cidr), such as 10.30.0.0/16" },
  reservedCidrs: { kind: 'array', optional: true, allowed: 'CIDR blocks the pod and service ranges must avoid' },
  outboundType: {
    kind: 'string',
    optional: true,
    allowed: "how the nodes reach the Internet: 'userAssignedNATGateway' or 'loadBalancer'",
  },
  monitoring: {
    kind: 'object',
    allowed: "the environment's monitoring (a Monitoring, or Monitoring.fromMonitoringAttributes)",
  },
  patching: specProp('patching'),
  tenantId: { kind: 'string', optional: true, allowed: 'the Entra ID tenant ID (a GUID)' },
  dependsOn: { kind: 'array', optional: true, allowed: 'Terraform resources the cluster waits for' },
  retainData: RETAIN_DATA_PROP,
};

/** The Azure role that lets the cluster's identity join nodes and load balancers to the subnet. */
export const AKS_SUBNET_ROLE = 'Network Contributor';

/** The Azure RBAC role each admin group gets on the cluster (full access to every Kubernetes resource). */
export const AKS_ADMIN_ROLE = 'Azure Kubernetes Service RBAC Cluster Admin';

/** The node OS: Azure Linux, Microsoft's minimal container host (fewer packages to patch than Ubuntu). */
export const AKS_OS_SKU = 'AzureLinux';

/** How many extra nodes an upgrade adds at a time, as a share of the pool. */
export const AKS_MAX_SURGE = '33%';

/** The shortest maintenance window AKS accepts, in hours. */
export const AKS_MIN_MAINTENANCE_HOURS = 4;

/**
 * The control-plane log categories sent to the workspace. `kube-audit` (every read and write) is left out for
 * `kube-audit-admin` (writes only): the full audit log is by far the largest and most costly category.
 */
export const AKS_LOG_CATEGORIES = [
  'kube-apiserver',
  'kube-audit-admin',
  'kube-controller-manager',
  'kube-scheduler',
  'cluster-autoscaler',
  'cloud-controller-manager',
  'guard',
] as const;

/** The stream Container insights sends: container logs (v2), Kubernetes events and inventories, performance. */
export const CONTAINER_INSIGHTS_STREAM = 'Microsoft-ContainerInsights-Group-Default';

/**
 * Maps the cluster to its Container insights data collection rule, which the monitoring agent (signing in with the
 * cluster's identity: `msi_auth_for_monitoring_enabled`) reads: every namespace, every minute, ContainerLogV2, to
 * the environment's workspace; pure.
 */
export function renderContainerInsightsRuleConfig(
  props: Pick<KubernetesClusterProps, 'resourceGroup' | 'monitoring'>,
  name: string,
): dcr.MonitorDataCollectionRuleConfig {
  const destination = 'workspace';
  return {
    name,
    location: props.resourceGroup.location,
    resourceGroupName: props.resourceGroup.name,
    kind: 'Linux',
    description: "Container insights of the cluster, to the environment's workspace",
    destinations: { logAnalytics: [{ name: destination, workspaceResourceId: props.monitoring.workspaceId }] },
    dataFlow: [{ streams: [CONTAINER_INSIGHTS_STREAM], destinations: [destination] }],
    dataSources: {
      extension: [
        {
          name: 'ContainerInsightsExtension',
          extensionName: 'ContainerInsights',
          streams: [CONTAINER_INSIGHTS_STREAM],
          extensionJson: JSON.stringify({
            dataCollectionSettings: { interval: '1m', namespaceFilteringMode: 'Off', enableContainerLogV2: true },
          }),
        },
      ],
    },
  };
}

/**
 * The pod and service ranges to choose from, in order: the first pair that overlaps neither the environment's
 * network nor a reserved range is used. None is within the ranges AKS reserves (169.254.0.0/16, 172.30.0.0/16,
 * 172.31.0.0/16, 192.0.2.0/24) or Docker's bridge (172.17.0.0/16).
 */
export const AKS_ADDRESS_CANDIDATES: readonly { readonly podCidr: string; readonly serviceCidr: string }[] = [
  { podCidr: '10.244.0.0/16', serviceCidr: '10.245.0.0/16' },
  { podCidr: '172.20.0.0/16', serviceCidr: '172.21.0.0/16' },
  { podCidr: '192.168.0.0/17', serviceCidr: '192.168.128.0/20' },
];

/** The cluster's own address ranges (Azure CNI Overlay): pods, services and the cluster DNS service's address. */
export interface KubernetesAddressRanges {
  /** The pods' overlay range (never routed in the virtual network). */
  readonly podCidr: string;
  /** The services' range. */
  readonly serviceCidr: string;
  /** The cluster DNS service's address: the tenth address of the service range. */
  readonly dnsServiceIp: string;
}

/**
 * Chooses the pod and service ranges: the first of {@link AKS_ADDRESS_CANDIDATES} that overlaps none of `avoid` (the
 * environment's network and any reserved ranges); pure. All three are ForceNew: once chosen, they must stay, so
 * the choice depends only on the ranges to avoid.
 * @returns the ranges, or undefined when every candidate overlaps
 */
export function renderKubernetesAddressRanges(avoid: readonly string[]): KubernetesAddressRanges | undefined {
  const known = avoid.filter((cidr) => !Token.isUnresolved(cidr) && typeof parseCidr(cidr) !== 'string');
  const fit = AKS_ADDRESS_CANDIDATES.find(
    (c) => !known.some((cidr) => cidrsOverlap(cidr, c.podCidr) || cidrsOverlap(cidr, c.serviceCidr)),
  );
  if (!fit) return undefined;
  const [a, b, c] = fit.serviceCidr.split('/')[0]!.split('.');
  return { ...fit, dnsServiceIp: `${a}.${b}.${c}.10` };
}

/** The names of everything the cluster creates. */
export interface KubernetesClusterNames {
  /** The cluster: `aks-platform-<env>-<location code>`. */
  readonly cluster: string;
  /** The API server's DNS prefix: `aks-platform-<env>` (ForceNew). */
  readonly dnsPrefix: string;
  /** The resource group AKS creates for the nodes: `rg-platform-<env>-aks-<location code>` (ForceNew). */
  readonly nodeResourceGroup: string;
  /** The cluster's user-assigned identity: `id-platform-<env>-aks-<location code>`. */
  readonly identity: string;
  /** The Container insights data collection rule: `MSCI-<location code>-platform-<env>` (the add-on's own prefix). */
  readonly containerInsights: string;
}

/** Names the cluster's resources, within Azure's limits; pure. */
export function renderKubernetesClusterNames(
  props: Pick<KubernetesClusterProps, 'environment' | 'resourceGroup' | 'locationCode'>,
): KubernetesClusterNames {
  const code = props.locationCode ?? locationCodeOf(props.resourceGroup.location);
  const loc = code === undefined ? [] : [code];
  const env = [PLATFORM_PREFIX, props.environment];
  return {
    // An AKS cluster takes 1-63 letters, digits, hyphens and underscores; the workspace rule (4-63, letters,
    // digits and hyphens, starting with a letter) is the nearest one named, and stricter.
    cluster: makeName('azureLogAnalyticsWorkspace', ['aks', ...env, ...loc]),
    dnsPrefix: makeName('azureLogAnalyticsWorkspace', ['aks', ...env]),
    nodeResourceGroup: makeName('azureResourceGroup', ['rg', ...env, 'aks', ...loc]),
    identity: makeName('azureLogAnalyticsWorkspace', ['id', ...env, 'aks', ...loc]),
    containerInsights: ['MSCI', ...loc, ...env].join('-'),
  };
}

const WEEKDAY_NAMES: Readonly<Record<string, string>> = {
  monday: 'Monday',
  tuesday: 'Tuesday',
  wednesday: 'Wednesday',
  thursday: 'Thursday',
  friday: 'Friday',
  saturday: 'Saturday',
  sunday: 'Sunday',
};

/**
 * Maps the environment's patch window to the AKS maintenance windows; pure. Both open at `startHour` UTC and last
 * `max(4, durationHours)` hours: AKS refuses a window shorter than 4 hours. The node image window recurs as the
 * patch window does (weekly, or daily); Kubernetes patch upgrades recur weekly, on the patch day or, for a daily
 * patch window, on Sunday (AKS schedules cluster upgrades at most weekly).
 */
export function renderKubernetesMaintenanceWindows(patching: PatchingSpec): {
  readonly autoUpgrade: aks.KubernetesClusterMaintenanceWindowAutoUpgrade;
  readonly nodeOs: aks.KubernetesClusterMaintenanceWindowNodeOs;
} {
  const common = {
    interval: 1,
    duration: Math.max(AKS_MIN_MAINTENANCE_HOURS, patching.durationHours),
    startTime: `${String(patching.startHour).padStart(2, '0')}:00`,
    utcOffset: '+00:00',
  };
  const weekly = (day: string): { frequency: string; dayOfWeek: string } => ({ frequency: 'Weekly', dayOfWeek: day });
  const day = WEEKDAY_NAMES[patching.day];
  return {
    autoUpgrade: { ...common, ...weekly(day ?? 'Sunday') },
    nodeOs: { ...common, ...(day === undefined ? { frequency: 'Daily' } : weekly(day)) },
  };
}

/** The zones a pool spreads over: the first `pool.zones` of the region's (`1`, `2`, `3`). */
function zonesOf(pool: NodePoolSpec): string[] {
  return Array.from({ length: pool.zones }, (_, i) => String(i + 1));
}

/**
 * The name of the temporary pool AKS creates while it rotates a pool whose settings cannot change in place
 * (VM size, zones, disk): `tmp` and the pool's name, at most 12 characters.
 */
export function temporaryPoolName(pool: Pick<NodePoolSpec, 'name'>): string {
  return `tmp${pool.name}`.slice(0, 12);
}

/** What a node pool shares on both resources (the default pool and every other one); pure. */
function renderPoolSettings(pool: NodePoolSpec, props: Pick<KubernetesClusterProps, 'spec' | 'network'>) {
  return {
    name: pool.name,
    vmSize: SERVER_SIZES[pool.size].azureVmSize,
    vnetSubnetId: props.network.subnetIds.workloads,
    zones: zonesOf(pool),
    orchestratorVersion: props.spec.version,
    autoScalingEnabled: true,
    minCount: pool.minCount,
    maxCount: pool.maxCount,
    hostEncryptionEnabled: true,
    nodePublicIpEnabled: false,
    osSku: AKS_OS_SKU,
    osDiskType: 'Managed',
    osDiskSizeGb: pool.diskGiB,
    // A change AKS cannot make in place (VM size, zones, disk) rotates the pool through this temporary one
    // instead of failing the update (azurerm 4.x requires it) or replacing the cluster.
    temporaryNameForRotation: temporaryPoolName(pool),
    upgradeSettings: { maxSurge: AKS_MAX_SURGE },
  };
}

/** Maps the system pool to the cluster's `default_node_pool`; pure. */
export function renderDefaultNodePool(
  pool: NodePoolSpec,
  props: Pick<KubernetesClusterProps, 'spec' | 'network'>,
): aks.KubernetesClusterDefaultNodePool {
  // Only the cluster's own add-ons (CoreDNS, metrics, the policy and CSI agents) run here; workloads go to the
  // user pools.
  return { ...renderPoolSettings(pool, props), onlyCriticalAddonsEnabled: true };
}

/** Maps a user pool to the provider's node pool config; pure. */
export function renderNodePoolConfig(
  pool: NodePoolSpec,
  props: Pick<KubernetesClusterProps, 'spec' | 'network'>,
  clusterId: string,
): nodePool.KubernetesClusterNodePoolConfig {
  return { ...renderPoolSettings(pool, props), kubernetesClusterId: clusterId, mode: 'User' };
}

/**
 * Maps the props to the provider's cluster config; pure. The identity and its role come in as IDs.
 * @param identityId the user-assigned identity's resource ID
 */
export function renderKubernetesClusterConfig(
  props: KubernetesClusterProps,
  identityId: string,
  names: KubernetesClusterNames = renderKubernetesClusterNames(props),
): aks.KubernetesClusterConfig {
  const system = props.spec.pools.find((p) => p.system) ?? props.spec.pools[0]!;
  const ranges = renderKubernetesAddressRanges([props.networkCidr, ...(props.reservedCidrs ?? [])]);
  const windows = renderKubernetesMaintenanceWindows(props.patching);
  return {
    name: names.cluster,
    location: props.resourceGroup.location,
    resourceGroupName: props.resourceGroup.name,
    dnsPrefix: names.dnsPrefix,
    nodeResourceGroup: names.nodeResourceGroup,
    // A minor version: AKS applies its patches itself (the `patch` channel), so the spec never has to move for one.
    kubernetesVersion: props.spec.version,
    skuTier: props.tier === 'production' ? 'Standard' : 'Free',
    supportPlan: 'KubernetesOfficial',
    // ForceNew, and so decided once: the API server has a private endpoint in the virtual network only.
    privateClusterEnabled: true,
    privateDnsZoneId: 'System',
    // Sign-in through Entra ID only; Kubernetes permissions are Azure role assignments.
    localAccountDisabled: true,
    roleBasedAccessControlEnabled: true,
    azureActiveDirectoryRoleBasedAccessControl: {
      azureRbacEnabled: true,
      ...(props.tenantId !== undefined && { tenantId: props.tenantId }),
      ...(props.spec.admins.azure.length > 0 && { adminGroupObjectIds: [...props.spec.admins.azure] }),
    },
    oidcIssuerEnabled: true,
    workloadIdentityEnabled: true,
    azurePolicyEnabled: true,
    automaticUpgradeChannel: 'patch',
    nodeOsUpgradeChannel: 'NodeImage',
    maintenanceWindowAutoUpgrade: windows.autoUpgrade,
    maintenanceWindowNodeOs: windows.nodeOs,
    // Always rendered: the block itself is ForceNew, so adding or removing it would replace the cluster.
    networkProfile: {
      networkPlugin: 'azure',
      networkPluginMode: 'overlay',
      networkPolicy: 'cilium',
      networkDataPlane: 'cilium',
      loadBalancerSku: 'standard',
      outboundType: props.outboundType ?? 'userAssignedNATGateway',
      ...(ranges && { podCidr: ranges.podCidr, serviceCidr: ranges.serviceCidr, dnsServiceIp: ranges.dnsServiceIp }),
    },
    defaultNodePool: renderDefaultNodePool(system, props),
    identity: { type: 'UserAssigned', identityIds: [identityId] },
    omsAgent: { logAnalyticsWorkspaceId: props.monitoring.workspaceId, msiAuthForMonitoringEnabled: true },
    keyVaultSecretsProvider: { secretRotationEnabled: true, secretRotationInterval: '2m' },
    // An empty block turns on the Managed Prometheus add-on (ManagedPrometheus binds it to a workspace).
    monitorMetrics: {},
    imageCleanerEnabled: true,
    imageCleanerIntervalHours: 48,
  };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const POOL_NAME = /^[a-z][a-z0-9]{0,11}$/;

/**
 * An AKS cluster for the environment's workloads (Kubernetes `spec.version`), private and signed in to through
 * Entra ID only:
 *
 * - the API server has a private endpoint only (`private_cluster_enabled`, DNS zone managed by AKS); local accounts
 *   are off and Kubernetes permissions are Azure role assignments (Azure RBAC; each of `spec.admins.azure` is an
 *   admin group and gets Azure Kubernetes Service RBAC Cluster Admin on the cluster);
 * - the nodes run Azure Linux in the network's `workloads` subnet, with Azure CNI Overlay and Cilium network
 *   policy, pod and service ranges outside the environment's network, and leave through its NAT gateway; every pool
 *   encrypts at the host, autoscales between the spec's counts and spreads over its zones; the system pool (the
 *   default node pool) runs only the cluster's add-ons;
 * - Kubernetes patch versions and node images are upgraded by AKS in the environment's patch window (at least 4
 *   hours long); a pool change AKS cannot make in place rotates the pool instead of failing;
 * - workload identity (OIDC issuer), the Key Vault secrets provider (rotating), Azure Policy, Container insights
 *   (with its data collection rule) and the control-plane logs to the environment's workspace, and the Managed
 *   Prometheus add-on.
 *
 * The cluster's user-assigned identity gets Network Contributor on the subnet before the cluster is created.
 * Upgrading `spec.version` or changing a pool never replaces the cluster. In production the cluster has
 * `prevent_destroy` and the Standard tier (uptime SLA).
 *
 * A spec with `publicApiCidrs` is refused: `private_cluster_enabled` is ForceNew, so an AKS cluster cannot become
 * public without being replaced.
 *
 * @example
 * const cluster = new KubernetesCluster(stack, 'kubernetes', {
 *   spec: env.kubernetes, environment: env.name, tier: env.tier, resourceGroup: rg, network,
 *   networkCidr: env.network.cidr, monitoring, patching: env.patching,
 * });
 */
export class KubernetesCluster extends Construct implements IKubernetesCluster {
  /** The cluster. */
  public readonly resource: aks.KubernetesCluster;
  /** The user pools (every pool but the system one), by name. */
  public readonly nodePools: ReadonlyMap<string, nodePool.KubernetesClusterNodePool>;
  /** The cluster's control-plane identity. */
  public readonly identity: identity.UserAssignedIdentity;
  /** The identity's Network Contributor role on the workloads subnet. */
  public readonly subnetRoleAssignment: roleAssignment.RoleAssignment;
  /** The diagnostic setting sending the control-plane logs and metrics to the workspace. */
  public readonly diagnosticSetting: diagnosticSetting.MonitorDiagnosticSetting;
  /** The Container insights data collection rule (associated with the cluster). */
  public readonly containerInsightsRule: dcr.MonitorDataCollectionRule;
  /** The names of what it creates. */
  public readonly names: KubernetesClusterNames;
  /** The pod and service ranges. */
  public readonly addressRanges: KubernetesAddressRanges;
  /** The cluster's Azure location. */
  public readonly location: string;
  private clusterIdToken?: string;
  private clusterNameToken?: string;

  constructor(scope: Construct, id: string, props: KubernetesClusterProps) {
    checkProps('KubernetesCluster', pathUnder(scope, id), props, KUBERNETES_CLUSTER_PROPS);
    super(scope, id);
    const ranges = validateKubernetesClusterProps(pathUnder(scope, id), props);
    this.names = renderKubernetesClusterNames(props);
    this.addressRanges = ranges;
    this.location = props.resourceGroup.location;
    const rg = props.resourceGroup;

    this.identity = new identity.UserAssignedIdentity(this, 'Identity', {
      name: this.names.identity,
      location: rg.location,
      resourceGroupName: rg.name,
    });
    this.subnetRoleAssignment = new roleAssignment.RoleAssignment(this, 'SubnetRole', {
      scope: props.network.subnetIds.workloads,
      roleDefinitionName: AKS_SUBNET_ROLE,
      principalId: this.identity.principalId,
      // A new identity takes time to replicate; stating its type spares the lookup that would fail meanwhile.
      principalType: 'ServicePrincipal',
    });

    this.resource = new aks.KubernetesCluster(this, 'Resource', {
      ...renderKubernetesClusterConfig(props, this.identity.id, this.names),
      dependsOn: [this.subnetRoleAssignment, ...(props.dependsOn ?? [])],
    });
    RetainStatefulResources.protect(this.resource, props.retainData);

    const pools = new Map<string, nodePool.KubernetesClusterNodePool>();
    for (const pool of props.spec.pools.filter((p) => !p.system)) {
      // Each pool's address follows from its name only: adding or reordering pools never replaces another.
      pools.set(
        pool.name,
        new nodePool.KubernetesClusterNodePool(
          this,
          `pool-${pool.name}`,
          renderNodePoolConfig(pool, props, this.clusterId),
        ),
      );
    }
    this.nodePools = pools;

    for (const group of props.spec.admins.azure) {
      const admin = new roleAssignment.RoleAssignment(this, `Admin-${group}`, {
        scope: this.clusterId,
        roleDefinitionName: AKS_ADMIN_ROLE,
        principalId: group,
        principalType: 'Group',
      });
      // The review reports the assignment as widened access: it is the access the spec asks for, on this cluster only.
      acknowledgeChange(
        admin,
        'security',
        `The Entra ID group ${group} named in kubernetes.admins administers this cluster (local accounts are off, so someone must), scoped to the cluster`,
      );
    }

    this.diagnosticSetting = new diagnosticSetting.MonitorDiagnosticSetting(this, 'Resource-diagnostics', {
      name: DIAGNOSTIC_SETTING_NAME,
      targetResourceId: this.clusterId,
      logAnalyticsWorkspaceId: props.monitoring.workspaceId,
      // Resource-specific tables (AKSControlPlane, AKSAudit, AKSAuditAdmin): cheaper and faster to query.
      logAnalyticsDestinationType: 'Dedicated',
      enabledLog: AKS_LOG_CATEGORIES.map((category) => ({ category })),
      enabledMetric: [{ category: 'AllMetrics' }],
    });

    // With managed-identity authentication the agent collects what this rule, associated with the cluster, asks for.
    this.containerInsightsRule = new dcr.MonitorDataCollectionRule(
      this,
      'ContainerInsights',
      renderContainerInsightsRuleConfig(props, this.names.containerInsights),
    );
    new dcrAssociation.MonitorDataCollectionRuleAssociation(this, 'ContainerInsightsAssociation', {
      name: 'ContainerInsightsExtension',
      targetResourceId: this.clusterId,
      dataCollectionRuleId: this.containerInsightsRule.id,
      description: "Sends the cluster's Container insights to the environment's workspace",
    });

    props.monitoring.declareAlarmElsewhere(AZURE_API_SERVER_ERRORS_ALARM.id);
  }

  /** The cluster's resource ID (read once: every read of a provider attribute makes a new token). */
  public get clusterId(): string {
    this.clusterIdToken ??= this.resource.id;
    return this.clusterIdToken;
  }

  /** The cluster's name. */
  public get clusterName(): string {
    this.clusterNameToken ??= this.resource.name;
    return this.clusterNameToken;
  }
}

/** Checks what the spec's own rules cannot know on Azure; returns the address ranges. */
function validateKubernetesClusterProps(path: string, props: KubernetesClusterProps): KubernetesAddressRanges {
  const issues = new IssueCollector();
  const { spec } = props;
  if (spec.publicApiCidrs.length > 0) {
    issues.add(
      'spec.publicApiCidrs',
      spec.publicApiCidrs,
      'an empty list on Azure: an AKS cluster is always private (private_cluster_enabled is ForceNew, so a public API would replace the cluster); reach the API from inside the network, or give publicApiCidrs to AWS environments only',
    );
  }
  if (!(KUBERNETES_VERSIONS as readonly string[]).includes(spec.version)) {
    issues.add('spec.version', spec.version, `one of ${KUBERNETES_VERSIONS.join(', ')}`);
  }
  if (!ENVIRONMENT_NAME_PATTERN.test(props.environment)) {
    issues.add('environment', props.environment, 'an environment name: 2-12 lowercase letters, digits and hyphens');
  }
  if (!(TIERS as readonly string[]).includes(props.tier)) issues.add('tier', props.tier, TIERS.join(' or '));
  const systemPools = spec.pools.filter((p) => p.system);
  if (systemPools.length !== 1) {
    issues.add(
      'spec.pools',
      spec.pools.map((p) => p.name),
      'exactly one system pool (system: true): it becomes the default node pool',
    );
  }
  const names = spec.pools.map((p) => p.name);
  const temporary = spec.pools.map(temporaryPoolName);
  spec.pools.forEach((pool, i) => {
    const at = `spec.pools[${i}]`;
    if (!POOL_NAME.test(pool.name)) {
      issues.add(`${at}.name`, pool.name, '1-12 lowercase letters and digits, starting with a letter (the AKS limit)');
    } else if (names.indexOf(pool.name) !== i || temporary.includes(pool.name)) {
      issues.add(`${at}.name`, pool.name, "a name no other pool has, nor another pool's rotation name (tmp<name>)");
    }
    if (!(pool.size in SERVER_SIZES)) issues.add(`${at}.size`, pool.size, Object.keys(SERVER_SIZES).join(', '));
    if (!Number.isInteger(pool.minCount) || pool.minCount < (pool.system ? 1 : 0)) {
      issues.add(`${at}.minCount`, pool.minCount, `a whole number, at least ${pool.system ? 1 : 0}`);
    }
    if (!Number.isInteger(pool.maxCount) || pool.maxCount < Math.max(1, pool.minCount) || pool.maxCount > 1000) {
      issues.add(`${at}.maxCount`, pool.maxCount, 'a whole number from minCount (at least 1) to 1000');
    }
    if (!Number.isInteger(pool.zones) || pool.zones < 1 || pool.zones > 3) {
      issues.add(`${at}.zones`, pool.zones, '1, 2 or 3');
    }
  });
  spec.admins.azure.forEach((group, i) => {
    if (!Token.isUnresolved(group) && !GUID.test(group)) {
      issues.add(`spec.admins.azure[${i}]`, group, 'an Entra ID group object ID (a GUID)');
    }
  });
  if (props.tenantId !== undefined && !Token.isUnresolved(props.tenantId) && !GUID.test(props.tenantId)) {
    issues.add('tenantId', props.tenantId, 'an Entra ID tenant ID (a GUID)');
  }
  const avoid = [props.networkCidr, ...(props.reservedCidrs ?? [])];
  avoid.forEach((cidr, i) => {
    if (!Token.isUnresolved(cidr) && typeof parseCidr(cidr) === 'string') {
      issues.add(i === 0 ? 'networkCidr' : `reservedCidrs[${i - 1}]`, cidr, 'an IPv4 CIDR block, such as 10.30.0.0/16');
    }
  });
  const ranges = renderKubernetesAddressRanges(avoid);
  if (!ranges) {
    issues.add(
      'networkCidr',
      avoid,
      `address space that leaves one of these pod/service range pairs free: ${AKS_ADDRESS_CANDIDATES.map((c) => `${c.podCidr} + ${c.serviceCidr}`).join(', ')}`,
    );
  }
  issues.throwIfAny(`Invalid KubernetesCluster props (${path})`);
  return ranges!;
}
