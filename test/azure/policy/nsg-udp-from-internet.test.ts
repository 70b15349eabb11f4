import type { NetworkSecurityGroupSecurityRule } from '@cdktf/provider-azurerm/lib/network-security-group';
import type { Construct } from 'constructs';
import { nsgUdpFromInternet } from '../../../lib/azure/policy/rules/nsg-udp-from-internet';
import { networkSecurityRule, nsgWithRules, securityRule } from './fixtures/network';
import { findingsOf } from './helpers';

/** An inline rule; the tests judge azurerm_network_security_group.nsg, named nsg-dns. */
const rule = (name: string, overrides: Partial<NetworkSecurityGroupSecurityRule> = {}) =>
  securityRule(name, { protocol: 'Udp', destinationPortRange: '53', ...overrides });
const nsg = (scope: Construct, ...rules: NetworkSecurityGroupSecurityRule[]) =>
  nsgWithRules(scope, 'nsg', rules, { name: 'nsg-dns' });

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
      networkSecurityRule(scope, 'rule', 'nsg-dns', {
        name: 'any',
        protocol: '*',
        destinationPortRange: '443',
        sourceAddressPrefixes: ['Internet'],
      });
    });
    expect(findings.map((f) => f.message)).toEqual([
      'azurerm_network_security_rule.rule (network security rule any) allows UDP inbound from source_address_prefixes "Internet": set protocol = "Tcp" if only TCP is needed, or set source_address_prefixes to a known address range',
    ]);
  });
});
