import type { PolicyRule } from '../rule';
import { replacementNote, subject } from './util';

/**
 * A Linux VM or scale set sets no `admin_password`: no checkov check reads it (checkov AzureInstancePassword,
 * CKV_AZURE_1, reads `disable_password_authentication` like CKV_AZURE_149). The attribute's presence is what
 * counts, so an expression (`${random_password.vm.result}`) still sets a password and is reported.
 */
export const linuxVmNoAdminPassword: PolicyRule = {
  id: 'PC_AZURE_LINUX_VM_NO_ADMIN_PASSWORD',
  severity: 'error',
  title: 'Linux VMs and scale sets have no administrator password',
  resourceTypes: ['azurerm_linux_virtual_machine', 'azurerm_linux_virtual_machine_scale_set'],
  check(vm) {
    const password = vm.config.admin_password;
    if (password === undefined || password === null || password === '') return [];
    return [
      `${subject(vm)} sets admin_password: remove admin_password and sign in with admin_ssh_key${replacementNote(vm, 'admin_password')}`,
    ];
  },
};
