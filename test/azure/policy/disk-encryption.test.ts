import { ManagedDisk, type ManagedDiskConfig } from '@cdktf/provider-azurerm/lib/managed-disk';
import type { Construct } from 'constructs';
import { diskEncryption } from '../../../lib/azure/policy/rules/disk-encryption';
import { findingsOf } from './helpers';

function disk(scope: Construct, id = 'disk', props: Partial<ManagedDiskConfig> = {}): ManagedDisk {
  return new ManagedDisk(scope, id, {
    name: `disk-${id}`,
    location: 'westeurope',
    resourceGroupName: 'rg',
    storageAccountType: 'Premium_LRS',
    createOption: 'Empty',
    diskSizeGb: 64,
    ...props,
  });
}

describe('CKV_AZURE_2 managed disks stay encrypted', () => {
  test('Compliance: platform-managed encryption by default, a disk encryption set, Azure Disk Encryption settings', () => {
    const findings = findingsOf(diskEncryption, (scope) => {
      disk(scope, 'default');
      disk(scope, 'cmk', { diskEncryptionSetId: 'des-id' });
      disk(scope, 'ade', {
        encryptionSettings: { diskEncryptionKey: { secretUrl: 'https://kv/secrets/k/1', sourceVaultId: 'kv-id' } },
      });
    });
    expect(findings).toEqual([]);
  });

  test('Noncompliance: encryption_settings.enabled = false, which only an override can set in azurerm 4.x', () => {
    const findings = findingsOf(diskEncryption, (scope) =>
      disk(scope).addOverride('encryption_settings', { enabled: false }),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: 'CKV_AZURE_2',
      severity: 'error',
      address: 'azurerm_managed_disk.disk',
    });
    expect(findings[0]!.message).toBe(
      'azurerm_managed_disk.disk (managed disk disk-disk) sets encryption_settings.enabled = false: remove encryption_settings.enabled, or set disk_encryption_set_id to encrypt with a customer-managed key',
    );
  });
});
