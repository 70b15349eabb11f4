import type { KeyVaultConfig } from '@cdktf/provider-azurerm/lib/key-vault';
import type { Construct } from 'constructs';
import { keyVaultPublicNetworkAccess } from '../../../lib/azure/policy/rules/key-vault-public-network-access';
import { keyVault } from './fixtures/vaults';
import { findingsOf } from './helpers';

/** The vault each test judges: azurerm_key_vault.kv, named kv-platform. */
const vault = (scope: Construct, overrides: Partial<KeyVaultConfig> = {}) =>
  keyVault(scope, 'kv', { name: 'kv-platform', ...overrides });

const FIX = 'set public_network_access_enabled = false and reach the vault through a private endpoint';

describe('CKV_AZURE_189 key vaults disable public network access', () => {
  test('Compliance: public_network_access_enabled = false', () => {
    expect(
      findingsOf(keyVaultPublicNetworkAccess, (scope) => vault(scope, { publicNetworkAccessEnabled: false })),
    ).toEqual([]);
  });

  test('Noncompliance: left out, the provider defaults to true', () => {
    const findings = findingsOf(keyVaultPublicNetworkAccess, (scope) => vault(scope));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ ruleId: 'CKV_AZURE_189', severity: 'error', address: 'azurerm_key_vault.kv' });
    expect(findings[0]!.message).toBe(
      `azurerm_key_vault.kv (key vault kv-platform) leaves public_network_access_enabled unset (the provider defaults to true): ${FIX}`,
    );
  });

  test('Noncompliance: a firewalled public endpoint is still public (stricter than checkov)', () => {
    const findings = findingsOf(keyVaultPublicNetworkAccess, (scope) =>
      vault(scope, {
        publicNetworkAccessEnabled: true,
        networkAcls: { defaultAction: 'Deny', bypass: 'AzureServices', ipRules: ['203.0.113.10/32'] },
      }),
    );
    expect(findings.map((f) => f.message)).toEqual([
      `azurerm_key_vault.kv (key vault kv-platform) sets public_network_access_enabled = true: ${FIX}`,
    ]);
  });
});
