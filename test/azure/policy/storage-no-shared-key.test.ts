import type { StorageAccountConfig } from '@cdktf/provider-azurerm/lib/storage-account';
import type { Construct } from 'constructs';
import { storageNoSharedKey } from '../../../lib/azure/policy/rules/storage-no-shared-key';
import { storageAccount } from './fixtures/storage';
import { findingsOf } from './helpers';

/** The account each test judges: azurerm_storage_account.data, named stdataweu. */
const account = (scope: Construct, overrides: Partial<StorageAccountConfig> = {}) =>
  storageAccount(scope, 'data', { name: 'stdataweu', ...overrides });

const FIX =
  'set shared_access_key_enabled = false, and storage_use_azuread = true on the azurerm provider so Terraform reaches the data plane with Entra ID';

describe('CKV2_AZURE_40 storage accounts refuse Shared Key authorization', () => {
  test('Compliance: shared_access_key_enabled = false', () => {
    expect(findingsOf(storageNoSharedKey, (scope) => account(scope, { sharedAccessKeyEnabled: false }))).toEqual([]);
  });

  test('Noncompliance: left out, the provider defaults to true', () => {
    const findings = findingsOf(storageNoSharedKey, (scope) => account(scope));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: 'CKV2_AZURE_40',
      severity: 'error',
      address: 'azurerm_storage_account.data',
    });
    expect(findings[0]!.message).toBe(
      `azurerm_storage_account.data (storage account stdataweu) leaves shared_access_key_enabled unset (the provider defaults to true): ${FIX}`,
    );
  });

  test('Noncompliance: set to true', () => {
    const findings = findingsOf(storageNoSharedKey, (scope) => account(scope, { sharedAccessKeyEnabled: true }));
    expect(findings.map((f) => f.message)).toEqual([
      `azurerm_storage_account.data (storage account stdataweu) sets shared_access_key_enabled = true: ${FIX}`,
    ]);
  });
});
