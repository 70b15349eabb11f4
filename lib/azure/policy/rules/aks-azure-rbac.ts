import { blocks, type PolicyRule } from '../rule';
import { aksSubject } from './aks-subject';
import { readBool } from './util';

/**
 * PC_AZURE_AKS_AZURE_RBAC (checkov CKV_AZURE_5, AKSRbacEnabled, and more): an AKS cluster has Kubernetes RBAC on
 * and Entra ID integration with Azure RBAC (`azure_active_directory_role_based_access_control.azure_rbac_enabled`),
 * so who may do what in the cluster is an Azure role assignment, granted and audited like every other.
 * `role_based_access_control_enabled` is ForceNew.
 */
export const aksAzureRbac: PolicyRule = {
  id: 'PC_AZURE_AKS_AZURE_RBAC',
  severity: 'error',
  title: 'AKS clusters use Kubernetes RBAC with Entra ID and Azure RBAC',
  resourceTypes: ['azurerm_kubernetes_cluster'],
  check(cluster) {
    const problems: string[] = [];
    if (readBool(cluster.config, 'role_based_access_control_enabled') === false) {
      problems.push(
        `${aksSubject(cluster)} sets role_based_access_control_enabled = false: set it to true (ForceNew: on an existing cluster this re-creates it)`,
      );
    }
    const [aad] = blocks(cluster.config, 'azure_active_directory_role_based_access_control');
    const azureRbac = aad === undefined ? undefined : readBool(aad, 'azure_rbac_enabled');
    if (azureRbac !== true && azureRbac !== 'unknown') {
      problems.push(
        `${aksSubject(cluster)} ${aad === undefined ? 'has no azure_active_directory_role_based_access_control block' : 'does not set azure_active_directory_role_based_access_control.azure_rbac_enabled = true'}: add the block with azure_rbac_enabled = true (Kubernetes permissions as Azure role assignments)`,
      );
    }
    return problems;
  },
};
