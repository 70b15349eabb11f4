import type { PolicyRule } from '../rule';
import { expectBool } from './util';

/**
 * CKV_AZURE_3 (checkov StorageAccountsTransportEncryption): a storage account accepts HTTPS only. checkov reads
 * `enable_https_traffic_only`, the azurerm 3.x name, and so misses azurerm 4.x configurations; this rule reads
 * `https_traffic_only_enabled` (default true).
 */
export const storageHttpsOnly: PolicyRule = {
  id: 'CKV_AZURE_3',
  severity: 'error',
  title: 'Storage accounts accept HTTPS only',
  resourceTypes: ['azurerm_storage_account'],
  check(account) {
    return expectBool(account, 'https_traffic_only_enabled', {
      expected: true,
      providerDefault: true,
      hint: ' (or remove it)',
    });
  },
};
