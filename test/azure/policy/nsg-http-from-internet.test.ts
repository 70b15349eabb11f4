import {
  NetworkSecurityGroup,
  type NetworkSecurityGroupSecurityRule,
} from '@cdktf/provider-azurerm/lib/network-security-group';
import { NetworkSecurityRule } from '@cdktf/provider-azurerm/lib/network-security-rule';
import type { Construct } from 'constructs';
import { nsgHttpFromInternet } from '../../../lib/azure/policy/rules/nsg-http-from-internet';
import { findingsOf } from './helpers';

function web(name: string, rule: Partial<NetworkSecurityGroupSecurityRule>): NetworkSecurityGroupSecurityRule {
  return {
    name,
    priority: 100,
    direction: 'Inbound',
    access: 'Allow',
    protocol: 'Tcp',
    sourcePortRange: '*',
    destinationPortRange: '443',
    sourceAddressPrefix: 'Internet',
    destinationAddressPrefix: '*',
    ...rule,
  };
}

function nsg(scope: Construct, ...securityRule: NetworkSecurityGroupSecurityRule[]): void {
  new NetworkSecurityGroup(scope, 'nsg', {
    name: 'nsg-web',
    location: 'westeurope',
    resourceGroupName: 'rg',
    securityRule,
  });
}

describe('CKV_AZURE_160 no HTTP from the internet', () => {
  test('Compliance: HTTPS from the internet, HTTP from the virtual network', () => {
    const findings = findingsOf(nsgHttpFromInternet, (scope) =>
      nsg(
        scope,
        web('https', {}),
        web('http-vnet', { priority: 110, destinationPortRange: '80', sourceAddressPrefix: 'VirtualNetwork' }),
      ),
    );
    expect(findings).toEqual([]);
  });

  test('Noncompliance: an inline rule from the Internet tag to 80', () => {
    const [finding, ...rest] = findingsOf(nsgHttpFromInternet, (scope) =>
      nsg(scope, web('http', { destinationPortRange: '80' })),
    );
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      ruleId: 'CKV_AZURE_160',
      severity: 'error',
      address: 'azurerm_network_security_group.nsg',
    });
    expect(finding!.message).toBe(
      'azurerm_network_security_group.nsg (network security group nsg-web) security_rule "http" allows HTTP (TCP port 80) inbound from source_address_prefix "Internet": serve HTTPS only (destination_port_range = "443") behind an Application Gateway or Front Door that redirects HTTP; or set source_address_prefix to a known range',
    );
  });

  test('Noncompliance: a standalone rule listing 80 among its ports', () => {
    const findings = findingsOf(nsgHttpFromInternet, (scope) => {
      new NetworkSecurityRule(scope, 'rule', {
        name: 'web',
        priority: 100,
        direction: 'Inbound',
        access: 'Allow',
        protocol: 'Tcp',
        destinationPortRanges: ['80', '443'],
        sourceAddressPrefix: '*',
        resourceGroupName: 'rg',
        networkSecurityGroupName: 'nsg-web',
      });
    });
    expect(findings.map((f) => f.message)).toEqual([
      'azurerm_network_security_rule.rule (network security rule web) allows HTTP (TCP port 80) inbound from source_address_prefix "*": serve HTTPS only (destination_port_range = "443") behind an Application Gateway or Front Door that redirects HTTP; or set source_address_prefix to a known range',
    ]);
  });
});
