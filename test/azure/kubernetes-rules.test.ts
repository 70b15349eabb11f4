import * as aks from '@cdktf/provider-azurerm/lib/kubernetes-cluster';
import * as nodePool from '@cdktf/provider-azurerm/lib/kubernetes-cluster-node-pool';
import * as ruleGroup from '@cdktf/provider-azurerm/lib/monitor-alert-prometheus-rule-group';
import type { Construct } from 'constructs';
import {
  KubernetesCluster,
  ManagedPrometheus,
  Monitoring,
  renderKubernetesClusterConfig,
  renderNodePoolConfig,
  type KubernetesClusterProps,
} from '../../lib/azure';
import { checkTerraform } from '../../lib/azure/policy/engine';
import type { PolicyRule } from '../../lib/azure/policy/rule';
import { AZURE_RULES } from '../../lib/azure/policy/rules';
import { aksAzureRbac } from '../../lib/azure/policy/rules/aks-azure-rbac';
import { aksHostEncryption } from '../../lib/azure/policy/rules/aks-host-encryption';
import { aksLocalAccountsDisabled } from '../../lib/azure/policy/rules/aks-local-accounts-disabled';
import { aksNetworkPolicy } from '../../lib/azure/policy/rules/aks-network-policy';
import { aksPolicyAddon } from '../../lib/azure/policy/rules/aks-policy-addon';
import { aksPrivateCluster } from '../../lib/azure/policy/rules/aks-private-cluster';
import { aksUpgradeChannel } from '../../lib/azure/policy/rules/aks-upgrade-channel';
import { alertHasAction } from '../../lib/azure/policy/rules/alert-has-action';
import { productionApp } from '../util/azure-production';
import { prodEnvironment } from '../util/fixtures';
import { temporaryFolders } from '../util/temp';
import { readStackJson } from '../util/terraform';
import { findingsOf, synthStack } from './policy/helpers';

import { kubernetesSpec, prometheusSpec } from './kubernetes-fixtures';

const folder = temporaryFolders('azure-aks-rules-');
const SUBNET =
  '/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/snet-workloads';
const WORKSPACE = '/subscriptions/0/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/log';
const AG = '/subscriptions/0/resourceGroups/rg/providers/microsoft.insights/actionGroups/ag';
const AKS_RULES: readonly PolicyRule[] = [
  aksPrivateCluster,
  aksLocalAccountsDisabled,
  aksAzureRbac,
  aksNetworkPolicy,
  aksHostEncryption,
  aksUpgradeChannel,
  aksPolicyAddon,
];

/** The props KubernetesCluster renders from, with an imported monitoring. */
function props(scope: Construct): KubernetesClusterProps {
  const env = prodEnvironment();
  return {
    spec: kubernetesSpec(),
    environment: 'prod',
    tier: 'production',
    resourceGroup: { name: 'rg', location: 'westeurope' },
    network: {
      virtualNetworkId: SUBNET.replace(/\/subnets\/.*$/, ''),
      subnetIds: { workloads: SUBNET, data: SUBNET, apps: SUBNET },
    },
    networkCidr: env.network.cidr,
    monitoring: Monitoring.fromMonitoringAttributes(scope, 'monitoring', {
      environment: 'prod',
      workspaceId: WORKSPACE,
      actionGroupIds: { critical: AG, warning: AG },
      resourceGroup: { name: 'rg', location: 'westeurope' },
    }),
    patching: env.patching,
  };
}

/** A cluster as KubernetesCluster renders it, with `change` applied to its config. */
function cluster(
  scope: Construct,
  change: (config: aks.KubernetesClusterConfig) => aks.KubernetesClusterConfig = (c) => c,
): void {
  new aks.KubernetesCluster(scope, 'aks', change(renderKubernetesClusterConfig(props(scope), '/identity')));
}

/** A copy of `value` without `keys`. */
function without<T extends object, K extends keyof T>(value: T, ...keys: K[]): Omit<T, K> {
  const copy = { ...value };
  for (const key of keys) delete copy[key];
  return copy;
}

function messages(rule: PolicyRule, build: (scope: Construct) => void): string[] {
  return findingsOf(rule, build).map((f) => f.message);
}

describe('the AKS rules on the cluster KubernetesCluster builds', () => {
  test('Compliance: the production cluster and Managed Prometheus have no finding of any rule, acknowledged or not', () => {
    const outdir = folder();
    productionApp(prodEnvironment(), outdir, ({ env, stack, resourceGroup, monitoring, network }) => {
      const built = new KubernetesCluster(stack, 'kubernetes', {
        spec: kubernetesSpec(),
        environment: env.name,
        tier: 'production',
        resourceGroup,
        network,
        networkCidr: env.network.cidr,
        monitoring,
        patching: env.patching,
      });
      new ManagedPrometheus(stack, 'prometheus', {
        spec: prometheusSpec(),
        environment: env.name,
        resourceGroup,
        cluster: built,
        monitoring,
      });
    }).synth();
    const json = readStackJson(outdir, 'env');
    const findings = checkTerraform(json, { tier: 'production', rules: AZURE_RULES });
    const ours = findings.filter((f) => /^env\/(kubernetes|prometheus)\//.test(f.path ?? ''));
    expect(ours).toEqual([]);
    expect(findings.filter((f) => f.acknowledgedReason === undefined && f.severity === 'error')).toEqual([]);
    // The filter above saw the cluster, its pool and the rule group.
    const paths = Object.values(json.resource)
      .flatMap((ofType) => Object.values(ofType))
      .map((r) => r['//']?.metadata?.path ?? '');
    expect(paths).toEqual(
      expect.arrayContaining(['env/kubernetes/Resource', 'env/kubernetes/pool-apps', 'env/prometheus/Rules']),
    );
  });

  test('Noncompliance: a cluster that breaks every AKS rule gets one finding per rule', () => {
    const findings = checkTerraform(
      synthStack((scope) =>
        cluster(scope, (config) => ({
          ...without(config, 'azurePolicyEnabled', 'networkProfile'),
          privateClusterEnabled: false,
          localAccountDisabled: false,
          azureActiveDirectoryRoleBasedAccessControl: { azureRbacEnabled: false },
          defaultNodePool: { ...config.defaultNodePool, hostEncryptionEnabled: false },
          automaticUpgradeChannel: 'none',
        })),
      ),
      { tier: 'production', rules: AKS_RULES },
    );
    expect(findings.map((f) => f.ruleId).sort()).toEqual(AKS_RULES.map((r) => r.id).sort());
  });

  test.each(AKS_RULES.map((rule) => [rule.id, rule] as const))(
    'Compliance: %s passes the rendered cluster',
    (_, rule) => {
      expect(messages(rule, (scope) => cluster(scope))).toEqual([]);
    },
  );
});

describe('PC_AZURE_AKS_PRIVATE_CLUSTER', () => {
  test('Noncompliance: a public API server', () => {
    expect(messages(aksPrivateCluster, (s) => cluster(s, (c) => ({ ...c, privateClusterEnabled: false })))).toEqual([
      'azurerm_kubernetes_cluster.aks (AKS cluster aks-platform-prod-weu) has a public API server: set private_cluster_enabled = true (ForceNew: on an existing cluster this re-creates it, and every workload in it)',
    ]);
  });
});

describe('PC_AZURE_AKS_LOCAL_ACCOUNTS_DISABLED', () => {
  test('Noncompliance: local accounts left on by default', () => {
    expect(messages(aksLocalAccountsDisabled, (s) => cluster(s, (c) => without(c, 'localAccountDisabled')))).toEqual([
      'azurerm_kubernetes_cluster.aks (AKS cluster aks-platform-prod-weu) leaves local_account_disabled unset (the provider defaults to false): set local_account_disabled = true (sign-in through Entra ID only)',
    ]);
  });
});

describe('PC_AZURE_AKS_AZURE_RBAC', () => {
  test('Noncompliance: Entra ID without Azure RBAC', () => {
    expect(
      messages(aksAzureRbac, (s) =>
        cluster(s, (c) => ({ ...c, azureActiveDirectoryRoleBasedAccessControl: { azureRbacEnabled: false } })),
      ),
    ).toEqual([
      'azurerm_kubernetes_cluster.aks (AKS cluster aks-platform-prod-weu) does not set azure_active_directory_role_based_access_control.azure_rbac_enabled = true: add the block with azure_rbac_enabled = true (Kubernetes permissions as Azure role assignments)',
    ]);
  });

  test('Noncompliance: Kubernetes RBAC off and no Entra ID block, two problems', () => {
    const found = messages(aksAzureRbac, (s) =>
      cluster(s, (c) => ({
        ...without(c, 'azureActiveDirectoryRoleBasedAccessControl'),
        roleBasedAccessControlEnabled: false,
      })),
    );
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/sets role_based_access_control_enabled = false: set it to true \(ForceNew/);
    expect(found[1]).toMatch(/has no azure_active_directory_role_based_access_control block/);
  });
});

describe('PC_AZURE_AKS_NETWORK_POLICY', () => {
  test('Noncompliance: no network policy engine', () => {
    expect(
      messages(aksNetworkPolicy, (s) =>
        cluster(s, (c) => ({ ...c, networkProfile: { networkPlugin: 'azure', networkPluginMode: 'overlay' } })),
      ),
    ).toEqual([
      'azurerm_kubernetes_cluster.aks (AKS cluster aks-platform-prod-weu) has no network policy engine: set network_profile.network_policy (cilium with network_data_plane = "cilium"; render the network_profile block from the start: the block is ForceNew)',
    ]);
  });
});

describe('PC_AZURE_AKS_HOST_ENCRYPTION', () => {
  test('Noncompliance: the default pool without encryption at host', () => {
    expect(
      messages(aksHostEncryption, (s) =>
        cluster(s, (c) => ({ ...c, defaultNodePool: { ...c.defaultNodePool, hostEncryptionEnabled: false } })),
      ),
    ).toEqual([
      'azurerm_kubernetes_cluster.aks (AKS cluster aks-platform-prod-weu) does not encrypt at the host: set default_node_pool.host_encryption_enabled = true on a VM size that supports it (register the Microsoft.Compute EncryptionAtHost feature first; set temporary_name_for_rotation so the pool rotates)',
    ]);
  });

  test('Compliance and noncompliance of node pools: only the pool without encryption at host is reported', () => {
    const findings = findingsOf(aksHostEncryption, (s) => {
      const p = props(s);
      const pool = p.spec.pools[1]!;
      new nodePool.KubernetesClusterNodePool(s, 'encrypted', renderNodePoolConfig(pool, p, '/cluster'));
      new nodePool.KubernetesClusterNodePool(s, 'plain', {
        ...renderNodePoolConfig({ ...pool, name: 'plain' }, p, '/cluster'),
        hostEncryptionEnabled: false,
      });
    });
    expect(findings.map((f) => f.message)).toEqual([
      'azurerm_kubernetes_cluster_node_pool.plain (AKS node pool plain) does not encrypt at the host: set host_encryption_enabled = true on a VM size that supports it (register the Microsoft.Compute EncryptionAtHost feature first; set temporary_name_for_rotation so the pool rotates)',
    ]);
  });
});

describe('PC_AZURE_AKS_UPGRADE_CHANNEL', () => {
  test('Noncompliance: automatic upgrades off', () => {
    expect(messages(aksUpgradeChannel, (s) => cluster(s, (c) => ({ ...c, automaticUpgradeChannel: 'none' })))).toEqual([
      'azurerm_kubernetes_cluster.aks (AKS cluster aks-platform-prod-weu) sets automatic_upgrade_channel = "none": set it to "patch" (keeps the minor version the spec names)',
    ]);
  });

  test('Noncompliance: node images never upgraded', () => {
    expect(messages(aksUpgradeChannel, (s) => cluster(s, (c) => ({ ...c, nodeOsUpgradeChannel: 'None' })))).toEqual([
      'azurerm_kubernetes_cluster.aks (AKS cluster aks-platform-prod-weu) sets node_os_upgrade_channel = "None": set it to "NodeImage" (or "SecurityPatch")',
    ]);
  });
});

describe('PC_AZURE_AKS_POLICY_ADDON', () => {
  test('Noncompliance: no Azure Policy add-on', () => {
    expect(messages(aksPolicyAddon, (s) => cluster(s, (c) => without(c, 'azurePolicyEnabled')))).toEqual([
      'azurerm_kubernetes_cluster.aks (AKS cluster aks-platform-prod-weu) does not run the Azure Policy add-on: set azure_policy_enabled = true',
    ]);
  });
});

describe('PC_AZURE_ALERT_ACTION on Prometheus rule groups', () => {
  const group = (scope: Construct, withAction: boolean): void => {
    new ruleGroup.MonitorAlertPrometheusRuleGroup(scope, 'rules', {
      name: 'platform-prod-kubernetes',
      location: 'westeurope',
      resourceGroupName: 'rg',
      scopes: ['/amw'],
      rule: [
        { alert: 'KubeNodeNotReady', expression: 'up == 0', ...(withAction && { action: [{ actionGroupId: AG }] }) },
        // A recording rule raises nothing, so it needs no action.
        { record: 'platform:up:sum', expression: 'sum(up)' },
      ],
    });
  };

  test('Compliance: every alert rule has an action group', () => {
    expect(messages(alertHasAction, (s) => group(s, true))).toEqual([]);
  });

  test('Noncompliance: an alert rule that notifies nobody', () => {
    expect(messages(alertHasAction, (s) => group(s, false))).toEqual([
      'azurerm_monitor_alert_prometheus_rule_group.rules (Prometheus rule group platform-prod-kubernetes) has alert rule KubeNodeNotReady that notifies nobody: add an action block with an action group to the rule (ManagedPrometheus does this)',
    ]);
  });
});
