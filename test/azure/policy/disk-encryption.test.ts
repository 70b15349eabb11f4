import { diskEncryption } from '../../../lib/azure/policy/rules/disk-encryption';
import { managedDisk } from './fixtures/compute';
import { findingsOf } from './helpers';

describe('CKV_AZURE_2 managed disks stay encrypted', () => {
  test('Compliance: platform-managed encryption by default, a disk encryption set, Azure Disk Encryption settings', () => {
    const findings = findingsOf(diskEncryption, (scope) => {
      managedDisk(scope, 'default');
      managedDisk(scope, 'cmk', { diskEncryptionSetId: 'des-id' });
      managedDisk(scope, 'ade', {
        encryptionSettings: { diskEncryptionKey: { secretUrl: 'https://kv/secrets/k/1', sourceVaultId: 'kv-id' } },
      });
    });
    expect(findings).toEqual([]);
  });

  test('Noncompliance: encryption_settings.enabled = false, which only an override can set in azurerm 4.x', () => {
    const findings = findingsOf(diskEncryption, (scope) =>
      managedDisk(scope, 'disk').addOverride('encryption_settings', { enabled: false }),
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
