import { storageGeoReplication } from '../../../lib/azure/policy/rules/storage-geo-replication';
import { storageAccount } from './fixtures/storage';
import { findingsOf } from './helpers';

const LRS_MESSAGE =
  'azurerm_storage_account.data (storage account stdata) sets account_replication_type = "LRS": set account_replication_type = "GZRS" (or "GRS" where the region has no zones); check terraform plan, as some replication changes re-create the account';

describe('CKV_AZURE_206 production storage accounts replicate to a second region', () => {
  test('Compliance: GRS, RAGRS, GZRS and RAGZRS in production', () => {
    const findings = findingsOf(
      storageGeoReplication,
      (scope) =>
        ['GRS', 'RAGRS', 'GZRS', 'RAGZRS'].forEach((type) =>
          storageAccount(scope, type.toLowerCase(), { accountReplicationType: type }),
        ),
      'production',
    );
    expect(findings).toEqual([]);
  });

  test('Compliance: LRS in development, where the rule does not apply', () => {
    expect(
      findingsOf(
        storageGeoReplication,
        (scope) => storageAccount(scope, 'data', { accountReplicationType: 'LRS' }),
        'development',
      ),
    ).toEqual([]);
  });

  test('Noncompliance: LRS and ZRS in production', () => {
    const findings = findingsOf(
      storageGeoReplication,
      (scope) => {
        storageAccount(scope, 'data', { accountReplicationType: 'LRS' });
        storageAccount(scope, 'zonal', { accountReplicationType: 'ZRS' });
      },
      'production',
    );
    expect(findings.map((f) => [f.ruleId, f.severity, f.address])).toEqual([
      ['CKV_AZURE_206', 'error', 'azurerm_storage_account.data'],
      ['CKV_AZURE_206', 'error', 'azurerm_storage_account.zonal'],
    ]);
    expect(findings[0]!.message).toBe(LRS_MESSAGE);
    expect(findings[1]!.message).toBe(
      'azurerm_storage_account.zonal (storage account stzonal) sets account_replication_type = "ZRS": set account_replication_type = "GZRS" (or "GRS" where the region has no zones); check terraform plan, as some replication changes re-create the account',
    );
  });
});
