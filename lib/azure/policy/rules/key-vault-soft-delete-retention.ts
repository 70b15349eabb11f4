import type { PolicyRule } from '../rule';
import { readNumber, subject, UNKNOWN } from './util';

/** How long a deleted vault, key or secret stays recoverable: Azure's maximum, and the provider's default. */
const RETENTION_DAYS = 90;

/**
 * A key vault keeps deleted vaults, keys and secrets recoverable for 90 days (`soft_delete_retention_days` left out
 * means 90). No checkov check reads the retention: CKV_AZURE_42 tests purge protection and CKV_AZURE_111
 * (KeyVaultEnablesSoftDelete) tests `soft_delete_enabled`, which azurerm 3.0 removed because soft delete is always on.
 */
export const keyVaultSoftDeleteRetention: PolicyRule = {
  id: 'PC_AZURE_KEY_VAULT_SOFT_DELETE_90_DAYS',
  severity: 'error',
  title: 'Key vaults keep deleted items recoverable for 90 days',
  resourceTypes: ['azurerm_key_vault'],
  check(vault) {
    const days = readNumber(vault.config, 'soft_delete_retention_days');
    if (days === undefined || days === UNKNOWN || days >= RETENTION_DAYS) return [];
    return [
      `${subject(vault)} sets soft_delete_retention_days = ${days}: set soft_delete_retention_days = ${RETENTION_DAYS} (or remove it)`,
    ];
  },
};
