import type { NetworkInterfaceIpConfiguration } from '@cdktf/provider-azurerm/lib/network-interface';
import type { Construct } from 'constructs';
import { nicNoPublicIp } from '../../../lib/azure/policy/rules/nic-no-public-ip';
import { networkInterface, publicIp } from './fixtures/network';
import { findingsOf } from './helpers';

/** The interface each test judges: azurerm_network_interface.nic, named nic-vm-01. */
const nic = (scope: Construct, ...ipConfiguration: NetworkInterfaceIpConfiguration[]) =>
  networkInterface(scope, 'nic', { name: 'nic-vm-01', ipConfiguration });

const PRIVATE = { name: 'internal', subnetId: 'snet-id', privateIpAddressAllocation: 'Dynamic' };

describe('CKV_AZURE_119 network interfaces have no public IP', () => {
  test('Compliance: private IP configurations only', () => {
    const findings = findingsOf(nicNoPublicIp, (scope) => nic(scope, PRIVATE, { ...PRIVATE, name: 'secondary' }));
    expect(findings).toEqual([]);
  });

  test('Noncompliance: one finding per IP configuration with a public IP', () => {
    const findings = findingsOf(nicNoPublicIp, (scope) => {
      const pip = publicIp(scope, 'pip', { name: 'pip-vm-01', sku: undefined });
      nic(scope, PRIVATE, { ...PRIVATE, name: 'public', publicIpAddressId: pip.id });
    });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: 'CKV_AZURE_119',
      severity: 'error',
      address: 'azurerm_network_interface.nic',
      path: 'test/nic',
    });
    expect(findings[0]!.message).toBe(
      'azurerm_network_interface.nic (network interface nic-vm-01) ip_configuration "public" has public_ip_address_id ${azurerm_public_ip.pip.id}: remove public_ip_address_id; reach the internet through a NAT gateway and administer through Azure Bastion',
    );
  });
});
