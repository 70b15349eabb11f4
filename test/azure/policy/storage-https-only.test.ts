import { storageHttpsOnly } from '../../../lib/azure/policy/rules/storage-https-only';
import { storageAccount } from './fixtures/storage';
import { findingsOf } from './helpers';

describe('CKV_AZURE_3 storage accounts accept HTTPS only', () => {
  test('Compliance: left at the default (true) or set to true', () => {
    const findings = findingsOf(storageHttpsOnly, (scope) => {
      storageAccount(scope, 'default');
      storageAccount(scope, 'explicit', { httpsTrafficOnlyEnabled: true });
    });
    expect(findings).toEqual([]);
  });

  test('Noncompliance: https_traffic_only_enabled = false', () => {
    const findings = findingsOf(storageHttpsOnly, (scope) =>
      storageAccount(scope, 'logs', { httpsTrafficOnlyEnabled: false }),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: 'CKV_AZURE_3',
      severity: 'error',
      address: 'azurerm_storage_account.logs',
    });
    expect(findings[0]!.message).toBe(
      'azurerm_storage_account.logs (storage account stlogs) sets https_traffic_only_enabled = false: set https_traffic_only_enabled = true (or remove it)',
    );
  });
});
