import type { NetworkSecurityGroupSecurityRule } from '@cdktf/provider-azurerm/lib/network-security-group';
import type { Construct } from 'constructs';
import { nsgRdpFromInternet } from '../../../lib/azure/policy/rules/nsg-rdp-from-internet';
import { networkSecurityRule, nsgWithRules, securityRule } from './fixtures/network';
import { findingsOf } from './helpers';

/** An inline rule; the tests judge azurerm_network_security_group.nsg, named nsg-win. */
const rdp = (name: string, rule: Partial<NetworkSecurityGroupSecurityRule> = {}) =>
  securityRule(name, { destinationPortRange: '3389', ...rule });
const nsg = (scope: Construct, ...rules: NetworkSecurityGroupSecurityRule[]) =>
  nsgWithRules(scope, 'nsg', rules, { name: 'nsg-win' });

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
      networkSecurityRule(scope, 'rule', 'nsg-win', {
        name: 'mgmt',
        protocol: '*',
        destinationPortRange: '3000-4000',
        sourceAddressPrefix: '0.0.0.0',
      });
    });
    expect(findings.map((f) => f.message)).toEqual([
      'azurerm_network_security_rule.rule (network security rule mgmt) allows RDP (TCP port 3389) inbound from source_address_prefix "0.0.0.0": set source_address_prefix to a known range, such as the AzureBastionSubnet prefix, and reach VMs through Azure Bastion; or set access = "Deny"',
    ]);
  });
});
