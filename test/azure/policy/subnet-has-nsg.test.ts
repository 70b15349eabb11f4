import { NetworkSecurityGroup } from '@cdktf/provider-azurerm/lib/network-security-group';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { SubnetNetworkSecurityGroupAssociation } from '@cdktf/provider-azurerm/lib/subnet-network-security-group-association';
import type { Construct } from 'constructs';
import { subnetHasNsg } from '../../../lib/azure/policy/rules/subnet-has-nsg';
import { findingsOf } from './helpers';

function subnet(scope: Construct, name = 'snet-data'): Subnet {
  return new Subnet(scope, name, {
    name,
    resourceGroupName: 'rg',
    virtualNetworkName: 'vnet',
    addressPrefixes: ['10.0.0.0/24'],
  });
}

describe('CKV2_AZURE_31 subnet has a network security group', () => {
  test('Compliance: a subnet associated with a group', () => {
    const findings = findingsOf(subnetHasNsg, (scope) => {
      const s = subnet(scope);
      const nsg = new NetworkSecurityGroup(scope, 'nsg', {
        name: 'nsg',
        location: 'westeurope',
        resourceGroupName: 'rg',
      });
      new SubnetNetworkSecurityGroupAssociation(scope, 'assoc', { subnetId: s.id, networkSecurityGroupId: nsg.id });
    });
    expect(findings).toEqual([]);
  });

  test('Compliance: GatewaySubnet, which Azure forbids a group on', () => {
    expect(findingsOf(subnetHasNsg, (scope) => subnet(scope, 'GatewaySubnet'))).toEqual([]);
  });

  test('Noncompliance: a subnet without an association names the subnet and the fix', () => {
    const [finding, ...rest] = findingsOf(subnetHasNsg, (scope) => subnet(scope));
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      ruleId: 'CKV2_AZURE_31',
      severity: 'error',
      address: 'azurerm_subnet.snet-data',
      path: 'test/snet-data',
    });
    expect(finding!.message).toBe(
      'azurerm_subnet.snet-data (subnet snet-data) has no network security group: add an azurerm_subnet_network_security_group_association for it',
    );
  });
});
