import { TerraformResource } from 'cdktf';
import type { Environment } from '../../lib/core';
import { KubernetesCluster, ManagedPrometheus } from '../../lib/azure';
import type { Construct } from 'constructs';
import type { EnvironmentFoundation } from './foundation';

/** The Kubernetes cluster of an environment on Azure, and its managed Prometheus. */
export interface EnvironmentKubernetes {
  /** The AKS cluster. */
  readonly cluster: KubernetesCluster;
  /** Managed Prometheus for the cluster: workspace, data collection and the spec's rules, when `env.prometheus` is set. */
  readonly prometheus?: ManagedPrometheus;
}

/**
 * Adds an environment's Kubernetes cluster to `scope` (the environment's TerraformStack), when `env.kubernetes` is
 * set: the AKS cluster (`kubernetes`) in the network's workloads subnet, leaving through its NAT gateway, and, when
 * `env.prometheus` is set, Managed Prometheus (`prometheus`) with the spec's rules routed to the environment's action
 * groups. Every construct has a fixed id: no Terraform address depends on this function.
 * @returns undefined when the environment has no cluster
 */
export function addKubernetes(
  scope: Construct,
  env: Environment,
  foundation: EnvironmentFoundation,
): EnvironmentKubernetes | undefined {
  const spec = env.kubernetes;
  if (spec === undefined) return undefined;
  const { group, monitoring, network } = foundation;
  // AKS checks at creation that the subnet has its NAT gateway (outbound type userAssignedNATGateway).
  const natAssociation = network.node.tryFindChild('NatGatewayAssociation-workloads');
  const cluster = new KubernetesCluster(scope, 'kubernetes', {
    spec,
    environment: env.name,
    tier: env.tier,
    resourceGroup: group,
    locationCode: env.azure.locationCode,
    network,
    networkCidr: env.network.cidr,
    monitoring,
    patching: env.patching,
    ...(natAssociation instanceof TerraformResource && { dependsOn: [natAssociation] }),
  });
  const prometheus =
    env.prometheus === undefined
      ? undefined
      : new ManagedPrometheus(scope, 'prometheus', {
          spec: env.prometheus,
          environment: env.name,
          resourceGroup: group,
          locationCode: env.azure.locationCode,
          cluster,
          monitoring,
        });
  return { cluster, ...(prometheus && { prometheus }) };
}
