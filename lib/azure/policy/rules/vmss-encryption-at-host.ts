import type { PolicyRule } from '../rule';
import { expectBool } from './util';

/**
 * CKV_AZURE_97 (checkov VMEncryptionAtHostEnabled): a Linux VM scale set encrypts its temporary disks and disk
 * caches at the host. A warning, because not every VM size supports it.
 */
export const vmssEncryptionAtHost: PolicyRule = {
  id: 'CKV_AZURE_97',
  severity: 'warning',
  title: 'Linux VM scale sets encrypt at the host',
  resourceTypes: ['azurerm_linux_virtual_machine_scale_set'],
  check(vmss) {
    return expectBool(vmss, 'encryption_at_host_enabled', {
      expected: true,
      providerDefault: false,
      hint: ' on a size that supports it (register the Microsoft.Compute EncryptionAtHost feature first)',
    });
  },
};
