import { storageSoftDelete } from '../../../lib/azure/policy/rules/storage-soft-delete';
import { storageAccount } from './fixtures/storage';
import { findingsOf } from './helpers';

describe('CKV2_AZURE_38 storage accounts soft-delete blobs and containers', () => {
  test('Compliance: both retention policies, and a FileStorage account, which has no blobs', () => {
    const findings = findingsOf(storageSoftDelete, (scope) => {
      storageAccount(scope, 'data', {
        blobProperties: { deleteRetentionPolicy: { days: 30 }, containerDeleteRetentionPolicy: { days: 30 } },
      });
      storageAccount(scope, 'files', { accountKind: 'FileStorage', accountTier: 'Premium' });
    });
    expect(findings).toEqual([]);
  });

  test('Noncompliance: no blob_properties at all', () => {
    const findings = findingsOf(storageSoftDelete, (scope) => storageAccount(scope, 'data'));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: 'CKV2_AZURE_38',
      severity: 'error',
      address: 'azurerm_storage_account.data',
    });
    expect(findings[0]!.message).toBe(
      'azurerm_storage_account.data (storage account stdata) has no blob_properties.delete_retention_policy or blob_properties.container_delete_retention_policy: add blob_properties.delete_retention_policy { days = 7 } and blob_properties.container_delete_retention_policy { days = 7 } (or more days)',
    );
  });

  test('Noncompliance: blob soft delete without container soft delete', () => {
    const findings = findingsOf(storageSoftDelete, (scope) =>
      storageAccount(scope, 'data', {
        blobProperties: { deleteRetentionPolicy: { days: 7 }, versioningEnabled: true },
      }),
    );
    expect(findings.map((f) => f.message)).toEqual([
      'azurerm_storage_account.data (storage account stdata) has no blob_properties.container_delete_retention_policy: add blob_properties.container_delete_retention_policy { days = 7 } (or more days)',
    ]);
  });
});
