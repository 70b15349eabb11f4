import type { PolicyRule } from '../rule';
import { readString, stateOf, subject, UNKNOWN } from './util';

/** The `network_access_policy` values that keep disk import and export off the public endpoint. */
const PRIVATE_POLICIES = ['DenyAll', 'AllowPrivate'];

/**
 * A managed disk's `network_access_policy` is DenyAll, or AllowPrivate through a disk access: left out, Azure
 * applies AllowAll, and anyone holding an export SAS URL can read the disk from the internet. checkov has no check
 * for it (CKV_AZURE_251 reads `public_network_access_enabled` only).
 */
export const diskNetworkAccessPolicy: PolicyRule = {
  id: 'PC_AZURE_DISK_NETWORK_ACCESS_POLICY',
  severity: 'error',
  title: 'Managed disks allow import and export over private endpoints only',
  resourceTypes: ['azurerm_managed_disk'],
  check(disk) {
    const policy = readString(disk.config, 'network_access_policy');
    if (policy === UNKNOWN || (policy !== undefined && PRIVATE_POLICIES.includes(policy))) return [];
    return [
      `${subject(disk)} ${stateOf('network_access_policy', policy, 'Azure applies AllowAll')}: set network_access_policy = "DenyAll", or "AllowPrivate" with disk_access_id`,
    ];
  },
};
