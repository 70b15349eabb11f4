import { blocks, type PolicyRule } from '../rule';
import { aksSubject } from './aks-subject';

/**
 * PC_AZURE_AKS_NETWORK_POLICY (checkov CKV_AZURE_7, AKSNetworkPolicy): an AKS cluster enforces Kubernetes network
 * policies (`network_profile.network_policy`: cilium, azure or calico), so traffic between pods can be restricted.
 * Without an engine, NetworkPolicy objects are accepted and silently ignored.
 */
export const aksNetworkPolicy: PolicyRule = {
  id: 'PC_AZURE_AKS_NETWORK_POLICY',
  severity: 'error',
  title: 'AKS clusters enforce network policies',
  resourceTypes: ['azurerm_kubernetes_cluster'],
  check(cluster) {
    const [profile] = blocks(cluster.config, 'network_profile');
    const policy = profile?.network_policy;
    if (typeof policy === 'string' && policy.length > 0) return [];
    return [
      `${aksSubject(cluster)} has no network policy engine: set network_profile.network_policy (cilium with network_data_plane = "cilium"; render the network_profile block from the start: the block is ForceNew)`,
    ];
  },
};
