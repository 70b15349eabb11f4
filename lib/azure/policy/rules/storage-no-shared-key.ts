import type { PolicyRule } from '../rule';
import { expectBool } from './util';

/**
 * CKV2_AZURE_40 (checkov AzureStorageAccConfigSharedKeyAuth): a storage account refuses Shared Key authorization,
 * so every request is authorized with Entra ID; the provider defaults `shared_access_key_enabled` to true.
 */
export const storageNoSharedKey: PolicyRule = {
  id: 'CKV2_AZURE_40',
  severity: 'error',
  title: 'Storage accounts refuse Shared Key authorization',
  resourceTypes: ['azurerm_storage_account'],
  check(account) {
    return expectBool(account, 'shared_access_key_enabled', {
      expected: false,
      providerDefault: true,
      hint: ', and storage_use_azuread = true on the azurerm provider so Terraform reaches the data plane with Entra ID',
    });
  },
};
