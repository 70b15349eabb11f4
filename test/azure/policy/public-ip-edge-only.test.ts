import { BastionHost } from '@cdktf/provider-azurerm/lib/bastion-host';
import { Lb } from '@cdktf/provider-azurerm/lib/lb';
import { NatGateway } from '@cdktf/provider-azurerm/lib/nat-gateway';
import { NatGatewayPublicIpAssociation } from '@cdktf/provider-azurerm/lib/nat-gateway-public-ip-association';
import { publicIpEdgeOnly } from '../../../lib/azure/policy/rules/public-ip-edge-only';
import { PLACE } from './fixtures/common';
import { networkInterface, publicIp } from './fixtures/network';
import { findingsOf } from './helpers';

describe('PC_AZURE_PUBLIC_IP_EDGE_ONLY public IPs serve the network edge only', () => {
  test('Compliance: public IPs of a NAT gateway, a load balancer frontend and a Bastion host', () => {
    const findings = findingsOf(publicIpEdgeOnly, (scope) => {
      const nat = new NatGateway(scope, 'nat', { name: 'nat-weu', ...PLACE });
      new NatGatewayPublicIpAssociation(scope, 'nat-pip', {
        natGatewayId: nat.id,
        publicIpAddressId: publicIp(scope, 'egress').id,
      });
      new Lb(scope, 'lb', {
        name: 'lb-web',
        ...PLACE,
        sku: 'Standard',
        frontendIpConfiguration: [{ name: 'public', publicIpAddressId: publicIp(scope, 'web').id }],
      });
      new BastionHost(scope, 'bastion', {
        name: 'bas-weu',
        ...PLACE,
        ipConfiguration: { name: 'ip', subnetId: 'bastion-snet', publicIpAddressId: publicIp(scope, 'bastion-ip').id },
      });
    });
    expect(findings).toEqual([]);
  });

  test('Noncompliance: a public IP on a VM network interface', () => {
    const findings = findingsOf(publicIpEdgeOnly, (scope) => {
      const ip = publicIp(scope, 'vm');
      networkInterface(scope, 'nic', {
        name: 'nic-vm',
        ipConfiguration: [
          { name: 'ip', subnetId: 'snet', privateIpAddressAllocation: 'Dynamic', publicIpAddressId: ip.id },
        ],
      });
    });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: 'PC_AZURE_PUBLIC_IP_EDGE_ONLY',
      severity: 'error',
      address: 'azurerm_public_ip.vm',
    });
    expect(findings[0]!.message).toBe(
      "azurerm_public_ip.vm (public IP pip-vm) is attached to azurerm_network_interface.nic: remove public_ip_address_id from the interface's ip_configuration; VMs reach the internet through a NAT gateway (azurerm_nat_gateway_public_ip_association) and administrators through Azure Bastion",
    );
  });

  test('Noncompliance: a public IP nothing uses', () => {
    const findings = findingsOf(publicIpEdgeOnly, (scope) => publicIp(scope, 'spare'));
    expect(findings.map((f) => f.message)).toEqual([
      'azurerm_public_ip.spare (public IP pip-spare) is used by no NAT gateway, load balancer, Bastion host, Application Gateway, firewall or VPN gateway: use it from one of them (for example an azurerm_nat_gateway_public_ip_association), or delete it',
    ]);
  });
});
