import type { StorageAccountConfig } from '@cdktf/provider-azurerm/lib/storage-account';
import type { Construct } from 'constructs';
import { storageNoAnonymousBlobAccess } from '../../../lib/azure/policy/rules/storage-no-anonymous-blob-access';
import { storageAccount } from './fixtures/storage';
import { findingsOf } from './helpers';

/** The account each test judges: azurerm_storage_account.data, named stdataweu. */
const account = (scope: Construct, overrides: Partial<StorageAccountConfig> = {}) =>
  storageAccount(scope, 'data', { name: 'stdataweu', ...overrides });

describe('CKV2_AZURE_47 storage accounts allow no anonymous blob access', () => {
  test('Compliance: allow_nested_items_to_be_public = false', () => {
    expect(
      findingsOf(storageNoAnonymousBlobAccess, (scope) => account(scope, { allowNestedItemsToBePublic: false })),
    ).toEqual([]);
  });

  test('Noncompliance: left out, azurerm 4.55 defaults it to true', () => {
    const findings = findingsOf(storageNoAnonymousBlobAccess, (scope) => account(scope));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: 'CKV2_AZURE_47',
      severity: 'error',
      address: 'azurerm_storage_account.data',
    });
    expect(findings[0]!.message).toBe(
      'azurerm_storage_account.data (storage account stdataweu) leaves allow_nested_items_to_be_public unset (the provider defaults to true): set allow_nested_items_to_be_public = false',
    );
  });

  test('Noncompliance: set to true', () => {
    const findings = findingsOf(storageNoAnonymousBlobAccess, (scope) =>
      account(scope, { allowNestedItemsToBePublic: true }),
    );
    expect(findings.map((f) => f.message)).toEqual([
      'azurerm_storage_account.data (storage account stdataweu) sets allow_nested_items_to_be_public = true: set allow_nested_items_to_be_public = false',
    ]);
  });
});
