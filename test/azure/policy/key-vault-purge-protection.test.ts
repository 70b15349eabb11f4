import { KeyVault, type KeyVaultConfig } from '@cdktf/provider-azurerm/lib/key-vault';
import type { Construct } from 'constructs';
import { keyVaultPurgeProtection } from '../../../lib/azure/policy/rules/key-vault-purge-protection';
import { findingsOf } from './helpers';

function vault(scope: Construct, props: Partial<KeyVaultConfig> = {}): void {
  new KeyVault(scope, 'kv', {
    name: 'kv-platform-prod',
    location: 'westeurope',
    resourceGroupName: 'rg',
    skuName: 'standard',
    tenantId: '00000000-0000-0000-0000-000000000000',
    ...props,
  });
}

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
