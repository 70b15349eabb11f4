import { blocks, type PolicyRule } from '../rule';
import { readBool, subject } from './util';

/**
 * CKV_AZURE_2 (checkov AzureManagedDiskEncryption): a managed disk does not turn its encryption off. Like checkov,
 * a disk with `disk_encryption_set_id` passes, and a disk without `encryption_settings` passes because Azure encrypts
 * every managed disk at rest; only `encryption_settings.enabled = false` fails. azurerm 4.x dropped `enabled` from
 * the block, so only an override can set it.
 */
export const diskEncryption: PolicyRule = {
  id: 'CKV_AZURE_2',
  severity: 'error',
  title: 'Managed disks stay encrypted',
  resourceTypes: ['azurerm_managed_disk'],
  check(disk) {
    if (disk.config.disk_encryption_set_id !== undefined && disk.config.disk_encryption_set_id !== null) return [];
    const disabled = blocks(disk.config, 'encryption_settings').some((s) => readBool(s, 'enabled') === false);
    return disabled
      ? [
          `${subject(disk)} sets encryption_settings.enabled = false: remove encryption_settings.enabled, or set disk_encryption_set_id to encrypt with a customer-managed key`,
        ]
      : [];
  },
};
