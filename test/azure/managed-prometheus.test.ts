import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { App, TerraformStack } from 'cdktf';
import {
  ManagedPrometheus,
  Monitoring,
  PROMETHEUS_RULES_PER_GROUP,
  renderManagedPrometheusNames,
  renderPrometheusRule,
} from '../../lib/azure';
import type { PrometheusRuleSpec } from '../../lib/core/kubernetes';
import { errorOf, prodEnvironment } from '../util/fixtures';
import { schemaProblems, type StackJson } from '../util/provider-schema';
import { withTemporaryFolder } from '../util/temp';
import type { TfResourceBlock, TfStackJson } from '../util/terraform';
import { prometheusSpec, synthKubernetes } from './kubernetes-fixtures';

function all(tf: TfStackJson, type: string): TfResourceBlock[] {
  return Object.values(tf.resource[type] ?? {});
}

function only(tf: TfStackJson, type: string): TfResourceBlock {
  const found = all(tf, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0]!;
}

/** The address of the resource of a type that Managed Prometheus created (under `prometheus/`). */
function addressOf(tf: TfStackJson, type: string): string {
  const [name] = Object.entries(tf.resource[type] ?? {}).find(([, r]) =>
    (r['//']?.metadata?.path ?? '').startsWith('env/prometheus/'),
  ) ?? [Object.keys(tf.resource[type] ?? {})[0]];
  return `${type}.${name!}`;
}

/** The resources of a type that Managed Prometheus created. */
function ours(tf: TfStackJson, type: string): TfResourceBlock[] {
  return all(tf, type).filter((r) => (r['//']?.metadata?.path ?? '').startsWith('env/prometheus/'));
}

const tf = synthKubernetes();
const cluster = addressOf(tf, 'azurerm_kubernetes_cluster');
const workspace = addressOf(tf, 'azurerm_monitor_workspace');
const endpoint = addressOf(tf, 'azurerm_monitor_data_collection_endpoint');
const collectionRule = addressOf(tf, 'azurerm_monitor_data_collection_rule');
const warningGroup = '${azurerm_monitor_action_group.monitoring_action-group-warning_EF254EA2.id}';
const criticalGroup = '${azurerm_monitor_action_group.monitoring_action-group-critical_E49C5443.id}';

describe('ManagedPrometheus (Azure)', () => {
  test('an Azure Monitor workspace amw-platform-<env>-<loc>, kept in production', () => {
    expect(only(tf, 'azurerm_monitor_workspace')).toMatchObject({
      name: 'amw-platform-prod-weu',
      location: 'westeurope',
      resource_group_name: 'rg-platform-prod-weu',
      public_network_access_enabled: true,
      lifecycle: { prevent_destroy: true },
    });
  });

  test("a Linux data collection endpoint in the cluster's region, and a rule sending the Prometheus stream to the workspace", () => {
    expect(only(tf, 'azurerm_monitor_data_collection_endpoint')).toMatchObject({
      name: 'MSProm-weu-platform-prod',
      location: 'westeurope',
      kind: 'Linux',
    });
    expect(ours(tf, 'azurerm_monitor_data_collection_rule')).toEqual([
      expect.objectContaining({
        name: 'MSProm-weu-platform-prod',
        location: 'westeurope',
        kind: 'Linux',
        data_collection_endpoint_id: `\${${endpoint}.id}`,
        destinations: { monitor_account: [{ monitor_account_id: `\${${workspace}.id}`, name: 'MonitoringAccount1' }] },
        data_flow: [{ streams: ['Microsoft-PrometheusMetrics'], destinations: ['MonitoringAccount1'] }],
        data_sources: {
          prometheus_forwarder: [{ name: 'PrometheusDataSource', streams: ['Microsoft-PrometheusMetrics'] }],
        },
      }),
    ]);
  });

  test('two associations with the cluster: the rule, and the endpoint as configurationAccessEndpoint', () => {
    const associations = ours(tf, 'azurerm_monitor_data_collection_rule_association').map((association) =>
      Object.fromEntries(Object.entries(association).filter(([key]) => key !== '//')),
    );
    expect(associations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'platform-prod-prometheus',
          target_resource_id: `\${${cluster}.id}`,
          data_collection_rule_id: `\${${collectionRule}.id}`,
        }),
        {
          name: 'configurationAccessEndpoint',
          target_resource_id: `\${${cluster}.id}`,
          data_collection_endpoint_id: `\${${endpoint}.id}`,
        },
      ]),
    );
    expect(associations).toHaveLength(2);
  });

  test('one rule group bound to the cluster, evaluated every interval', () => {
    expect(only(tf, 'azurerm_monitor_alert_prometheus_rule_group')).toMatchObject({
      name: 'platform-prod-kubernetes',
      location: 'westeurope',
      resource_group_name: 'rg-platform-prod-weu',
      cluster_name: `\${${cluster}.name}`,
      scopes: [`\${${workspace}.id}`, `\${${cluster}.id}`],
      interval: 'PT1M',
      rule_group_enabled: true,
    });
  });

  test('alert rules: for as ISO 8601, Azure severity, labels, annotations, the action group of their severity, auto-resolve', () => {
    const [warning, critical] = only(tf, 'azurerm_monitor_alert_prometheus_rule_group').rule as Record<
      string,
      unknown
    >[];
    expect(warning).toEqual({
      alert: 'KubeNodeNotReady',
      expression: 'kube_node_status_condition{job="kube-state-metrics",condition="Ready",status="true"} == 0',
      for: 'PT15M',
      severity: 2,
      enabled: true,
      labels: { team: 'platform', severity: 'warning' },
      annotations: {
        description: '{{ $labels.node }} has been unready for more than 15 minutes.',
        summary: 'Node is not ready.',
      },
      action: [{ action_group_id: warningGroup }],
      alert_resolution: { auto_resolved: true, time_to_resolve: 'PT10M' },
    });
    expect(critical).toMatchObject({
      alert: 'KubePersistentVolumeFillingUp',
      for: 'PT1H30M',
      severity: 1,
      labels: { severity: 'critical' },
      annotations: { summary: 'PersistentVolume is filling up.' },
      action: [{ action_group_id: criticalGroup }],
    });
  });

  test('recording rules: the record, expression and labels, no alert settings', () => {
    const record = (only(tf, 'azurerm_monitor_alert_prometheus_rule_group').rule as Record<string, unknown>[])[2];
    expect(record).toEqual({
      record: 'namespace:container_cpu_usage_seconds_total:sum_rate',
      expression: 'sum by (namespace) (rate(container_cpu_usage_seconds_total{job="kubelet"}[5m]))',
      labels: { source: 'platform' },
      enabled: true,
    });
  });

  test('more rules than a group holds go to further groups, in order', () => {
    const rule = (i: number): PrometheusRuleSpec => ({
      kind: 'record',
      name: `platform:rule_${i}:sum`,
      expr: `sum(up{job="kubelet"}) + ${i}`,
      labels: {},
    });
    const many = synthKubernetes({
      prometheus: prometheusSpec({
        interval: '5m',
        rules: Array.from({ length: PROMETHEUS_RULES_PER_GROUP + 1 }, (_, i) => rule(i)),
      }),
    });
    const groups = all(many, 'azurerm_monitor_alert_prometheus_rule_group').sort((a, b) =>
      String(a.name).localeCompare(String(b.name)),
    );
    expect(groups.map((g) => [g.name, (g.rule as unknown[]).length, g.interval])).toEqual([
      ['platform-prod-kubernetes', 20, 'PT5M'],
      ['platform-prod-kubernetes-2', 1, 'PT5M'],
    ]);
    expect((groups[1]!.rule as Record<string, unknown>[])[0]!.record).toBe('platform:rule_20:sum');
  });

  test('a rule maps on its own without synthesis', () => {
    const [alert] = prometheusSpec().rules;
    expect(renderPrometheusRule(alert!, (severity) => `ag-${severity}`)).toMatchObject({
      for: 'PT15M',
      severity: 2,
      action: [{ actionGroupId: 'ag-warning' }],
      alertResolution: { autoResolved: true, timeToResolve: 'PT10M' },
    });
  });

  test('names fit in 44 characters', () => {
    const names = renderManagedPrometheusNames({
      environment: 'longestname1',
      resourceGroup: { name: 'rg', location: 'australiasoutheast' },
      locationCode: 'ause',
    });
    expect(names.dataCollection).toBe('MSProm-ause-platform-longestname1');
    expect(names.dataCollection.length).toBeLessThanOrEqual(44);
    expect(names.workspace.length).toBeLessThanOrEqual(44);
  });

  test('the synthesized configuration is valid against the azurerm 4.55.0 schema', () => {
    expect(schemaProblems(tf as unknown as StackJson)).toEqual([]);
  });

  test('an interval outside 1m-15m and a for with milliseconds are refused, every problem at once', () => {
    const [alert] = prometheusSpec().rules;
    const message = errorOf(() =>
      synthKubernetes({
        prometheus: prometheusSpec({ interval: '30m', rules: [{ ...alert!, for: '1m500ms' } as PrometheusRuleSpec] }),
      }),
    ).message;
    expect(message).toMatch(/Invalid ManagedPrometheus props \(env\/prometheus\)/);
    expect(message).toMatch(/spec\.interval: "30m" - from 1m to 15m/);
    expect(message).toMatch(/spec\.rules\[0\]\.for: "1m500ms" - whole seconds/);
  });

  test('overrides of kubernetes/node-readiness and kubernetes/pod-restarts are accepted (they arrive as rules)', () => {
    const env = prodEnvironment();
    const build = (withPrometheus: boolean): void =>
      withTemporaryFolder('azure-prom-alarm-', (outdir) => {
        const app = new App({ outdir, skipValidation: false });
        const stack = new TerraformStack(app, 'env');
        new AzurermProvider(stack, 'azurerm', { features: [{}] });
        const resourceGroup = { name: 'rg', location: 'westeurope' };
        const spec = {
          ...env.monitoring,
          alarms: {
            'kubernetes/node-readiness': { evaluationPeriods: 6 },
            'kubernetes/pod-restarts': { threshold: 3 },
          },
        };
        const monitoring = new Monitoring(stack, 'monitoring', { spec, name: env.name, resourceGroup });
        if (withPrometheus) {
          new ManagedPrometheus(stack, 'prometheus', {
            spec: prometheusSpec(),
            environment: env.name,
            resourceGroup,
            cluster: {
              clusterId: '/subscriptions/0/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks',
              clusterName: 'aks',
              location: 'westeurope',
            },
            monitoring,
          });
        }
        app.synth();
      });
    expect(() => build(false)).toThrow(/kubernetes\/node-readiness.*no alarm has this id/s);
    expect(() => build(true)).not.toThrow();
  });
});
