import { keyVaultSoftDeleteRetention } from '../../../lib/azure/policy/rules/key-vault-soft-delete-retention';
import { keyVault } from './fixtures/vaults';
import { findingsOf } from './helpers';

describe('PC_AZURE_KEY_VAULT_SOFT_DELETE_90_DAYS key vaults keep deleted items for 90 days', () => {
  test('Compliance: left out (90 days) or 90', () => {
    const findings = findingsOf(keyVaultSoftDeleteRetention, (scope) => {
      keyVault(scope, 'default');
      keyVault(scope, 'explicit', { softDeleteRetentionDays: 90 });
    });
    expect(findings).toEqual([]);
  });

  test('Noncompliance: 7 days, in every tier', () => {
    const findings = findingsOf(
      keyVaultSoftDeleteRetention,
      (scope) => keyVault(scope, 'dev', { softDeleteRetentionDays: 7 }),
      'development',
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: 'PC_AZURE_KEY_VAULT_SOFT_DELETE_90_DAYS',
      severity: 'error',
      address: 'azurerm_key_vault.dev',
    });
    expect(findings[0]!.message).toBe(
      'azurerm_key_vault.dev (key vault kv-dev) sets soft_delete_retention_days = 7: set soft_delete_retention_days = 90 (or remove it)',
    );
  });
});
