import { blocks, isExpression, type PolicyRule } from '../rule';
import { replacementNote, subject } from './util';

/**
 * CKV_AZURE_178 (checkov LinuxVMUsesSSH): a Linux VM or scale set has an `admin_ssh_key`, so administrators sign in
 * with keys. An `admin_ssh_key` given as an expression (a dynamic block) is unknown and passes.
 */
export const linuxVmSshKey: PolicyRule = {
  id: 'CKV_AZURE_178',
  severity: 'error',
  title: 'Linux VMs and scale sets sign administrators in with an SSH key',
  resourceTypes: ['azurerm_linux_virtual_machine', 'azurerm_linux_virtual_machine_scale_set'],
  check(vm) {
    if (isExpression(vm.config.admin_ssh_key)) return [];
    if (blocks(vm.config, 'admin_ssh_key').some((key) => key.public_key !== undefined && key.public_key !== null)) {
      return [];
    }
    return [
      `${subject(vm)} has no admin_ssh_key: add an admin_ssh_key block with username and public_key${replacementNote(vm, 'admin_ssh_key')}`,
    ];
  },
};
