import type { PolicyRule } from '../rule';
import { aksSubject } from './aks-subject';
import { readBool } from './util';

/**
 * PC_AZURE_AKS_PRIVATE_CLUSTER (checkov CKV_AZURE_115, AKSEnablesPrivateClusters): an AKS cluster's API server has a
 * private endpoint only, so it is reached from inside the network and never from the Internet. The attribute is
 * ForceNew: a cluster created public cannot be made private without being replaced (`KubernetesCluster` always
 * creates it private).
 */
export const aksPrivateCluster: PolicyRule = {
  id: 'PC_AZURE_AKS_PRIVATE_CLUSTER',
  severity: 'error',
  title: 'AKS clusters are private',
  resourceTypes: ['azurerm_kubernetes_cluster'],
  check(cluster) {
    const value = readBool(cluster.config, 'private_cluster_enabled');
    if (value === true || value === 'unknown') return [];
    return [
      `${aksSubject(cluster)} has a public API server: set private_cluster_enabled = true (ForceNew: on an existing cluster this re-creates it, and every workload in it)`,
    ];
  },
};
