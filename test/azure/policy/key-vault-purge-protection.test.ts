import type { KeyVaultConfig } from '@cdktf/provider-azurerm/lib/key-vault';
import type { Construct } from 'constructs';
import { keyVaultPurgeProtection } from '../../../lib/azure/policy/rules/key-vault-purge-protection';
import { keyVault } from './fixtures/vaults';
import { findingsOf } from './helpers';

/** The vault each test judges: azurerm_key_vault.kv, named kv-platform-prod. */
const vault = (scope: Construct, overrides: Partial<KeyVaultConfig> = {}) =>
  keyVault(scope, 'kv', { name: 'kv-platform-prod', ...overrides });

describe('CKV_AZURE_110 production key vaults have purge protection', () => {
  test('Compliance: purge_protection_enabled = true in production', () => {
    expect(findingsOf(keyVaultPurgeProtection, (scope) => vault(scope, { purgeProtectionEnabled: true }))).toEqual([]);
  });

  test('Compliance: no purge protection in development, where the vault stays disposable', () => {
    expect(findingsOf(keyVaultPurgeProtection, (scope) => vault(scope), 'development')).toEqual([]);
  });

  test('Noncompliance: left out in production', () => {
    const findings = findingsOf(keyVaultPurgeProtection, (scope) => vault(scope), 'production');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ ruleId: 'CKV_AZURE_110', severity: 'error', address: 'azurerm_key_vault.kv' });
    expect(findings[0]!.message).toBe(
      'azurerm_key_vault.kv (key vault kv-platform-prod) leaves purge_protection_enabled unset (the provider defaults to false): set purge_protection_enabled = true (it cannot be turned off again)',
    );
  });
});
