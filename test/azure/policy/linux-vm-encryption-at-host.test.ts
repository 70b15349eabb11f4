import type { LinuxVirtualMachineConfig } from '@cdktf/provider-azurerm/lib/linux-virtual-machine';
import type { Construct } from 'constructs';
import { linuxVmEncryptionAtHost } from '../../../lib/azure/policy/rules/linux-vm-encryption-at-host';
import { linuxVm } from './fixtures/compute';
import { findingsOf } from './helpers';

/** The VM each test judges: azurerm_linux_virtual_machine.vm, named vm-app-01. */
const vm = (scope: Construct, overrides: Partial<LinuxVirtualMachineConfig> = {}) =>
  linuxVm(scope, 'vm', { name: 'vm-app-01', size: 'Standard_D2s_v5', ...overrides });

const FIX =
  'set encryption_at_host_enabled = true on a size that supports it (register the Microsoft.Compute EncryptionAtHost feature first)';

describe('PC_AZURE_VM_ENCRYPTION_AT_HOST Linux VMs encrypt at the host', () => {
  test('Compliance: encryption_at_host_enabled = true', () => {
    expect(findingsOf(linuxVmEncryptionAtHost, (scope) => vm(scope, { encryptionAtHostEnabled: true }))).toEqual([]);
  });

  test('Noncompliance: left out, it is a warning', () => {
    const [finding, ...rest] = findingsOf(linuxVmEncryptionAtHost, (scope) => vm(scope));
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      ruleId: 'PC_AZURE_VM_ENCRYPTION_AT_HOST',
      severity: 'warning',
      address: 'azurerm_linux_virtual_machine.vm',
    });
    expect(finding!.message).toBe(
      `azurerm_linux_virtual_machine.vm (Linux VM vm-app-01) leaves encryption_at_host_enabled unset (the provider defaults to false): ${FIX}`,
    );
  });

  test('Noncompliance: set to false', () => {
    const findings = findingsOf(linuxVmEncryptionAtHost, (scope) => vm(scope, { encryptionAtHostEnabled: false }));
    expect(findings.map((f) => f.message)).toEqual([
      `azurerm_linux_virtual_machine.vm (Linux VM vm-app-01) sets encryption_at_host_enabled = false: ${FIX}`,
    ]);
  });
});
