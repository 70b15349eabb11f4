import type { PolicyRule } from '../rule';
import { expectBool } from './util';

/**
 * CKV2_AZURE_47 (checkov AzureStorageAccConfigWithoutBlobAnonymousAccess): a storage account lets no container
 * be read anonymously. azurerm 4.55 defaults `allow_nested_items_to_be_public` to true, so leaving it out fails.
 */
export const storageNoAnonymousBlobAccess: PolicyRule = {
  id: 'CKV2_AZURE_47',
  severity: 'error',
  title: 'Storage accounts allow no anonymous blob access',
  resourceTypes: ['azurerm_storage_account'],
  check(account) {
    return expectBool(account, 'allow_nested_items_to_be_public', { expected: false, providerDefault: true });
  },
};
