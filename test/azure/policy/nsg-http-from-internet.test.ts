import type { NetworkSecurityGroupSecurityRule } from '@cdktf/provider-azurerm/lib/network-security-group';
import type { Construct } from 'constructs';
import { nsgHttpFromInternet } from '../../../lib/azure/policy/rules/nsg-http-from-internet';
import { networkSecurityRule, nsgWithRules, securityRule } from './fixtures/network';
import { findingsOf } from './helpers';

/** An inline rule; the tests judge azurerm_network_security_group.nsg, named nsg-web. */
const web = (name: string, rule: Partial<NetworkSecurityGroupSecurityRule> = {}) =>
  securityRule(name, { sourceAddressPrefix: 'Internet', ...rule });
const nsg = (scope: Construct, ...rules: NetworkSecurityGroupSecurityRule[]) =>
  nsgWithRules(scope, 'nsg', rules, { name: 'nsg-web' });

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
      networkSecurityRule(scope, 'rule', 'nsg-web', {
        name: 'web',
        destinationPortRanges: ['80', '443'],
        sourceAddressPrefix: '*',
      });
    });
    expect(findings.map((f) => f.message)).toEqual([
      'azurerm_network_security_rule.rule (network security rule web) allows HTTP (TCP port 80) inbound from source_address_prefix "*": serve HTTPS only (destination_port_range = "443") behind an Application Gateway or Front Door that redirects HTTP; or set source_address_prefix to a known range',
    ]);
  });
});
