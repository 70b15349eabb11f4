import type { PolicyRule } from '../rule';
import { aksSubject } from './aks-subject';
import { readString } from './util';

/**
 * PC_AZURE_AKS_UPGRADE_CHANNEL (checkov CKV_AZURE_171, AKSUpgradeChannel): AKS upgrades the cluster itself, both the
 * Kubernetes patch version (`automatic_upgrade_channel`, not `none`) and the node images
 * (`node_os_upgrade_channel`, not `None` or `Unmanaged`), so security fixes reach the nodes without anyone acting.
 */
export const aksUpgradeChannel: PolicyRule = {
  id: 'PC_AZURE_AKS_UPGRADE_CHANNEL',
  severity: 'error',
  title: 'AKS clusters upgrade their patch version and node images automatically',
  resourceTypes: ['azurerm_kubernetes_cluster'],
  check(cluster) {
    const problems: string[] = [];
    const channel = readString(cluster.config, 'automatic_upgrade_channel');
    if (channel === undefined || channel === 'none') {
      problems.push(
        `${aksSubject(cluster)} ${channel === undefined ? 'leaves automatic_upgrade_channel unset (no automatic upgrades)' : 'sets automatic_upgrade_channel = "none"'}: set it to "patch" (keeps the minor version the spec names)`,
      );
    }
    const nodeOs = readString(cluster.config, 'node_os_upgrade_channel');
    if (nodeOs === 'None' || nodeOs === 'Unmanaged') {
      problems.push(
        `${aksSubject(cluster)} sets node_os_upgrade_channel = "${nodeOs}": set it to "NodeImage" (or "SecurityPatch")`,
      );
    }
    return problems;
  },
};
