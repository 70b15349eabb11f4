import type { PolicyRule } from '../rule';
import { aksSubject } from './aks-subject';
import { readBool } from './util';

/**
 * PC_AZURE_AKS_POLICY_ADDON (checkov CKV_AZURE_116, AKSUsesAzurePoliciesAddon): an AKS cluster runs the Azure Policy
 * add-on (Gatekeeper), so the subscription's Kubernetes policies (no privileged pods, allowed images, ...) are
 * audited or enforced inside the cluster.
 */
export const aksPolicyAddon: PolicyRule = {
  id: 'PC_AZURE_AKS_POLICY_ADDON',
  severity: 'error',
  title: 'AKS clusters run the Azure Policy add-on',
  resourceTypes: ['azurerm_kubernetes_cluster'],
  check(cluster) {
    const value = readBool(cluster.config, 'azure_policy_enabled');
    if (value === true || value === 'unknown') return [];
    return [`${aksSubject(cluster)} does not run the Azure Policy add-on: set azure_policy_enabled = true`];
  },
};
