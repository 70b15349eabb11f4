import type { LinuxVirtualMachineConfig } from '@cdktf/provider-azurerm/lib/linux-virtual-machine';
import { TerraformVariable } from 'cdktf';
import type { Construct } from 'constructs';
import { linuxVmPasswordAuthDisabled } from '../../../lib/azure/policy/rules/linux-vm-password-auth-disabled';
import { linuxVm, linuxVmss } from './fixtures/compute';
import { findingsOf } from './helpers';

/** The VM each test judges: azurerm_linux_virtual_machine.vm, named vm-app-01. */
const vm = (scope: Construct, overrides: Partial<LinuxVirtualMachineConfig> = {}) =>
  linuxVm(scope, 'vm', { name: 'vm-app-01', ...overrides });

describe('CKV_AZURE_149 Linux VMs disable password authentication', () => {
  test('Compliance: left at the default, set to true, or an expression', () => {
    const findings = findingsOf(linuxVmPasswordAuthDisabled, (scope) => {
      vm(scope);
      linuxVm(scope, 'explicit', { name: 'vm-app-02', disablePasswordAuthentication: true });
      const flag = new TerraformVariable(scope, 'disable_password', { type: 'bool' });
      linuxVmss(scope, 'vmss', { name: 'vmss-app', disablePasswordAuthentication: flag.booleanValue });
    });
    expect(findings).toEqual([]);
  });

  test('Noncompliance: disable_password_authentication = false, with the ForceNew warning', () => {
    const [finding, ...rest] = findingsOf(linuxVmPasswordAuthDisabled, (scope) =>
      vm(scope, { disablePasswordAuthentication: false, adminPassword: 'P@ssw0rd!' }),
    );
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      ruleId: 'CKV_AZURE_149',
      severity: 'error',
      address: 'azurerm_linux_virtual_machine.vm',
    });
    expect(finding!.message).toBe(
      'azurerm_linux_virtual_machine.vm (Linux VM vm-app-01) sets disable_password_authentication = false: set disable_password_authentication = true (or remove it) and sign in with admin_ssh_key (disable_password_authentication is ForceNew: on an existing Linux VM this re-creates it)',
    );
  });
});
