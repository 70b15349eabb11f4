import { checkName, type NameKind } from '../../../core';
import { isExpression, str, type PolicyRule } from '../rule';

/** The name rule of each azurerm type the library names (shared/GUARDRAILS.md, "Limits"). */
export const AZURE_NAME_KINDS: Readonly<Record<string, NameKind>> = {
  azurerm_resource_group: 'azureResourceGroup',
  azurerm_virtual_network: 'azureVirtualNetwork',
  azurerm_subnet: 'azureSubnet',
  azurerm_network_security_group: 'azureNetworkSecurityGroup',
  azurerm_network_interface: 'azureNetworkInterface',
  azurerm_public_ip: 'azurePublicIp',
  azurerm_nat_gateway: 'azureNatGateway',
  azurerm_linux_virtual_machine: 'azureLinuxVirtualMachine',
  azurerm_storage_account: 'azureStorageAccount',
  azurerm_key_vault: 'azureKeyVault',
  azurerm_recovery_services_vault: 'azureRecoveryServicesVault',
  azurerm_log_analytics_workspace: 'azureLogAnalyticsWorkspace',
  azurerm_container_app: 'azureContainerApp',
  azurerm_backup_policy_vm: 'azureBackupPolicy',
  azurerm_kubernetes_cluster: 'azureKubernetesCluster',
  azurerm_kubernetes_cluster_node_pool: 'azureKubernetesNodePool',
  azurerm_monitor_workspace: 'azureMonitorWorkspace',
  azurerm_monitor_data_collection_endpoint: 'azureDataCollectionEndpoint',
  azurerm_monitor_alert_prometheus_rule_group: 'azurePrometheusRuleGroup',
};

/** Types whose names Azure itself requires in lowercase; the others accept any case. */
const LOWERCASE_ONLY = new Set([
  'azurerm_storage_account',
  'azurerm_container_app',
  'azurerm_kubernetes_cluster_node_pool',
]);

/**
 * PC_AZURE_NAME_LIMITS: every name is within its type's length and character limits, so the plan does not
 * fail half-way through an apply.
 */
export const nameLimits: PolicyRule = {
  id: 'PC_AZURE_NAME_LIMITS',
  severity: 'error',
  title: 'Resource names are within Azure limits',
  resourceTypes: Object.keys(AZURE_NAME_KINDS),
  check(resource) {
    const name = str(resource.config, 'name');
    if (name === undefined || isExpression(name)) return [];
    const kind = AZURE_NAME_KINDS[resource.type]!;
    const problem = checkName(kind, LOWERCASE_ONLY.has(resource.type) ? name : name.toLowerCase());
    return problem ? [`${resource.address} name "${name}" ${problem}: choose a name within the limit`] : [];
  },
};
