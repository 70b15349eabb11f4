import type { NetworkSecurityGroupSecurityRule } from '@cdktf/provider-azurerm/lib/network-security-group';
import type { NetworkSecurityRuleConfig } from '@cdktf/provider-azurerm/lib/network-security-rule';
import { TerraformVariable } from 'cdktf';
import type { Construct } from 'constructs';
import { nsgSshFromInternet } from '../../../lib/azure/policy/rules/nsg-ssh-from-internet';
import { networkSecurityRule, nsgWithRules, securityRule } from './fixtures/network';
import { findingsOf } from './helpers';

const FIX = 'and reach VMs through Azure Bastion; or set access = "Deny"';

/** An inline rule; the tests judge azurerm_network_security_group.nsg, named nsg-apps. */
const inbound = (name: string, rule: Partial<NetworkSecurityGroupSecurityRule> = {}) =>
  securityRule(name, { destinationPortRange: '22', ...rule });
const nsg = (scope: Construct, ...rules: NetworkSecurityGroupSecurityRule[]) =>
  nsgWithRules(scope, 'nsg', rules, { name: 'nsg-apps' });

const standalone = (scope: Construct, rule: Partial<NetworkSecurityRuleConfig>) =>
  networkSecurityRule(scope, 'rule', 'nsg-apps', { name: 'allow-admin', priority: 110, ...rule });

describe('CKV_AZURE_10 no SSH from the internet', () => {
  test('Compliance: SSH from a known range, a Deny rule, an outbound rule and HTTPS from the internet', () => {
    const findings = findingsOf(nsgSshFromInternet, (scope) => {
      nsg(
        scope,
        inbound('ssh-bastion', { sourceAddressPrefix: '10.0.250.0/26' }),
        inbound('deny-ssh', { priority: 4000, access: 'Deny' }),
        inbound('out', { priority: 200, direction: 'Outbound' }),
        inbound('https', { priority: 300, destinationPortRange: '443', sourceAddressPrefix: 'Internet' }),
        inbound('udp-22', { priority: 310, protocol: 'Udp' }),
      );
      standalone(scope, { destinationPortRanges: ['80', '443'], sourceAddressPrefixes: ['0.0.0.0/0'] });
    });
    expect(findings).toEqual([]);
  });

  test('Compliance: a source given as an expression is unknown, not a violation', () => {
    const findings = findingsOf(nsgSshFromInternet, (scope) => {
      const source = new TerraformVariable(scope, 'admin_range', { type: 'string' });
      standalone(scope, { destinationPortRange: '22', sourceAddressPrefix: source.stringValue });
    });
    expect(findings).toEqual([]);
  });

  test('Noncompliance: an inline rule from * to 22 names the group, the rule and the fix', () => {
    const [finding, ...rest] = findingsOf(nsgSshFromInternet, (scope) => nsg(scope, inbound('ssh', {})));
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      ruleId: 'CKV_AZURE_10',
      severity: 'error',
      address: 'azurerm_network_security_group.nsg',
      path: 'test/nsg',
    });
    expect(finding!.message).toBe(
      `azurerm_network_security_group.nsg (network security group nsg-apps) security_rule "ssh" allows SSH (TCP port 22) inbound from source_address_prefix "*": set source_address_prefix to a known range, such as the AzureBastionSubnet prefix, ${FIX}`,
    );
  });

  test('Noncompliance: a standalone rule whose port range list covers 22, from the Internet tag', () => {
    const findings = findingsOf(nsgSshFromInternet, (scope) =>
      standalone(scope, { destinationPortRanges: ['443', '20-30'], sourceAddressPrefixes: ['10.0.0.0/8', 'Internet'] }),
    );
    expect(findings.map((f) => [f.address, f.message])).toEqual([
      [
        'azurerm_network_security_rule.rule',
        `azurerm_network_security_rule.rule (network security rule allow-admin) allows SSH (TCP port 22) inbound from source_address_prefixes "Internet": set source_address_prefixes to a known range, such as the AzureBastionSubnet prefix, ${FIX}`,
      ],
    ]);
  });

  test('Noncompliance, every protocol to every port from 0.0.0.0/0 or Any, one message per rule', () => {
    const findings = findingsOf(nsgSshFromInternet, (scope) =>
      nsg(
        scope,
        inbound('all', { protocol: '*', destinationPortRange: '*', sourceAddressPrefix: '0.0.0.0/0' }),
        inbound('any', { priority: 120, direction: 'inbound', access: 'allow', sourceAddressPrefix: 'Any' }),
      ),
    );
    expect(findings.map((f) => f.message)).toEqual([
      `azurerm_network_security_group.nsg (network security group nsg-apps) security_rule "all" allows SSH (TCP port 22) inbound from source_address_prefix "0.0.0.0/0": set source_address_prefix to a known range, such as the AzureBastionSubnet prefix, ${FIX}`,
      `azurerm_network_security_group.nsg (network security group nsg-apps) security_rule "any" allows SSH (TCP port 22) inbound from source_address_prefix "Any": set source_address_prefix to a known range, such as the AzureBastionSubnet prefix, ${FIX}`,
    ]);
  });
});
