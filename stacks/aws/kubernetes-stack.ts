import type { Construct } from 'constructs';
import type { Environment } from '../../lib/core';
import type { KubernetesSpec, PrometheusSpec } from '../../lib/core/kubernetes';
import { KubernetesCluster, ManagedPrometheus } from '../../lib/aws';
import { EnvironmentStack } from './environment-stack';
import type { FoundationStack } from './foundation-stack';

/** What {@link KubernetesStack} builds: the environment's `kubernetes` and `prometheus` sections. */
export interface KubernetesStackSections {
  /** The resolved `kubernetes` section. */
  readonly kubernetes: KubernetesSpec;
  /**
   * The resolved `prometheus` section.
   * @default - no managed Prometheus
   */
  readonly prometheus?: PrometheusSpec;
}

/**
 * An environment's Kubernetes cluster and its managed Prometheus, `platform-<env>-kubernetes`: its own stack,
 * because its lifecycle (version upgrades, node group changes) differs from the foundation's and a failed update
 * rolls back without holding the foundation. It depends on the foundation (network, monitoring) and may reference
 * it; the foundation never references it: the statements that let Prometheus publish alerts and CloudWatch Logs
 * encrypt the control-plane logs name the workspace and the log group by pattern and by name.
 */
export class KubernetesStack extends EnvironmentStack {
  /** The EKS cluster. */
  public readonly cluster: KubernetesCluster;
  /** The managed Prometheus of the cluster, when the environment has a `prometheus` section. */
  public readonly prometheus?: ManagedPrometheus;

  constructor(
    scope: Construct,
    id: string,
    env: Environment,
    foundation: FoundationStack,
    sections: KubernetesStackSections,
  ) {
    super(scope, id, env, { description: 'Kubernetes cluster and managed Prometheus' });
    this.addStackDependency(foundation, 'the cluster runs in the foundation network and alerts through its topics');
    this.cluster = new KubernetesCluster(this, 'Cluster', {
      spec: sections.kubernetes,
      environment: env.name,
      network: foundation.network,
      monitoring: foundation.monitoring,
      tier: env.tier,
      deletionProtection: env.protection.deletionProtection,
      logRetentionDays: env.monitoring.logRetentionDays,
    });
    foundation.monitoring.allowKubernetesControlPlaneLogs(this.cluster.clusterName);
    if (sections.prometheus) {
      foundation.monitoring.allowPrometheusAlerts();
      this.prometheus = new ManagedPrometheus(this, 'Prometheus', {
        spec: sections.prometheus,
        environment: env.name,
        cluster: this.cluster,
        monitoring: foundation.monitoring,
        logRetentionDays: env.monitoring.logRetentionDays,
      });
    }
  }
}
