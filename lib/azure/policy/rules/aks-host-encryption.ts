import { blocks, type PolicyRule } from '../rule';
import { aksSubject } from './aks-subject';
import { readBool } from './util';

/**
 * PC_AZURE_AKS_HOST_ENCRYPTION (checkov CKV_AZURE_227, AKSEncryptionAtHostEnabled): every AKS node pool (the
 * cluster's default pool and each `azurerm_kubernetes_cluster_node_pool`) encrypts its temporary disks, caches and
 * data flows to storage at the host. A change rotates the pool (with `temporary_name_for_rotation`), never the cluster.
 */
export const aksHostEncryption: PolicyRule = {
  id: 'PC_AZURE_AKS_HOST_ENCRYPTION',
  severity: 'error',
  title: 'AKS node pools encrypt at the host',
  resourceTypes: ['azurerm_kubernetes_cluster', 'azurerm_kubernetes_cluster_node_pool'],
  check(resource) {
    const isCluster = resource.type === 'azurerm_kubernetes_cluster';
    const [pool] = isCluster ? blocks(resource.config, 'default_node_pool') : [resource.config];
    const value = pool === undefined ? undefined : readBool(pool, 'host_encryption_enabled');
    if (value === true || value === 'unknown') return [];
    const attribute = isCluster ? 'default_node_pool.host_encryption_enabled' : 'host_encryption_enabled';
    return [
      `${aksSubject(resource)} does not encrypt at the host: set ${attribute} = true on a VM size that supports it (register the Microsoft.Compute EncryptionAtHost feature first; set temporary_name_for_rotation so the pool rotates)`,
    ];
  },
};
