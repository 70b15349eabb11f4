import { NetworkInterface, type NetworkInterfaceIpConfiguration } from '@cdktf/provider-azurerm/lib/network-interface';
import { PublicIp } from '@cdktf/provider-azurerm/lib/public-ip';
import type { Construct } from 'constructs';
import { nicNoPublicIp } from '../../../lib/azure/policy/rules/nic-no-public-ip';
import { findingsOf } from './helpers';

function nic(scope: Construct, ...ipConfiguration: NetworkInterfaceIpConfiguration[]): void {
  new NetworkInterface(scope, 'nic', {
    name: 'nic-vm-01',
    location: 'westeurope',
    resourceGroupName: 'rg',
    ipConfiguration,
  });
}

const PRIVATE = { name: 'internal', subnetId: 'snet-id', privateIpAddressAllocation: 'Dynamic' };

describe('CKV_AZURE_119 network interfaces have no public IP', () => {
  test('Compliance: private IP configurations only', () => {
    const findings = findingsOf(nicNoPublicIp, (scope) => nic(scope, PRIVATE, { ...PRIVATE, name: 'secondary' }));
    expect(findings).toEqual([]);
  });

  test('Noncompliance: one finding per IP configuration with a public IP', () => {
    const findings = findingsOf(nicNoPublicIp, (scope) => {
      const pip = new PublicIp(scope, 'pip', {
        name: 'pip-vm-01',
        location: 'westeurope',
        resourceGroupName: 'rg',
        allocationMethod: 'Static',
      });
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
