import { blocks, isExpression, type PolicyRule } from '../rule';
import { readString, subject } from './util';

/** The soft-delete policies a storage account's `blob_properties` must hold. */
const POLICIES = ['delete_retention_policy', 'container_delete_retention_policy'];

/**
 * CKV2_AZURE_38 (checkov AzureStorageAccountEnableSoftDelete): a storage account keeps deleted blobs and, beyond
 * checkov, deleted containers for a while (`blob_properties.delete_retention_policy` and
 * `container_delete_retention_policy`). Like checkov, FileStorage accounts, which have no blob service, pass.
 */
export const storageSoftDelete: PolicyRule = {
  id: 'CKV2_AZURE_38',
  severity: 'error',
  title: 'Storage accounts soft-delete blobs and containers',
  resourceTypes: ['azurerm_storage_account'],
  check(account) {
    if (readString(account.config, 'account_kind') === 'FileStorage' || isExpression(account.config.blob_properties)) {
      return [];
    }
    const properties = blocks(account.config, 'blob_properties')[0] ?? {};
    const missing = POLICIES.filter((policy) => properties[policy] === undefined || properties[policy] === null);
    if (missing.length === 0) return [];
    const paths = missing.map((policy) => `blob_properties.${policy}`);
    return [
      `${subject(account)} has no ${paths.join(' or ')}: add ${paths.map((p) => `${p} { days = 7 }`).join(' and ')} (or more days)`,
    ];
  },
};
