import type { PolicyRule } from '../rule';
import { expectBool } from './util';

/**
 * CKV_AZURE_110 (checkov KeyVaultEnablesPurgeProtection): a production key vault has purge protection, so no one
 * can purge a deleted vault, key or secret before its retention ends. Production only: purge protection cannot be
 * turned off again, and a development vault must stay disposable. checkov's CKV_AZURE_42 (KeyVaultRecoveryEnabled)
 * tests purge protection plus `soft_delete_enabled`, which azurerm 4.x no longer has, so this rule covers it.
 */
export const keyVaultPurgeProtection: PolicyRule = {
  id: 'CKV_AZURE_110',
  severity: 'error',
  title: 'Production key vaults have purge protection',
  resourceTypes: ['azurerm_key_vault'],
  tiers: ['production'],
  check(vault) {
    return expectBool(vault, 'purge_protection_enabled', {
      expected: true,
      providerDefault: false,
      hint: ' (it cannot be turned off again)',
    });
  },
};
