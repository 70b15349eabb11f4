import { StorageAccount, type StorageAccountConfig } from '@cdktf/provider-azurerm/lib/storage-account';
import type { Construct } from 'constructs';
import { storageMinTls } from '../../../lib/azure/policy/rules/storage-min-tls';
import { findingsOf } from './helpers';

function account(scope: Construct, id: string, props: Partial<StorageAccountConfig> = {}): void {
  new StorageAccount(scope, id, {
    name: `st${id}`,
    location: 'westeurope',
    resourceGroupName: 'rg',
    accountTier: 'Standard',
    accountReplicationType: 'ZRS',
    ...props,
  });
}

describe('CKV_AZURE_44 storage accounts require TLS 1.2', () => {
  test('Compliance: left out (azurerm 4.x defaults to TLS1_2), TLS1_2 or TLS1_3', () => {
    const findings = findingsOf(storageMinTls, (scope) => {
      account(scope, 'default');
      account(scope, 'tls12', { minTlsVersion: 'TLS1_2' });
      account(scope, 'tls13', { minTlsVersion: 'TLS1_3' });
    });
    expect(findings).toEqual([]);
  });

  test('Noncompliance: TLS1_0 and TLS1_1', () => {
    const findings = findingsOf(storageMinTls, (scope) => {
      account(scope, 'legacy', { minTlsVersion: 'TLS1_0' });
      account(scope, 'old', { minTlsVersion: 'TLS1_1' });
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
