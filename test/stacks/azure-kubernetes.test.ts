import { defineEnvironment, type Environment, type EnvironmentInput } from '../../lib/core';
import { EnvironmentStack, buildAzureApp } from '../../stacks/azure';
import { devInput, prodInput } from '../util/fixtures';
import { schemaProblems, type StackJson } from '../util/provider-schema';
import { temporaryFolders } from '../util/temp';
import { readStackJson, type TfResourceBlock, type TfStackJson } from '../util/terraform';

const folder = temporaryFolders('azure-kubernetes-stack-');
const ADMIN_GROUP = '11111111-2222-3333-4444-555555555555';

function withCluster(base: EnvironmentInput, kubernetes: EnvironmentInput['kubernetes'] = {}): Environment {
  return defineEnvironment({ ...base, kubernetes });
}

/** Synthesizes the environment's stack as `cdktf synth` does (aspects, guardrails) and reads its cdk.tf.json. */
function synth(env: Environment): { stack: EnvironmentStack; json: TfStackJson } {
  const outdir = folder();
  const app = buildAzureApp({ environments: [env], outdir });
  app.synth();
  const stack = app.node.children.find((c): c is EnvironmentStack => c instanceof EnvironmentStack)!;
  return { stack, json: readStackJson(outdir, `platform-${env.name}`) };
}

function all(tf: TfStackJson, type: string): [string, TfResourceBlock][] {
  return Object.entries(tf.resource[type] ?? {});
}

const prod = synth(
  withCluster(prodInput(), {
    pools: [
      { name: 'system', size: 'medium', minCount: 3, maxCount: 6, system: true },
      { name: 'apps', size: 'large', minCount: 2, maxCount: 12 },
    ],
    admins: { azure: [ADMIN_GROUP] },
  }),
);
const [[clusterName, cluster]] = all(prod.json, 'azurerm_kubernetes_cluster') as [[string, TfResourceBlock]];

describe('the Azure environment stack with a kubernetes section', () => {
  test('adds the cluster at kubernetes/ and Managed Prometheus at prometheus/, by fixed addresses', () => {
    expect(cluster['//']?.metadata?.path).toBe('platform-prod/kubernetes/Resource');
    expect(clusterName).toBe('kubernetes_F1EBCA1C');
    expect(all(prod.json, 'azurerm_kubernetes_cluster_node_pool').map(([name]) => name)).toEqual([
      'kubernetes_pool-apps_AEB3E645',
    ]);
    expect(all(prod.json, 'azurerm_monitor_workspace').map(([, r]) => r['//']?.metadata?.path)).toEqual([
      'platform-prod/prometheus/Resource',
    ]);
    expect(prod.stack.kubernetes?.cluster.node.path).toBe('platform-prod/kubernetes');
  });

  test('the cluster is named after the environment and location, in the workloads subnet, after its NAT gateway', () => {
    expect(cluster).toMatchObject({
      name: 'aks-platform-prod-weu',
      node_resource_group: 'rg-platform-prod-aks-weu',
      sku_tier: 'Standard',
      default_node_pool: { vnet_subnet_id: '${azurerm_subnet.network_Subnet-workloads_3C1BDBDE.id}' },
      network_profile: { outbound_type: 'userAssignedNATGateway', pod_cidr: '10.244.0.0/16' },
      azure_active_directory_role_based_access_control: { admin_group_object_ids: [ADMIN_GROUP] },
    });
    expect(cluster.depends_on).toEqual([
      'azurerm_role_assignment.kubernetes_SubnetRole_EF84D830',
      'azurerm_subnet_nat_gateway_association.network_NatGatewayAssociation-workloads_41E27A8F',
    ]);
  });

  test('production keeps the cluster and the metrics workspace (prevent_destroy from the tier)', () => {
    expect(cluster.lifecycle).toEqual({ prevent_destroy: true });
    expect(all(prod.json, 'azurerm_monitor_workspace')[0]![1].lifecycle).toEqual({ prevent_destroy: true });
  });

  test("the default Prometheus rules reach the environment's action groups, and the pack ran with zero findings", () => {
    const [[, group]] = all(prod.json, 'azurerm_monitor_alert_prometheus_rule_group') as [[string, TfResourceBlock]];
    const rules = group.rule as { alert?: string; action?: { action_group_id: string }[] }[];
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        'KubeNodeNotReady',
        'KubePodCrashLooping',
        'KubePersistentVolumeFillingUp',
        'TargetDown',
      ]),
    );
    for (const rule of rules.filter((r) => r.alert !== undefined)) {
      expect(rule.action?.[0]?.action_group_id).toMatch(
        /^\$\{azurerm_monitor_action_group\.monitoring_action-group-(warning|critical)_/,
      );
    }
    expect(prod.json['//']?.['platform-policy']?.rules).toEqual(
      expect.arrayContaining(['PC_AZURE_AKS_PRIVATE_CLUSTER', 'PC_AZURE_AKS_HOST_ENCRYPTION', 'PC_AZURE_ALERT_ACTION']),
    );
  });

  test('the stack is valid against the azurerm 4.55.0 schema', () => {
    expect(schemaProblems(prod.json as unknown as StackJson)).toEqual([]);
  });

  test('development: the Free tier, no prevent_destroy', () => {
    const { json } = synth(withCluster(devInput()));
    const [[, dev]] = all(json, 'azurerm_kubernetes_cluster') as [[string, TfResourceBlock]];
    expect(dev.sku_tier).toBe('Free');
    expect(dev).not.toHaveProperty('lifecycle');
  });

  test('without a kubernetes section there is no cluster and nothing of Managed Prometheus', () => {
    const { stack, json } = synth(defineEnvironment(devInput()));
    expect(stack.kubernetes).toBe(undefined);
    for (const type of [
      'azurerm_kubernetes_cluster',
      'azurerm_monitor_workspace',
      'azurerm_monitor_alert_prometheus_rule_group',
    ]) {
      expect(all(json, type)).toEqual([]);
    }
  });

  test('a public API (AWS only) is refused for the Azure stack with the reason', () => {
    const env = withCluster(prodInput(), { api: { publicCidrs: ['203.0.113.0/24'] } });
    expect(() => synth(env)).toThrow(/spec\.publicApiCidrs.*an AKS cluster is always private/s);
  });
});

describe('the review', () => {
  test("the admin group's role assignment acknowledges its widened access, with the group and the reason", () => {
    const admins = all(prod.json, 'azurerm_role_assignment').filter(
      ([, r]) => r.role_definition_name === 'Azure Kubernetes Service RBAC Cluster Admin',
    );
    expect(admins.map(([, r]) => [r.principal_id, (r['//'] as Record<string, unknown>)['platform:review']])).toEqual([
      [
        ADMIN_GROUP,
        [{ risk: 'security', reason: expect.stringContaining(`group ${ADMIN_GROUP} named in kubernetes.admins`) }],
      ],
    ]);
  });
});
