import type { PolicyRule } from '../rule';
import { aksSubject } from './aks-subject';
import { readBool, stateOf } from './util';

/**
 * PC_AZURE_AKS_LOCAL_ACCOUNTS_DISABLED (checkov CKV_AZURE_141, AKSLocalAdminDisabled): an AKS cluster has no local
 * accounts, so nobody signs in with the static cluster-admin certificate that bypasses Entra ID and cannot be
 * revoked per person.
 */
export const aksLocalAccountsDisabled: PolicyRule = {
  id: 'PC_AZURE_AKS_LOCAL_ACCOUNTS_DISABLED',
  severity: 'error',
  title: 'AKS clusters have no local accounts',
  resourceTypes: ['azurerm_kubernetes_cluster'],
  check(cluster) {
    const value = readBool(cluster.config, 'local_account_disabled');
    if (value === true || value === 'unknown') return [];
    return [
      `${aksSubject(cluster)} ${stateOf('local_account_disabled', value, 'the provider defaults to false')}: set local_account_disabled = true (sign-in through Entra ID only)`,
    ];
  },
};
