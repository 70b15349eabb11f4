import { references, type PolicyRule, type ResourceView } from '../rule';
import { subject } from './util';

/** True when `backup` protects `vm`: its `source_vm_id` references the VM, or is a literal ID ending in its name. */
function protects(backup: ResourceView, vm: ResourceView): boolean {
  const source = backup.config.source_vm_id;
  if (references(source, vm.address)) return true;
  return (
    typeof source === 'string' &&
    typeof vm.config.name === 'string' &&
    source.toLowerCase().endsWith(`/virtualmachines/${vm.config.name.toLowerCase()}`)
  );
}

/**
 * Every production VM is backed up: an `azurerm_backup_protected_vm` whose `source_vm_id` references it. checkov's
 * CKV2_AZURE_12 (VMHasBackUpMachine) makes this test for the legacy `azurerm_virtual_machine` only.
 */
export const vmBackup: PolicyRule = {
  id: 'PC_AZURE_VM_BACKUP',
  severity: 'error',
  title: 'Every production VM is backed up by a Recovery Services vault',
  resourceTypes: ['azurerm_linux_virtual_machine', 'azurerm_windows_virtual_machine'],
  tiers: ['production'],
  check(vm, context) {
    if (context.ofType('azurerm_backup_protected_vm').some((backup) => protects(backup, vm))) return [];
    return [
      `${subject(vm)} is not backed up: add an azurerm_backup_protected_vm with source_vm_id = ${vm.address}.id and the vault's backup_policy_id`,
    ];
  },
};
