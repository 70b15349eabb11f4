import type { NetworkSecurityGroupSecurityRule } from '@cdktf/provider-azurerm/lib/network-security-group';
import { App, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { acknowledge } from '../../../lib/azure/acknowledge';
import { declaredPublicPorts, PolicyChecks } from '../../../lib/azure/policy';
import { checkTerraform } from '../../../lib/azure/policy/engine';
import { nsgInternetIngress, withinPorts } from '../../../lib/azure/policy/rules/nsg-internet-ingress';
import { networkSecurityRule, nsgWithRules, securityRule } from './fixtures/network';
import { synthStack } from './helpers';

/** An inline rule from the Internet tag to TCP 443; the tests judge azurerm_network_security_group.nsg (nsg-web). */
const web = (name: string, rule: Partial<NetworkSecurityGroupSecurityRule> = {}) =>
  securityRule(name, { sourceAddressPrefix: 'Internet', ...rule });
const nsg = (scope: Construct, ...rules: NetworkSecurityGroupSecurityRule[]) =>
  nsgWithRules(scope, 'nsg', rules, { name: 'nsg-web' });

/** The rule's messages over what `build` synthesizes, with the spec declaring `publicPorts`. */
function messages(build: (scope: Construct) => void, publicPorts: readonly number[] = [443]): string[] {
  return checkTerraform(synthStack(build), { tier: 'production', rules: [nsgInternetIngress], publicPorts }).map(
    (f) => f.message,
  );
}

const FIX =
  'set source_address_prefix to a known address range, or access = "Deny"; a listener meant for the Internet is declared in the spec (a public service)';

describe('PC_AZURE_NSG_INTERNET_INGRESS nothing from the internet but the declared public listeners', () => {
  test('Compliance: the declared public listener (TCP 443) from the Internet, inline and standalone', () => {
    expect(
      messages((scope) => {
        nsg(scope, web('https'));
        networkSecurityRule(scope, 'rule', 'nsg-web', {
          name: 'https',
          destinationPortRange: '443',
          sourceAddressPrefix: '*',
        });
      }),
    ).toEqual([]);
  });

  test('Compliance: any port from a known range, and a deny of everything from the Internet', () => {
    expect(
      messages(
        (scope) =>
          nsg(
            scope,
            web('app-vnet', { destinationPortRange: '8080', sourceAddressPrefix: 'VirtualNetwork' }),
            web('ops', {
              priority: 110,
              destinationPortRanges: ['22', '8000-9000'],
              sourceAddressPrefix: '10.0.0.0/8',
            }),
            web('deny', { priority: 4096, access: 'Deny', protocol: '*', destinationPortRange: '*' }),
          ),
        [],
      ),
    ).toEqual([]);
  });

  test('Noncompliance: 8080 from the Internet, which no check for 22, 3389, 80 or UDP sees', () => {
    const findings = checkTerraform(
      synthStack((scope) => nsg(scope, web('https'), web('admin', { priority: 110, destinationPortRange: '8080' }))),
      { tier: 'development', rules: [nsgInternetIngress], publicPorts: [443] },
    );
    expect(findings).toEqual([
      {
        ruleId: 'PC_AZURE_NSG_INTERNET_INGRESS',
        severity: 'error',
        address: 'azurerm_network_security_group.nsg',
        path: 'test/nsg',
        message: `azurerm_network_security_group.nsg (network security group nsg-web) security_rule "admin" allows TCP 8080 inbound from source_address_prefix "Internet", which is not a public listener of the environment (the spec declares TCP 443): ${FIX}`,
      },
    ]);
  });

  test('Noncompliance: 443 from the Internet when the spec declares no public service', () => {
    expect(messages((scope) => nsg(scope, web('https')), [])).toEqual([
      `azurerm_network_security_group.nsg (network security group nsg-web) security_rule "https" allows TCP 443 inbound from source_address_prefix "Internet", which is not a public listener of the environment (the spec declares none): ${FIX}`,
    ]);
  });

  test('Noncompliance: every port, a range reaching past the listener, and a prefix list holding ::/0', () => {
    expect(
      messages((scope) => {
        networkSecurityRule(scope, 'all', 'nsg-web', { destinationPortRange: '*', sourceAddressPrefix: 'Any' });
        networkSecurityRule(scope, 'range', 'nsg-web', {
          destinationPortRanges: ['443', '440-450'],
          sourceAddressPrefixes: ['10.0.0.0/8', '::/0'],
        });
      }),
    ).toEqual([
      'azurerm_network_security_rule.all (network security rule all) allows TCP every port (*) inbound from source_address_prefix "Any", which is not a public listener of the environment (the spec declares TCP 443): set source_address_prefix to a known address range, or access = "Deny"; a listener meant for the Internet is declared in the spec (a public service)',
      'azurerm_network_security_rule.range (network security rule range) allows TCP 440-450 inbound from source_address_prefixes "::/0", which is not a public listener of the environment (the spec declares TCP 443): set source_address_prefixes to a known address range, or access = "Deny"; a listener meant for the Internet is declared in the spec (a public service)',
    ]);
  });

  test('Noncompliance: the public port over every protocol, and a port known only at apply time', () => {
    expect(
      messages((scope) =>
        nsg(
          scope,
          web('any-protocol', { protocol: '*' }),
          web('computed', { priority: 110, destinationPortRange: '${var.port}' }),
        ),
      ),
    ).toEqual([
      `azurerm_network_security_group.nsg (network security group nsg-web) security_rule "any-protocol" allows protocol "*" on 443 inbound from source_address_prefix "Internet", which is not a public listener of the environment (the spec declares TCP 443): ${FIX}`,
      `azurerm_network_security_group.nsg (network security group nsg-web) security_rule "computed" allows TCP port \${var.port} (known only at apply time) inbound from source_address_prefix "Internet", which is not a public listener of the environment (the spec declares TCP 443): ${FIX}`,
    ]);
  });

  test('an acknowledgement next to the rule clears the finding, with its reason', () => {
    const tf = synthStack((stack) => {
      const group = nsg(stack, web('admin', { destinationPortRange: '8080' }));
      acknowledge(group, 'PC_AZURE_NSG_INTERNET_INGRESS', 'A honeypot listens on 8080 on purpose');
      PolicyChecks.applyTo(stack as TerraformStack, { tier: 'production' });
    });
    const findings = checkTerraform(tf, { tier: 'production', rules: [nsgInternetIngress] });
    expect(findings.map((f) => f.acknowledgedReason)).toEqual(['A honeypot listens on 8080 on purpose']);
  });
});

describe('the public ports the spec declares', () => {
  test('443 when a service is public, none otherwise', () => {
    expect(declaredPublicPorts([{ public: false }, { public: true }])).toEqual([443]);
    expect(declaredPublicPorts([{ public: false }])).toEqual([]);
    expect(declaredPublicPorts([])).toEqual([]);
  });

  test('PolicyChecks records them in the stack, and the pack re-run on cdk.tf.json alone honours them', () => {
    const tf = synthStack((stack) => {
      nsg(stack, web('https'), web('admin', { priority: 110, destinationPortRange: '8080' }));
      PolicyChecks.applyTo(stack as TerraformStack, { tier: 'production', publicPorts: [443, 443] });
    });
    expect((tf['//'] as Record<string, { publicPorts?: number[] }>)['platform-policy']?.publicPorts).toEqual([443]);
    expect(
      checkTerraform(tf, { tier: 'production', rules: [nsgInternetIngress] }).map(
        (f) => f.message.split(' allows ')[1],
      ),
    ).toEqual([expect.stringMatching(/^TCP 8080 inbound/)]);
  });

  test('PolicyChecks refuses a public port that is not a TCP port number', () => {
    const stack = new TerraformStack(new App({ skipValidation: true }), 'test');
    expect(() => PolicyChecks.applyTo(stack, { tier: 'development', publicPorts: [443, 0, 70000, 8.5] })).toThrow(
      'PolicyChecks on test: publicPorts 0, 70000, 8.5 - each a TCP port number from 1 to 65535',
    );
  });

  test.each([
    ['443', [443], true],
    ['443-443', [443], true],
    ['80-81', [80, 81], true],
    ['80-81', [80], false],
    ['440-450', [443], false],
    ['*', [443], false],
    ['8080', [443], false],
    ['${var.port}', [443], false],
  ])('destination %p within %p: %p', (entry, ports, within) => expect(withinPorts(entry, ports)).toBe(within));
});
