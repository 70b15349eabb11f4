import type { PolicyRule } from '../rule';
import { readString, subject, UNKNOWN } from './util';

/** The replication types that keep a copy in a second region. */
const GEO_REDUNDANT = ['GRS', 'RAGRS', 'GZRS', 'RAGZRS'];

/**
 * CKV_AZURE_206 (checkov StorageAccountsUseReplication): a production storage account replicates to a second
 * region (GRS, RAGRS, GZRS or RAGZRS). Development accounts may stay LRS or ZRS.
 */
export const storageGeoReplication: PolicyRule = {
  id: 'CKV_AZURE_206',
  severity: 'error',
  title: 'Production storage accounts replicate to a second region',
  resourceTypes: ['azurerm_storage_account'],
  tiers: ['production'],
  check(account) {
    const replication = readString(account.config, 'account_replication_type');
    if (replication === UNKNOWN || (replication !== undefined && GEO_REDUNDANT.includes(replication))) return [];
    return [
      `${subject(account)} sets account_replication_type = "${String(replication)}": set account_replication_type = "GZRS" (or "GRS" where the region has no zones); check terraform plan, as some replication changes re-create the account`,
    ];
  },
};
