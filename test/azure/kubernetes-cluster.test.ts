import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { App, TerraformStack } from 'cdktf';
import {
  AKS_ADDRESS_CANDIDATES,
  AKS_LOG_CATEGORIES,
  KubernetesCluster,
  Monitoring,
  Network,
  renderKubernetesAddressRanges,
  renderKubernetesMaintenanceWindows,
  temporaryPoolName,
} from '../../lib/azure';
import { cidrsOverlap } from '../../lib/core';
import { diffAzureEnvironment } from '../../lib/review/azure-diff';
import type { SynthesizedStack } from '../../lib/review/outputs';
import { errorOf, prodEnvironment } from '../util/fixtures';
import { schemaProblems, type StackJson } from '../util/provider-schema';
import { withTemporaryFolder } from '../util/temp';
import type { TfResourceBlock, TfStackJson } from '../util/terraform';
import { ADMIN_GROUP, environmentOf, kubernetesSpec, synthKubernetes } from './kubernetes-fixtures';

/** The one resource of a type. */
function only(tf: TfStackJson, type: string): TfResourceBlock {
  const found = Object.values(tf.resource[type] ?? {});
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0]!;
}

function all(tf: TfStackJson, type: string): TfResourceBlock[] {
  return Object.values(tf.resource[type] ?? {});
}

const prod = synthKubernetes({ prometheus: false });
const cluster = only(prod, 'azurerm_kubernetes_cluster');
const clusterAddress = Object.keys(prod.resource.azurerm_kubernetes_cluster!)[0]!;
const subnetRef = '${azurerm_subnet.network_Subnet-workloads_3C1BDBDE.id}';

describe('KubernetesCluster (Azure)', () => {
  test('a private AKS cluster aks-platform-<env>-<loc>, Entra ID sign-in with Azure RBAC, local accounts off', () => {
    expect(cluster).toMatchObject({
      name: 'aks-platform-prod-weu',
      location: 'westeurope',
      resource_group_name: 'rg-platform-prod-weu',
      dns_prefix: 'aks-platform-prod',
      node_resource_group: 'rg-platform-prod-aks-weu',
      kubernetes_version: '1.35',
      support_plan: 'KubernetesOfficial',
      private_cluster_enabled: true,
      private_dns_zone_id: 'System',
      local_account_disabled: true,
      role_based_access_control_enabled: true,
      azure_active_directory_role_based_access_control: {
        azure_rbac_enabled: true,
        admin_group_object_ids: [ADMIN_GROUP],
      },
      oidc_issuer_enabled: true,
      workload_identity_enabled: true,
      azure_policy_enabled: true,
    });
    // The tenant is the provider's unless given.
    expect(cluster.azure_active_directory_role_based_access_control).not.toHaveProperty('tenant_id');
    expect(cluster).not.toHaveProperty('api_server_access_profile');
  });

  test('a tenant ID, when given, is the one users sign in through', () => {
    const tenantId = '99999999-8888-7777-6666-555555555555';
    const tf = synthKubernetes({ prometheus: false, cluster: { tenantId } });
    expect(only(tf, 'azurerm_kubernetes_cluster').azure_active_directory_role_based_access_control).toEqual({
      azure_rbac_enabled: true,
      tenant_id: tenantId,
      admin_group_object_ids: [ADMIN_GROUP],
    });
  });

  test('Azure CNI Overlay with Cilium policy and data plane, leaving through the NAT gateway, ranges outside the VNet', () => {
    expect(cluster.network_profile).toEqual({
      network_plugin: 'azure',
      network_plugin_mode: 'overlay',
      network_policy: 'cilium',
      network_data_plane: 'cilium',
      load_balancer_sku: 'standard',
      outbound_type: 'userAssignedNATGateway',
      pod_cidr: '10.244.0.0/16',
      service_cidr: '10.245.0.0/16',
      dns_service_ip: '10.245.0.10',
    });
    const vnet = prodEnvironment().network.cidr;
    expect(cidrsOverlap(vnet, '10.244.0.0/16')).toBe(false);
    expect(cidrsOverlap(vnet, '10.245.0.0/16')).toBe(false);
  });

  test('an outbound type other than the NAT gateway is taken as given', () => {
    const tf = synthKubernetes({ prometheus: false, cluster: { outboundType: 'loadBalancer' } });
    expect(only(tf, 'azurerm_kubernetes_cluster').network_profile).toMatchObject({ outbound_type: 'loadBalancer' });
  });

  test('pod and service ranges never overlap the network, reserved ranges or each other', () => {
    for (const { podCidr, serviceCidr } of AKS_ADDRESS_CANDIDATES)
      expect(cidrsOverlap(podCidr, serviceCidr)).toBe(false);
    for (const network of ['10.30.0.0/16', '10.244.0.0/16', '10.245.128.0/24', '10.0.0.0/8', '172.16.0.0/12']) {
      const ranges = renderKubernetesAddressRanges([network]);
      if (ranges === undefined) throw new Error(`no ranges for ${network}`);
      expect([cidrsOverlap(network, ranges.podCidr), cidrsOverlap(network, ranges.serviceCidr)]).toEqual([
        false,
        false,
      ]);
    }
    expect(renderKubernetesAddressRanges(['10.0.0.0/8'])).toEqual({
      podCidr: '172.20.0.0/16',
      serviceCidr: '172.21.0.0/16',
      dnsServiceIp: '172.21.0.10',
    });
    expect(renderKubernetesAddressRanges(['10.0.0.0/8', '172.16.0.0/12'])).toEqual({
      podCidr: '192.168.0.0/17',
      serviceCidr: '192.168.128.0/20',
      dnsServiceIp: '192.168.128.10',
    });
    const tf = synthKubernetes({ prometheus: false, cluster: { reservedCidrs: ['10.244.0.0/14'] } });
    expect(only(tf, 'azurerm_kubernetes_cluster').network_profile).toMatchObject({
      pod_cidr: '172.20.0.0/16',
      service_cidr: '172.21.0.0/16',
    });
  });

  test('the system pool is the default node pool: Azure Linux, host encryption, autoscaling, zones, critical add-ons only', () => {
    expect(cluster.default_node_pool).toEqual({
      name: 'system',
      vm_size: 'Standard_D4s_v5',
      vnet_subnet_id: subnetRef,
      zones: ['1', '2', '3'],
      orchestrator_version: '1.35',
      auto_scaling_enabled: true,
      min_count: 3,
      max_count: 6,
      host_encryption_enabled: true,
      node_public_ip_enabled: false,
      only_critical_addons_enabled: true,
      os_sku: 'AzureLinux',
      os_disk_type: 'Managed',
      os_disk_size_gb: 64,
      temporary_name_for_rotation: 'tmpsystem',
      upgrade_settings: { max_surge: '33%' },
    });
  });

  test('every other pool is a User node pool with the same defaults, addressed by its name', () => {
    const pools = prod.resource.azurerm_kubernetes_cluster_node_pool!;
    expect(Object.keys(pools)).toEqual(['kubernetes_pool-apps_AEB3E645']);
    expect(pools['kubernetes_pool-apps_AEB3E645']).toMatchObject({
      name: 'apps',
      mode: 'User',
      kubernetes_cluster_id: `\${${clusterAddress.replace(/^/, 'azurerm_kubernetes_cluster.')}.id}`,
      vm_size: 'Standard_D8s_v5',
      vnet_subnet_id: subnetRef,
      zones: ['1', '2', '3'],
      orchestrator_version: '1.35',
      auto_scaling_enabled: true,
      min_count: 2,
      max_count: 10,
      host_encryption_enabled: true,
      node_public_ip_enabled: false,
      os_sku: 'AzureLinux',
      os_disk_size_gb: 128,
      temporary_name_for_rotation: 'tmpapps',
      upgrade_settings: { max_surge: '33%' },
    });
    expect(pools['kubernetes_pool-apps_AEB3E645']).not.toHaveProperty('only_critical_addons_enabled');
  });

  test('a pool over fewer zones spreads over the first ones; rotation names fit in 12 characters', () => {
    const spec = kubernetesSpec();
    const tf = synthKubernetes({
      prometheus: false,
      spec: { ...spec, pools: [spec.pools[0]!, { ...spec.pools[1]!, name: 'batchworkers', zones: 2 }] },
    });
    expect(all(tf, 'azurerm_kubernetes_cluster_node_pool')[0]).toMatchObject({
      zones: ['1', '2'],
      temporary_name_for_rotation: 'tmpbatchwork',
    });
    expect(temporaryPoolName({ name: 'system' })).toBe('tmpsystem');
  });

  test('patch upgrades and node images in the patch window, at least 4 hours long', () => {
    const window = {
      day_of_week: 'Sunday',
      duration: 4,
      frequency: 'Weekly',
      interval: 1,
      start_time: '02:00',
      utc_offset: '+00:00',
    };
    expect(cluster).toMatchObject({
      automatic_upgrade_channel: 'patch',
      node_os_upgrade_channel: 'NodeImage',
      maintenance_window_auto_upgrade: window,
      maintenance_window_node_os: window,
    });
    expect(prodEnvironment().patching.durationHours).toBe(3);
  });

  test('a daily patch window upgrades node images daily and Kubernetes on Sundays; a longer window is kept', () => {
    const dev = environmentOf('development').patching;
    expect(renderKubernetesMaintenanceWindows(dev)).toEqual({
      autoUpgrade: {
        frequency: 'Weekly',
        dayOfWeek: 'Sunday',
        interval: 1,
        duration: 4,
        startTime: '03:00',
        utcOffset: '+00:00',
      },
      nodeOs: { frequency: 'Daily', interval: 1, duration: 4, startTime: '03:00', utcOffset: '+00:00' },
    });
    const long = renderKubernetesMaintenanceWindows({ ...dev, day: 'saturday', startHour: 22, durationHours: 6 });
    expect(long.nodeOs).toEqual({
      frequency: 'Weekly',
      dayOfWeek: 'Saturday',
      interval: 1,
      duration: 6,
      startTime: '22:00',
      utcOffset: '+00:00',
    });
  });

  test('a user-assigned identity with Network Contributor on the workloads subnet, assigned before the cluster', () => {
    const identity = only(prod, 'azurerm_user_assigned_identity');
    expect(identity).toMatchObject({ name: 'id-platform-prod-aks-weu', location: 'westeurope' });
    const assignments = all(prod, 'azurerm_role_assignment');
    const subnetRole = assignments.find((a) => a.role_definition_name === 'Network Contributor');
    expect(subnetRole).toMatchObject({
      scope: subnetRef,
      principal_id: '${azurerm_user_assigned_identity.kubernetes_Identity_154AE544.principal_id}',
      principal_type: 'ServicePrincipal',
    });
    expect(cluster.identity).toEqual({
      type: 'UserAssigned',
      identity_ids: ['${azurerm_user_assigned_identity.kubernetes_Identity_154AE544.id}'],
    });
    expect(cluster.depends_on).toEqual(['azurerm_role_assignment.kubernetes_SubnetRole_EF84D830']);
  });

  test('each admin group is an Azure RBAC Cluster Admin on the cluster', () => {
    const admins = all(prod, 'azurerm_role_assignment').filter(
      (a) => a.role_definition_name === 'Azure Kubernetes Service RBAC Cluster Admin',
    );
    expect(admins).toEqual([
      expect.objectContaining({
        scope: `\${azurerm_kubernetes_cluster.${clusterAddress}.id}`,
        principal_id: ADMIN_GROUP,
        principal_type: 'Group',
      }),
    ]);
  });

  test('Container insights, secrets provider with rotation, Managed Prometheus add-on, image cleaner', () => {
    expect(cluster).toMatchObject({
      oms_agent: {
        log_analytics_workspace_id: '${azurerm_log_analytics_workspace.monitoring_logs_workspace_EA950EC7.id}',
        msi_auth_for_monitoring_enabled: true,
      },
      key_vault_secrets_provider: { secret_rotation_enabled: true, secret_rotation_interval: '2m' },
      monitor_metrics: {},
      image_cleaner_enabled: true,
      image_cleaner_interval_hours: 48,
    });
  });

  test('Container insights: a data collection rule for the agent, to the workspace, associated with the cluster', () => {
    const rule = only(prod, 'azurerm_monitor_data_collection_rule');
    expect(rule).toMatchObject({
      name: 'MSCI-weu-platform-prod',
      location: 'westeurope',
      kind: 'Linux',
      destinations: {
        log_analytics: [
          {
            name: 'workspace',
            workspace_resource_id: '${azurerm_log_analytics_workspace.monitoring_logs_workspace_EA950EC7.id}',
          },
        ],
      },
      data_flow: [{ streams: ['Microsoft-ContainerInsights-Group-Default'], destinations: ['workspace'] }],
      data_sources: {
        extension: [
          {
            name: 'ContainerInsightsExtension',
            extension_name: 'ContainerInsights',
            streams: ['Microsoft-ContainerInsights-Group-Default'],
          },
        ],
      },
    });
    const extension = (rule.data_sources as { extension: { extension_json: string }[] }).extension[0]!;
    expect(JSON.parse(extension.extension_json)).toEqual({
      dataCollectionSettings: { interval: '1m', namespaceFilteringMode: 'Off', enableContainerLogV2: true },
    });
    const ruleAddress = Object.keys(prod.resource.azurerm_monitor_data_collection_rule!)[0]!;
    expect(only(prod, 'azurerm_monitor_data_collection_rule_association')).toMatchObject({
      name: 'ContainerInsightsExtension',
      target_resource_id: `\${azurerm_kubernetes_cluster.${clusterAddress}.id}`,
      data_collection_rule_id: `\${azurerm_monitor_data_collection_rule.${ruleAddress}.id}`,
    });
  });

  test('the control-plane logs (audit of writes, not reads) and metrics go to the workspace', () => {
    const setting = all(prod, 'azurerm_monitor_diagnostic_setting').find(
      (s) => s.target_resource_id === `\${azurerm_kubernetes_cluster.${clusterAddress}.id}`,
    );
    expect(setting).toEqual(
      expect.objectContaining({
        name: 'platform-diagnostics',
        log_analytics_workspace_id: '${azurerm_log_analytics_workspace.monitoring_logs_workspace_EA950EC7.id}',
        log_analytics_destination_type: 'Dedicated',
        enabled_log: AKS_LOG_CATEGORIES.map((category) => ({ category })),
        enabled_metric: [{ category: 'AllMetrics' }],
      }),
    );
    expect(AKS_LOG_CATEGORIES).not.toContain('kube-audit');
  });

  test('production: Standard tier and prevent_destroy; development: Free tier, disposable', () => {
    expect(cluster.sku_tier).toBe('Standard');
    expect(cluster.lifecycle).toEqual({ prevent_destroy: true });
    const dev = only(synthKubernetes({ prometheus: false, tier: 'development' }), 'azurerm_kubernetes_cluster');
    expect(dev.sku_tier).toBe('Free');
    expect(dev).not.toHaveProperty('lifecycle');
  });

  test('the synthesized configuration is valid against the azurerm 4.55.0 schema', () => {
    expect(schemaProblems(prod as unknown as StackJson)).toEqual([]);
    expect(schemaProblems(synthKubernetes({ tier: 'development' }) as unknown as StackJson)).toEqual([]);
  });

  describe('validation', () => {
    test('a public API is refused on Azure, naming the path and why', () => {
      expect(() =>
        synthKubernetes({ prometheus: false, spec: kubernetesSpec({ publicApiCidrs: ['203.0.113.0/24'] }) }),
      ).toThrow(
        /spec\.publicApiCidrs: \["203\.0\.113\.0\/24"\].*always private \(private_cluster_enabled is ForceNew/s,
      );
    });

    test('every problem at once: system pools, pool names, counts, admin IDs, tenant', () => {
      const spec = kubernetesSpec();
      const message = errorOf(() =>
        synthKubernetes({
          prometheus: false,
          spec: {
            ...spec,
            pools: [
              { ...spec.pools[0]!, system: false, name: 'Sys-1' },
              { ...spec.pools[1]!, minCount: 5, maxCount: 2, zones: 4 },
            ],
            admins: { aws: [], azure: ['admins'] },
          },
          cluster: { tenantId: 'contoso' },
        }),
      ).message;
      expect(message).toMatch(/Invalid KubernetesCluster props \(env\/kubernetes\)/);
      expect(message).toMatch(/spec\.pools\b.*exactly one system pool/);
      expect(message).toMatch(/spec\.pools\[0\]\.name.*Sys-1.*1-12 lowercase/);
      expect(message).toMatch(/spec\.pools\[1\]\.maxCount.*from minCount/);
      expect(message).toMatch(/spec\.pools\[1\]\.zones.*1, 2 or 3/);
      expect(message).toMatch(/spec\.admins\.azure\[0\].*admins.*object ID/);
      expect(message).toMatch(/tenantId.*contoso.*GUID/);
    });

    test('a network that leaves no pod and service range free is refused', () => {
      expect(() => synthKubernetes({ prometheus: false, cluster: { reservedCidrs: ['0.0.0.0/0'] } })).toThrow(
        /networkCidr.*leaves one of these pod\/service range pairs free: 10\.244\.0\.0\/16 \+ 10\.245\.0\.0\/16/s,
      );
    });

    test('missing props are named before anything is built', () => {
      const stack = new TerraformStack(new App(), 'env');
      expect(() => new KubernetesCluster(stack, 'kubernetes', {} as never)).toThrow(
        /props\.spec: \(missing\).*props\.monitoring/s,
      );
    });
  });

  test('an override of kubernetes/api-server-errors is accepted on Azure, where the alarm is handled elsewhere', () => {
    const env = prodEnvironment();
    const build = (withCluster: boolean): void =>
      withTemporaryFolder('azure-aks-alarm-', (outdir) => {
        const app = new App({ outdir, skipValidation: false });
        const stack = new TerraformStack(app, 'env');
        new AzurermProvider(stack, 'azurerm', { features: [{}] });
        const resourceGroup = { name: 'rg', location: 'westeurope' };
        const spec = {
          ...env.monitoring,
          alarms: {
            'kubernetes/api-server-errors': { enabled: false as const, reason: 'Tested on the AWS side only' },
          },
        };
        const monitoring = new Monitoring(stack, 'monitoring', { spec, name: env.name, resourceGroup });
        const network = new Network(stack, 'network', { spec: env.network, name: env.name, resourceGroup });
        if (withCluster) {
          new KubernetesCluster(stack, 'kubernetes', {
            spec: kubernetesSpec(),
            environment: env.name,
            tier: 'production',
            resourceGroup,
            network,
            networkCidr: env.network.cidr,
            monitoring,
            patching: env.patching,
          });
        }
        app.synth();
      });
    expect(() => build(false)).toThrow(/kubernetes\/api-server-errors.*no alarm has this id/s);
    expect(() => build(true)).not.toThrow();
  });
});

describe('upgrades never replace the cluster', () => {
  const FORCE_NEW = JSON.parse(
    readFileSync(join(__dirname, '../../lib/review/data/azurerm-4.55-forcenew.json'), 'utf8'),
  ) as Record<string, string[]>;

  /** The value at a ForceNew path (`network_profile.pod_cidr`), blocks read as their first element. */
  function at(block: unknown, path: string): unknown {
    return path.split('.').reduce<unknown>((value, key) => {
      const one = Array.isArray(value) ? (value[0] as unknown) : value;
      return typeof one === 'object' && one !== null ? (one as Record<string, unknown>)[key] : undefined;
    }, block);
  }

  /** The ForceNew attributes of the cluster and node pools that differ between two synths. */
  function forceNewChanges(base: TfStackJson, head: TfStackJson): string[] {
    const changes: string[] = [];
    for (const type of ['azurerm_kubernetes_cluster', 'azurerm_kubernetes_cluster_node_pool']) {
      for (const [name, block] of Object.entries(base.resource[type] ?? {})) {
        const after = head.resource[type]?.[name];
        if (after === undefined) {
          changes.push(`${type}.${name} removed`);
          continue;
        }
        for (const path of FORCE_NEW[type] ?? []) {
          const [before, now] = [at(block, path), at(after, path)];
          // A ForceNew block (network_profile) replaces the resource when it is added or removed; the attributes
          // inside it follow their own flags.
          const isBlock = typeof before === 'object' && before !== null;
          const changed = isBlock ? now === undefined : JSON.stringify(before) !== JSON.stringify(now);
          if (changed) changes.push(`${type}.${name}.${path}`);
        }
      }
    }
    return changes;
  }

  function review(base: TfStackJson, head: TfStackJson): { id: string; action: string }[] {
    const side = (json: TfStackJson): SynthesizedStack => ({
      cloud: 'azure',
      environment: 'prod',
      stack: 'platform-prod',
      file: 'platform-prod/cdk.tf.json',
      bytes: 0,
      json: json as unknown as Record<string, unknown>,
    });
    return diffAzureEnvironment('prod', [side(base)], [side(head)], { newEnvironment: false })
      .changes.filter((c) => c.type.startsWith('azurerm_kubernetes_cluster'))
      .map((c) => ({ id: c.id, action: c.action }));
  }

  const spec = kubernetesSpec();
  const heads: Record<string, TfStackJson> = {
    'version 1.35 to 1.36': synthKubernetes({ prometheus: false, spec: { ...spec, version: '1.36' } }),
    'a larger VM size and more nodes in every pool': synthKubernetes({
      prometheus: false,
      spec: {
        ...spec,
        pools: spec.pools.map((p) => ({
          ...p,
          size: 'xlarge' as const,
          minCount: p.minCount + 1,
          maxCount: p.maxCount + 5,
        })),
      },
    }),
    'fewer zones and a larger disk': synthKubernetes({
      prometheus: false,
      spec: { ...spec, pools: spec.pools.map((p) => ({ ...p, zones: 2, diskGiB: 256 })) },
    }),
  };

  test.each(Object.keys(heads))('%s changes no ForceNew attribute and is an in-place update', (name) => {
    const head = heads[name]!;
    expect(forceNewChanges(prod, head)).toEqual([]);
    const changes = review(prod, head);
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.filter((c) => c.action !== 'update')).toEqual([]);
  });

  test('the review reports a ForceNew change of the cluster (its pod range) as a replacement', () => {
    const head = synthKubernetes({ prometheus: false, cluster: { reservedCidrs: ['10.244.0.0/16'] } });
    expect(forceNewChanges(prod, head)).toEqual([
      `azurerm_kubernetes_cluster.${clusterAddress}.network_profile.dns_service_ip`,
      `azurerm_kubernetes_cluster.${clusterAddress}.network_profile.pod_cidr`,
      `azurerm_kubernetes_cluster.${clusterAddress}.network_profile.service_cidr`,
    ]);
    expect(review(prod, head)).toContainEqual({
      id: expect.stringContaining(clusterAddress) as unknown as string,
      action: 'replace',
    });
  });
});
