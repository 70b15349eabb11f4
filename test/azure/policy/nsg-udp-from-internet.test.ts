import {
  NetworkSecurityGroup,
  type NetworkSecurityGroupSecurityRule,
} from '@cdktf/provider-azurerm/lib/network-security-group';
import { NetworkSecurityRule } from '@cdktf/provider-azurerm/lib/network-security-rule';
import type { Construct } from 'constructs';
import { nsgUdpFromInternet } from '../../../lib/azure/policy/rules/nsg-udp-from-internet';
import { findingsOf } from './helpers';

function rule(name: string, overrides: Partial<NetworkSecurityGroupSecurityRule>): NetworkSecurityGroupSecurityRule {
  return {
    name,
    priority: 100,
    direction: 'Inbound',
    access: 'Allow',
    protocol: 'Udp',
    sourcePortRange: '*',
    destinationPortRange: '53',
    sourceAddressPrefix: '*',
    destinationAddressPrefix: '*',
    ...overrides,
  };
}

function nsg(scope: Construct, ...securityRule: NetworkSecurityGroupSecurityRule[]): void {
  new NetworkSecurityGroup(scope, 'nsg', {
    name: 'nsg-dns',
    location: 'westeurope',
    resourceGroupName: 'rg',
    securityRule,
  });
}

describe('CKV_AZURE_77 no UDP from the internet', () => {
  test('Compliance: UDP from the virtual network, TCP from the internet, UDP denied', () => {
    const findings = findingsOf(nsgUdpFromInternet, (scope) =>
      nsg(
        scope,
        rule('dns-vnet', { sourceAddressPrefix: 'VirtualNetwork' }),
        rule('https', { priority: 110, protocol: 'Tcp', destinationPortRange: '443' }),
        rule('deny-udp', { priority: 4000, access: 'Deny' }),
      ),
    );
    expect(findings).toEqual([]);
  });

  test('Noncompliance: UDP on any port from the internet', () => {
    const [finding, ...rest] = findingsOf(nsgUdpFromInternet, (scope) => nsg(scope, rule('dns', {})));
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      ruleId: 'CKV_AZURE_77',
      severity: 'error',
      address: 'azurerm_network_security_group.nsg',
    });
    expect(finding!.message).toBe(
      'azurerm_network_security_group.nsg (network security group nsg-dns) security_rule "dns" allows UDP inbound from source_address_prefix "*": set protocol = "Tcp" if only TCP is needed, or set source_address_prefix to a known address range',
    );
  });

  test('Noncompliance: protocol * allows UDP too', () => {
    const findings = findingsOf(nsgUdpFromInternet, (scope) => {
      new NetworkSecurityRule(scope, 'rule', {
        name: 'any',
        priority: 100,
        direction: 'Inbound',
        access: 'Allow',
        protocol: '*',
        destinationPortRange: '443',
        sourceAddressPrefixes: ['Internet'],
        resourceGroupName: 'rg',
        networkSecurityGroupName: 'nsg-dns',
      });
    });
    expect(findings.map((f) => f.message)).toEqual([
      'azurerm_network_security_rule.rule (network security rule any) allows UDP inbound from source_address_prefixes "Internet": set protocol = "Tcp" if only TCP is needed, or set source_address_prefixes to a known address range',
    ]);
  });
});
