import { diskNetworkAccessPolicy } from '../../../lib/azure/policy/rules/disk-network-access-policy';
import { managedDisk } from './fixtures/compute';
import { findingsOf } from './helpers';

describe('PC_AZURE_DISK_NETWORK_ACCESS_POLICY managed disks export privately or not at all', () => {
  test('Compliance: DenyAll, or AllowPrivate through a disk access', () => {
    const findings = findingsOf(diskNetworkAccessPolicy, (scope) => {
      managedDisk(scope, 'deny', { networkAccessPolicy: 'DenyAll' });
      managedDisk(scope, 'private', { networkAccessPolicy: 'AllowPrivate', diskAccessId: 'disk-access-id' });
    });
    expect(findings).toEqual([]);
  });

  test('Noncompliance: left out (Azure applies AllowAll) or AllowAll', () => {
    const findings = findingsOf(diskNetworkAccessPolicy, (scope) => {
      managedDisk(scope, 'unset');
      managedDisk(scope, 'all', { networkAccessPolicy: 'AllowAll' });
    });
    expect(findings.map((f) => [f.ruleId, f.severity, f.address])).toEqual([
      ['PC_AZURE_DISK_NETWORK_ACCESS_POLICY', 'error', 'azurerm_managed_disk.all'],
      ['PC_AZURE_DISK_NETWORK_ACCESS_POLICY', 'error', 'azurerm_managed_disk.unset'],
    ]);
    expect(findings.map((f) => f.message)).toEqual([
      'azurerm_managed_disk.all (managed disk disk-all) sets network_access_policy = "AllowAll": set network_access_policy = "DenyAll", or "AllowPrivate" with disk_access_id',
      'azurerm_managed_disk.unset (managed disk disk-unset) leaves network_access_policy unset (Azure applies AllowAll): set network_access_policy = "DenyAll", or "AllowPrivate" with disk_access_id',
    ]);
  });
});
