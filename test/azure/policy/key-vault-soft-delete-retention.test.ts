import { KeyVault, type KeyVaultConfig } from '@cdktf/provider-azurerm/lib/key-vault';
import type { Construct } from 'constructs';
import { keyVaultSoftDeleteRetention } from '../../../lib/azure/policy/rules/key-vault-soft-delete-retention';
import { findingsOf } from './helpers';

function vault(scope: Construct, id: string, props: Partial<KeyVaultConfig> = {}): void {
  new KeyVault(scope, id, {
    name: `kv-${id}`,
    location: 'westeurope',
    resourceGroupName: 'rg',
    skuName: 'standard',
    tenantId: '00000000-0000-0000-0000-000000000000',
    ...props,
  });
}

describe('PC_AZURE_KEY_VAULT_SOFT_DELETE_90_DAYS key vaults keep deleted items for 90 days', () => {
  test('Compliance: left out (90 days) or 90', () => {
    const findings = findingsOf(keyVaultSoftDeleteRetention, (scope) => {
      vault(scope, 'default');
      vault(scope, 'explicit', { softDeleteRetentionDays: 90 });
    });
    expect(findings).toEqual([]);
  });

  test('Noncompliance: 7 days, in every tier', () => {
    const findings = findingsOf(
      keyVaultSoftDeleteRetention,
      (scope) => vault(scope, 'dev', { softDeleteRetentionDays: 7 }),
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
