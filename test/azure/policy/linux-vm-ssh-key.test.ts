import type { LinuxVirtualMachineConfig } from '@cdktf/provider-azurerm/lib/linux-virtual-machine';
import type { LinuxVirtualMachineScaleSetConfig } from '@cdktf/provider-azurerm/lib/linux-virtual-machine-scale-set';
import type { Construct } from 'constructs';
import { linuxVmSshKey } from '../../../lib/azure/policy/rules/linux-vm-ssh-key';
import { SSH_KEY } from './fixtures/common';
import { linuxVm, linuxVmss } from './fixtures/compute';
import { findingsOf } from './helpers';

/** The VM and scale set the tests judge, with no admin_ssh_key unless given. */
const vm = (scope: Construct, overrides: Partial<LinuxVirtualMachineConfig> = {}) =>
  linuxVm(scope, 'vm', { name: 'vm-app-01', adminSshKey: undefined, ...overrides });
const vmss = (scope: Construct, overrides: Partial<LinuxVirtualMachineScaleSetConfig> = {}) =>
  linuxVmss(scope, 'vmss', { name: 'vmss-app', adminSshKey: undefined, ...overrides });

describe('CKV_AZURE_178 Linux VMs sign in with an SSH key', () => {
  test('Compliance: a VM and a scale set with admin_ssh_key', () => {
    const findings = findingsOf(linuxVmSshKey, (scope) => {
      vm(scope, { adminSshKey: SSH_KEY });
      vmss(scope, { adminSshKey: SSH_KEY });
    });
    expect(findings).toEqual([]);
  });

  test('Noncompliance: a VM with a password and no key, with the ForceNew warning', () => {
    const [finding, ...rest] = findingsOf(linuxVmSshKey, (scope) =>
      vm(scope, { adminPassword: 'P@ssw0rd!', disablePasswordAuthentication: false }),
    );
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      ruleId: 'CKV_AZURE_178',
      severity: 'error',
      address: 'azurerm_linux_virtual_machine.vm',
    });
    expect(finding!.message).toBe(
      'azurerm_linux_virtual_machine.vm (Linux VM vm-app-01) has no admin_ssh_key: add an admin_ssh_key block with username and public_key (admin_ssh_key is ForceNew: on an existing Linux VM this re-creates it)',
    );
  });

  test('Noncompliance: a scale set without a key (the block updates in place there)', () => {
    const findings = findingsOf(linuxVmSshKey, (scope) => vmss(scope, { adminPassword: 'P@ssw0rd!' }));
    expect(findings.map((f) => f.message)).toEqual([
      'azurerm_linux_virtual_machine_scale_set.vmss (Linux VM scale set vmss-app) has no admin_ssh_key: add an admin_ssh_key block with username and public_key',
    ]);
  });
});
