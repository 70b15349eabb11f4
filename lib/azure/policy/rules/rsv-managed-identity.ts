import { blocks, isExpression, type PolicyRule } from '../rule';
import { subject } from './util';

/**
 * CKV2_AZURE_35 (checkov AzureRecoveryServicesvaultConfigManagedIdentity): a Recovery Services vault has a managed
 * identity (`identity.type` set), which customer-managed-key encryption and private endpoints need.
 */
export const rsvManagedIdentity: PolicyRule = {
  id: 'CKV2_AZURE_35',
  severity: 'error',
  title: 'Recovery Services vaults have a managed identity',
  resourceTypes: ['azurerm_recovery_services_vault'],
  check(vault) {
    if (isExpression(vault.config.identity)) return [];
    const type = blocks(vault.config, 'identity')[0]?.type;
    if (typeof type === 'string' && type.trim() !== '') return [];
    return [`${subject(vault)} has no identity: add identity { type = "SystemAssigned" }`];
  },
};
