import type { PolicyRule } from '../rule';
import { expectBool } from './util';

/**
 * CKV_AZURE_59 (checkov StorageAccountDisablePublicAccess): a storage account sets
 * `public_network_access_enabled = false` and is reached through private endpoints; the provider defaults it to true.
 */
export const storagePublicNetworkAccess: PolicyRule = {
  id: 'CKV_AZURE_59',
  severity: 'error',
  title: 'Storage accounts disable public network access',
  resourceTypes: ['azurerm_storage_account'],
  check(account) {
    return expectBool(account, 'public_network_access_enabled', {
      expected: false,
      providerDefault: true,
      hint: ' and reach the account through a private endpoint',
    });
  },
};
