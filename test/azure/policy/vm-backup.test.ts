import { BackupProtectedVm } from '@cdktf/provider-azurerm/lib/backup-protected-vm';
import type { Construct } from 'constructs';
import { vmBackup } from '../../../lib/azure/policy/rules/vm-backup';
import { PLACE } from './fixtures/common';
import { linuxVm, windowsVm } from './fixtures/compute';
import { findingsOf } from './helpers';

function backup(scope: Construct, id: string, sourceVmId: string): void {
  new BackupProtectedVm(scope, id, {
    resourceGroupName: PLACE.resourceGroupName,
    recoveryVaultName: 'rsv-platform',
    sourceVmId,
    backupPolicyId: 'policy-id',
  });
}

describe('PC_AZURE_VM_BACKUP every production VM is backed up', () => {
  test('Compliance: Linux and Windows VMs, referenced or by literal ID', () => {
    const findings = findingsOf(
      vmBackup,
      (scope) => {
        backup(scope, 'app-backup', linuxVm(scope, 'app').id);
        windowsVm(scope, 'win');
        backup(
          scope,
          'win-backup',
          '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-win',
        );
      },
      'production',
    );
    expect(findings).toEqual([]);
  });

  test('Compliance: an unprotected VM in development, where the rule does not apply', () => {
    expect(findingsOf(vmBackup, (scope) => linuxVm(scope, 'dev'), 'development')).toEqual([]);
  });

  test('Noncompliance: a production VM no azurerm_backup_protected_vm references', () => {
    const findings = findingsOf(
      vmBackup,
      (scope) => {
        backup(scope, 'app-backup', linuxVm(scope, 'app').id);
        linuxVm(scope, 'db');
      },
      'production',
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: 'PC_AZURE_VM_BACKUP',
      severity: 'error',
      address: 'azurerm_linux_virtual_machine.db',
      path: 'test/db',
    });
    expect(findings[0]!.message).toBe(
      "azurerm_linux_virtual_machine.db (Linux VM vm-db) is not backed up: add an azurerm_backup_protected_vm with source_vm_id = azurerm_linux_virtual_machine.db.id and the vault's backup_policy_id",
    );
  });
});
