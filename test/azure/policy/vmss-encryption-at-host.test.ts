import type { LinuxVirtualMachineScaleSetConfig } from '@cdktf/provider-azurerm/lib/linux-virtual-machine-scale-set';
import type { Construct } from 'constructs';
import { vmssEncryptionAtHost } from '../../../lib/azure/policy/rules/vmss-encryption-at-host';
import { linuxVmss } from './fixtures/compute';
import { findingsOf } from './helpers';

/** The scale set each test judges: azurerm_linux_virtual_machine_scale_set.vmss, named vmss-app. */
const vmss = (scope: Construct, overrides: Partial<LinuxVirtualMachineScaleSetConfig> = {}) =>
  linuxVmss(scope, 'vmss', { name: 'vmss-app', sku: 'Standard_D2s_v5', ...overrides });

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
