import type { PolicyRule } from '../rule';
import { expectBool } from './util';

/**
 * CKV_AZURE_251 (checkov VMDiskWithPublicAccess): a managed disk sets `public_network_access_enabled = false`;
 * the provider defaults it to true, so leaving it out fails, as in checkov.
 */
export const diskPublicNetworkAccess: PolicyRule = {
  id: 'CKV_AZURE_251',
  severity: 'error',
  title: 'Managed disks disable public network access',
  resourceTypes: ['azurerm_managed_disk'],
  check(disk) {
    return expectBool(disk, 'public_network_access_enabled', { expected: false, providerDefault: true });
  },
};
