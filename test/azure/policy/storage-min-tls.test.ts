import { storageMinTls } from '../../../lib/azure/policy/rules/storage-min-tls';
import { storageAccount } from './fixtures/storage';
import { findingsOf } from './helpers';

describe('CKV_AZURE_44 storage accounts require TLS 1.2', () => {
  test('Compliance: left out (azurerm 4.x defaults to TLS1_2), TLS1_2 or TLS1_3', () => {
    const findings = findingsOf(storageMinTls, (scope) => {
      storageAccount(scope, 'default');
      storageAccount(scope, 'tls12', { minTlsVersion: 'TLS1_2' });
      storageAccount(scope, 'tls13', { minTlsVersion: 'TLS1_3' });
    });
    expect(findings).toEqual([]);
  });

  test('Noncompliance: TLS1_0 and TLS1_1', () => {
    const findings = findingsOf(storageMinTls, (scope) => {
      storageAccount(scope, 'legacy', { minTlsVersion: 'TLS1_0' });
      storageAccount(scope, 'old', { minTlsVersion: 'TLS1_1' });
    });
    expect(findings.map((f) => [f.ruleId, f.severity, f.address])).toEqual([
      ['CKV_AZURE_44', 'error', 'azurerm_storage_account.legacy'],
      ['CKV_AZURE_44', 'error', 'azurerm_storage_account.old'],
    ]);
    expect(findings.map((f) => f.message)).toEqual([
      'azurerm_storage_account.legacy (storage account stlegacy) sets min_tls_version = "TLS1_0": set min_tls_version = "TLS1_2" (or remove it)',
      'azurerm_storage_account.old (storage account stold) sets min_tls_version = "TLS1_1": set min_tls_version = "TLS1_2" (or remove it)',
    ]);
  });
});
