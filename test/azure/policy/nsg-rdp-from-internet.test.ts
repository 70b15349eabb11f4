import {
  NetworkSecurityGroup,
  type NetworkSecurityGroupSecurityRule,
} from '@cdktf/provider-azurerm/lib/network-security-group';
import { NetworkSecurityRule } from '@cdktf/provider-azurerm/lib/network-security-rule';
import type { Construct } from 'constructs';
import { nsgRdpFromInternet } from '../../../lib/azure/policy/rules/nsg-rdp-from-internet';
import { findingsOf } from './helpers';

function rdp(name: string, rule: Partial<NetworkSecurityGroupSecurityRule>): NetworkSecurityGroupSecurityRule {
  return {
    name,
    priority: 100,
    direction: 'Inbound',
    access: 'Allow',
    protocol: 'Tcp',
    sourcePortRange: '*',
    destinationPortRange: '3389',
    sourceAddressPrefix: '*',
    destinationAddressPrefix: '*',
    ...rule,
  };
}

function nsg(scope: Construct, ...securityRule: NetworkSecurityGroupSecurityRule[]): void {
  new NetworkSecurityGroup(scope, 'nsg', {
    name: 'nsg-win',
    location: 'westeurope',
    resourceGroupName: 'rg',
    securityRule,
  });
}

describe('CKV_AZURE_9 no RDP from the internet', () => {
  test('Compliance: RDP from the Bastion subnet only, and SSH from the internet is not this rule', () => {
    const findings = findingsOf(nsgRdpFromInternet, (scope) =>
      nsg(
        scope,
        rdp('rdp-bastion', { sourceAddressPrefix: undefined, sourceAddressPrefixes: ['10.0.250.0/26'] }),
        rdp('ssh', { priority: 110, destinationPortRange: '22' }),
      ),
    );
    expect(findings).toEqual([]);
  });

  test('Noncompliance: an inline rule from * to 3389', () => {
    const [finding, ...rest] = findingsOf(nsgRdpFromInternet, (scope) => nsg(scope, rdp('rdp', {})));
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      ruleId: 'CKV_AZURE_9',
      severity: 'error',
      address: 'azurerm_network_security_group.nsg',
    });
    expect(finding!.message).toBe(
      'azurerm_network_security_group.nsg (network security group nsg-win) security_rule "rdp" allows RDP (TCP port 3389) inbound from source_address_prefix "*": set source_address_prefix to a known range, such as the AzureBastionSubnet prefix, and reach VMs through Azure Bastion; or set access = "Deny"',
    );
  });

  test('Noncompliance: a standalone rule with a port range around 3389 from 0.0.0.0', () => {
    const findings = findingsOf(nsgRdpFromInternet, (scope) => {
      new NetworkSecurityRule(scope, 'rule', {
        name: 'mgmt',
        priority: 100,
        direction: 'Inbound',
        access: 'Allow',
        protocol: '*',
        destinationPortRange: '3000-4000',
        sourceAddressPrefix: '0.0.0.0',
        resourceGroupName: 'rg',
        networkSecurityGroupName: 'nsg-win',
      });
    });
    expect(findings.map((f) => f.message)).toEqual([
      'azurerm_network_security_rule.rule (network security rule mgmt) allows RDP (TCP port 3389) inbound from source_address_prefix "0.0.0.0": set source_address_prefix to a known range, such as the AzureBastionSubnet prefix, and reach VMs through Azure Bastion; or set access = "Deny"',
    ]);
  });
});
