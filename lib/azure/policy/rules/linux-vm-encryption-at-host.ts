import type { PolicyRule } from '../rule';
import { expectBool } from './util';

/**
 * A Linux VM encrypts its temporary disk and disk caches at the host (`encryption_at_host_enabled`). checkov has no
 * Linux VM check for it: CKV_AZURE_151 (WinVMEncryptionAtHost) reads Windows VMs, CKV_AZURE_97 scale sets.
 * A warning, because not every VM size supports it and the subscription must register EncryptionAtHost first.
 */
export const linuxVmEncryptionAtHost: PolicyRule = {
  id: 'PC_AZURE_VM_ENCRYPTION_AT_HOST',
  severity: 'warning',
  title: 'Linux VMs encrypt at the host',
  resourceTypes: ['azurerm_linux_virtual_machine'],
  check(vm) {
    return expectBool(vm, 'encryption_at_host_enabled', {
      expected: true,
      providerDefault: false,
      hint: ' on a size that supports it (register the Microsoft.Compute EncryptionAtHost feature first)',
    });
  },
};
