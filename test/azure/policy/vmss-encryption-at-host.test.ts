import {
  LinuxVirtualMachineScaleSet,
  type LinuxVirtualMachineScaleSetConfig,
} from '@cdktf/provider-azurerm/lib/linux-virtual-machine-scale-set';
import type { Construct } from 'constructs';
import { vmssEncryptionAtHost } from '../../../lib/azure/policy/rules/vmss-encryption-at-host';
import { findingsOf } from './helpers';

function vmss(scope: Construct, props: Partial<LinuxVirtualMachineScaleSetConfig> = {}): void {
  new LinuxVirtualMachineScaleSet(scope, 'vmss', {
    name: 'vmss-app',
    location: 'westeurope',
    resourceGroupName: 'rg',
    sku: 'Standard_D2s_v5',
    adminUsername: 'azureadmin',
    adminSshKey: [{ username: 'azureadmin', publicKey: 'ssh-ed25519 AAAAC3Nza admin@example' }],
    networkInterface: [
      { name: 'nic', primary: true, ipConfiguration: [{ name: 'ip', primary: true, subnetId: 'snet' }] },
    ],
    osDisk: { caching: 'ReadWrite', storageAccountType: 'Premium_LRS' },
    ...props,
  });
}

describe('CKV_AZURE_97 Linux VM scale sets encrypt at the host', () => {
  test('Compliance: encryption_at_host_enabled = true', () => {
    expect(findingsOf(vmssEncryptionAtHost, (scope) => vmss(scope, { encryptionAtHostEnabled: true }))).toEqual([]);
  });

  test('Noncompliance: left out, it is a warning', () => {
    const [finding, ...rest] = findingsOf(vmssEncryptionAtHost, (scope) => vmss(scope));
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      ruleId: 'CKV_AZURE_97',
      severity: 'warning',
      address: 'azurerm_linux_virtual_machine_scale_set.vmss',
    });
    expect(finding!.message).toBe(
      'azurerm_linux_virtual_machine_scale_set.vmss (Linux VM scale set vmss-app) leaves encryption_at_host_enabled unset (the provider defaults to false): set encryption_at_host_enabled = true on a size that supports it (register the Microsoft.Compute EncryptionAtHost feature first)',
    );
  });
});
