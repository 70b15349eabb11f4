import type { PolicyRule } from '../rule';
import { expectBool } from './util';

/**
 * CKV_AZURE_149 (checkov VMDisablePasswordAuthentication): a Linux VM or scale set keeps
 * `disable_password_authentication` at true (the provider's default). checkov's CKV_AZURE_1 (AzureInstancePassword)
 * makes the same test on `azurerm_linux_virtual_machine`, so the pack runs it once, under this id.
 */
export const linuxVmPasswordAuthDisabled: PolicyRule = {
  id: 'CKV_AZURE_149',
  severity: 'error',
  title: 'Linux VMs and scale sets disable password authentication',
  resourceTypes: ['azurerm_linux_virtual_machine', 'azurerm_linux_virtual_machine_scale_set'],
  check(vm) {
    return expectBool(vm, 'disable_password_authentication', {
      expected: true,
      providerDefault: true,
      hint: ' (or remove it) and sign in with admin_ssh_key',
    });
  },
};
