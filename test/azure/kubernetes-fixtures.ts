import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { App, TerraformStack } from 'cdktf';
import {
  DATA_SAFE_FEATURES,
  KubernetesCluster,
  ManagedPrometheus,
  Monitoring,
  Network,
  type KubernetesClusterProps,
  type ManagedPrometheusProps,
} from '../../lib/azure';
import type { Environment, Tier } from '../../lib/core';
import type { KubernetesSpec, NodePoolSpec, PrometheusSpec } from '../../lib/core/kubernetes';
import { devEnvironment, prodEnvironment } from '../util/fixtures';
import { withTemporaryFolder } from '../util/temp';
import { readStackJson, type TfStackJson } from '../util/terraform';

// Plain resolved sections for the Azure Kubernetes tests, so they do not depend on the spec's defaults.

/** An Entra ID group that administers the cluster. */
export const ADMIN_GROUP = '11111111-2222-3333-4444-555555555555';

/** A system pool and a user pool. */
export function kubernetesSpec(overrides: Partial<KubernetesSpec> = {}): KubernetesSpec {
  const pools: NodePoolSpec[] = [
    { name: 'system', size: 'medium', minCount: 3, maxCount: 6, zones: 3, system: true, diskGiB: 64 },
    { name: 'apps', size: 'large', minCount: 2, maxCount: 10, zones: 3, system: false, diskGiB: 128 },
  ];
  return {
    version: '1.35',
    pools,
    publicApiCidrs: [],
    egress: [],
    admins: { aws: [], azure: [ADMIN_GROUP] },
    ...overrides,
  };
}

/** An alert rule of each severity and a recording rule. */
export function prometheusSpec(overrides: Partial<PrometheusSpec> = {}): PrometheusSpec {
  return {
    interval: '1m',
    rules: [
      {
        kind: 'alert',
        name: 'KubeNodeNotReady',
        expr: 'kube_node_status_condition{job="kube-state-metrics",condition="Ready",status="true"} == 0',
        for: '15m',
        severity: 'warning',
        summary: 'Node is not ready.',
        labels: { team: 'platform' },
        annotations: { description: '{{ $labels.node }} has been unready for more than 15 minutes.' },
      },
      {
        kind: 'alert',
        name: 'KubePersistentVolumeFillingUp',
        expr: 'kubelet_volume_stats_available_bytes{job="kubelet"} / kubelet_volume_stats_capacity_bytes{job="kubelet"} < 0.03',
        for: '1h30m',
        severity: 'critical',
        summary: 'PersistentVolume is filling up.',
        labels: {},
        annotations: {},
      },
      {
        kind: 'record',
        name: 'namespace:container_cpu_usage_seconds_total:sum_rate',
        expr: 'sum by (namespace) (rate(container_cpu_usage_seconds_total{job="kubelet"}[5m]))',
        labels: { source: 'platform' },
      },
    ],
    disabledDefaults: {},
    ...overrides,
  };
}

/** What {@link synthKubernetes} builds. */
export interface KubernetesBuild {
  readonly spec?: KubernetesSpec;
  readonly prometheus?: PrometheusSpec | false;
  readonly tier?: Tier;
  readonly cluster?: Partial<KubernetesClusterProps>;
  readonly managedPrometheus?: Partial<ManagedPrometheusProps>;
}

/** The environment of a tier (its network, patching and monitoring sections). */
export function environmentOf(tier: Tier): Environment {
  return tier === 'production' ? prodEnvironment() : devEnvironment();
}

/**
 * Synthesizes a stack like the environment's (provider, monitoring, network) with a cluster and, unless
 * `prometheus: false`, Managed Prometheus, and parses its cdk.tf.json.
 */
export function synthKubernetes(build: KubernetesBuild = {}): TfStackJson {
  const tier = build.tier ?? 'production';
  const env = environmentOf(tier);
  return withTemporaryFolder('azure-aks-', (outdir) => {
    const app = new App({ outdir, skipValidation: true });
    const stack = new TerraformStack(app, 'env');
    new AzurermProvider(stack, 'azurerm', { features: [DATA_SAFE_FEATURES] });
    const resourceGroup = { name: `rg-platform-${env.name}-weu`, location: 'westeurope' };
    const monitoring = new Monitoring(stack, 'monitoring', { spec: env.monitoring, name: env.name, resourceGroup });
    const network = new Network(stack, 'network', { spec: env.network, name: env.name, resourceGroup });
    const cluster = new KubernetesCluster(stack, 'kubernetes', {
      spec: build.spec ?? kubernetesSpec(),
      environment: env.name,
      tier,
      resourceGroup,
      network,
      networkCidr: env.network.cidr,
      monitoring,
      patching: env.patching,
      retainData: tier === 'production',
      ...build.cluster,
    });
    if (build.prometheus !== false) {
      new ManagedPrometheus(stack, 'prometheus', {
        spec: build.prometheus ?? prometheusSpec(),
        environment: env.name,
        resourceGroup,
        cluster,
        monitoring,
        ...build.managedPrometheus,
      });
    }
    app.synth();
    return readStackJson(outdir, 'env');
  });
}
