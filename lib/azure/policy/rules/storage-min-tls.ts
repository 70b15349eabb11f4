import type { PolicyRule } from '../rule';
import { readString, subject, UNKNOWN } from './util';

/** The TLS versions a storage account may require at least. */
const ALLOWED = ['TLS1_2', 'TLS1_3'];

/**
 * CKV_AZURE_44 (checkov StorageAccountMinimumTlsVersion): a storage account requires TLS 1.2 or later. Unlike
 * checkov, which fails a missing `min_tls_version`, an absent one passes: azurerm 4.x defaults it to TLS1_2.
 */
export const storageMinTls: PolicyRule = {
  id: 'CKV_AZURE_44',
  severity: 'error',
  title: 'Storage accounts require TLS 1.2 or later',
  resourceTypes: ['azurerm_storage_account'],
  check(account) {
    const version = readString(account.config, 'min_tls_version');
    if (version === undefined || version === UNKNOWN || ALLOWED.includes(version)) return [];
    return [`${subject(account)} sets min_tls_version = "${version}": set min_tls_version = "TLS1_2" (or remove it)`];
  },
};
