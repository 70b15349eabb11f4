import { LinuxVirtualMachine, type LinuxVirtualMachineConfig } from '@cdktf/provider-azurerm/lib/linux-virtual-machine';
import { LinuxVirtualMachineScaleSet } from '@cdktf/provider-azurerm/lib/linux-virtual-machine-scale-set';
import { TerraformVariable } from 'cdktf';
import type { Construct } from 'constructs';
import { linuxVmPasswordAuthDisabled } from '../../../lib/azure/policy/rules/linux-vm-password-auth-disabled';
import { findingsOf } from './helpers';

const KEY = [{ username: 'azureadmin', publicKey: 'ssh-ed25519 AAAAC3Nza admin@example' }];

function vm(scope: Construct, props: Partial<LinuxVirtualMachineConfig> = {}): void {
  new LinuxVirtualMachine(scope, 'vm', {
    name: 'vm-app-01',
    location: 'westeurope',
    resourceGroupName: 'rg',
    size: 'Standard_B2s',
    adminUsername: 'azureadmin',
    adminSshKey: KEY,
    networkInterfaceIds: ['nic-id'],
    osDisk: { caching: 'ReadWrite', storageAccountType: 'Premium_LRS' },
    ...props,
  });
}

describe('CKV_AZURE_149 Linux VMs disable password authentication', () => {
  test('Compliance: left at the default, set to true, or an expression', () => {
    const findings = findingsOf(linuxVmPasswordAuthDisabled, (scope) => {
      vm(scope);
      new LinuxVirtualMachine(scope, 'explicit', {
        name: 'vm-app-02',
        location: 'westeurope',
        resourceGroupName: 'rg',
        size: 'Standard_B2s',
        adminUsername: 'azureadmin',
        adminSshKey: KEY,
        disablePasswordAuthentication: true,
        networkInterfaceIds: ['nic-id'],
        osDisk: { caching: 'ReadWrite', storageAccountType: 'Premium_LRS' },
      });
      const flag = new TerraformVariable(scope, 'disable_password', { type: 'bool' });
      new LinuxVirtualMachineScaleSet(scope, 'vmss', {
        name: 'vmss-app',
        location: 'westeurope',
        resourceGroupName: 'rg',
        sku: 'Standard_B2s',
        adminUsername: 'azureadmin',
        adminSshKey: KEY,
        disablePasswordAuthentication: flag.booleanValue,
        networkInterface: [
          { name: 'nic', primary: true, ipConfiguration: [{ name: 'ip', primary: true, subnetId: 'snet' }] },
        ],
        osDisk: { caching: 'ReadWrite', storageAccountType: 'Premium_LRS' },
      });
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
