import type { StorageAccountConfig } from '@cdktf/provider-azurerm/lib/storage-account';
import type { Construct } from 'constructs';
import { storagePublicNetworkAccess } from '../../../lib/azure/policy/rules/storage-public-network-access';
import { storageAccount } from './fixtures/storage';
import { findingsOf } from './helpers';

/** The account each test judges: azurerm_storage_account.data, named stdataweu. */
const account = (scope: Construct, overrides: Partial<StorageAccountConfig> = {}) =>
  storageAccount(scope, 'data', { name: 'stdataweu', ...overrides });

const FIX = 'set public_network_access_enabled = false and reach the account through a private endpoint';

describe('CKV_AZURE_59 storage accounts disable public network access', () => {
  test('Compliance: public_network_access_enabled = false', () => {
    expect(
      findingsOf(storagePublicNetworkAccess, (scope) => account(scope, { publicNetworkAccessEnabled: false })),
    ).toEqual([]);
  });

  test('Noncompliance: left out, the provider defaults to true', () => {
    const findings = findingsOf(storagePublicNetworkAccess, (scope) => account(scope));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: 'CKV_AZURE_59',
      severity: 'error',
      address: 'azurerm_storage_account.data',
    });
    expect(findings[0]!.message).toBe(
      `azurerm_storage_account.data (storage account stdataweu) leaves public_network_access_enabled unset (the provider defaults to true): ${FIX}`,
    );
  });

  test('Noncompliance: set to true', () => {
    const findings = findingsOf(storagePublicNetworkAccess, (scope) =>
      account(scope, { publicNetworkAccessEnabled: true }),
    );
    expect(findings.map((f) => f.message)).toEqual([
      `azurerm_storage_account.data (storage account stdataweu) sets public_network_access_enabled = true: ${FIX}`,
    ]);
  });
});
