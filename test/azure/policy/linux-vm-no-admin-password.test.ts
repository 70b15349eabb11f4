import type { LinuxVirtualMachineConfig } from '@cdktf/provider-azurerm/lib/linux-virtual-machine';
import { TerraformVariable } from 'cdktf';
import type { Construct } from 'constructs';
import { linuxVmNoAdminPassword } from '../../../lib/azure/policy/rules/linux-vm-no-admin-password';
import { SSH_KEY } from './fixtures/common';
import { linuxVm, linuxVmss } from './fixtures/compute';
import { findingsOf } from './helpers';

/** The VM each test judges: azurerm_linux_virtual_machine.vm, named vm-app-01, with no admin_ssh_key unless given. */
const vm = (scope: Construct, overrides: Partial<LinuxVirtualMachineConfig> = {}) =>
  linuxVm(scope, 'vm', { name: 'vm-app-01', adminSshKey: undefined, ...overrides });

describe('PC_AZURE_LINUX_VM_NO_ADMIN_PASSWORD Linux VMs have no password', () => {
  test('Compliance: a VM with an SSH key only', () => {
    expect(findingsOf(linuxVmNoAdminPassword, (scope) => vm(scope, { adminSshKey: SSH_KEY }))).toEqual([]);
  });

  test('Noncompliance: a literal password on a VM, with the ForceNew warning', () => {
    const [finding, ...rest] = findingsOf(linuxVmNoAdminPassword, (scope) =>
      vm(scope, { adminPassword: 'P@ssw0rd!', disablePasswordAuthentication: false }),
    );
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      ruleId: 'PC_AZURE_LINUX_VM_NO_ADMIN_PASSWORD',
      severity: 'error',
      address: 'azurerm_linux_virtual_machine.vm',
    });
    expect(finding!.message).toBe(
      'azurerm_linux_virtual_machine.vm (Linux VM vm-app-01) sets admin_password: remove admin_password and sign in with admin_ssh_key (admin_password is ForceNew: on an existing Linux VM this re-creates it)',
    );
  });

  test('Noncompliance: a password from a variable on a scale set still sets one', () => {
    const findings = findingsOf(linuxVmNoAdminPassword, (scope) => {
      const password = new TerraformVariable(scope, 'admin_password', { type: 'string', sensitive: true });
      linuxVmss(scope, 'vmss', { name: 'vmss-app', adminPassword: password.stringValue });
    });
    expect(findings.map((f) => f.message)).toEqual([
      'azurerm_linux_virtual_machine_scale_set.vmss (Linux VM scale set vmss-app) sets admin_password: remove admin_password and sign in with admin_ssh_key (admin_password is ForceNew: on an existing Linux VM scale set this re-creates it)',
    ]);
  });
});
