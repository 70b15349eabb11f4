import type { ManagedDiskConfig } from '@cdktf/provider-azurerm/lib/managed-disk';
import type { Construct } from 'constructs';
import { diskPublicNetworkAccess } from '../../../lib/azure/policy/rules/disk-public-network-access';
import { managedDisk } from './fixtures/compute';
import { findingsOf } from './helpers';

/** The disk each test judges: azurerm_managed_disk.disk, named disk-data-01. */
const disk = (scope: Construct, overrides: Partial<ManagedDiskConfig> = {}) =>
  managedDisk(scope, 'disk', { name: 'disk-data-01', ...overrides });

describe('CKV_AZURE_251 managed disks disable public network access', () => {
  test('Compliance: public_network_access_enabled = false', () => {
    expect(findingsOf(diskPublicNetworkAccess, (scope) => disk(scope, { publicNetworkAccessEnabled: false }))).toEqual(
      [],
    );
  });

  test('Noncompliance: left out, the provider defaults to true', () => {
    const findings = findingsOf(diskPublicNetworkAccess, (scope) => disk(scope));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: 'CKV_AZURE_251',
      severity: 'error',
      address: 'azurerm_managed_disk.disk',
    });
    expect(findings[0]!.message).toBe(
      'azurerm_managed_disk.disk (managed disk disk-data-01) leaves public_network_access_enabled unset (the provider defaults to true): set public_network_access_enabled = false',
    );
  });

  test('Noncompliance: set to true', () => {
    const findings = findingsOf(diskPublicNetworkAccess, (scope) => disk(scope, { publicNetworkAccessEnabled: true }));
    expect(findings.map((f) => f.message)).toEqual([
      'azurerm_managed_disk.disk (managed disk disk-data-01) sets public_network_access_enabled = true: set public_network_access_enabled = false',
    ]);
  });
});
