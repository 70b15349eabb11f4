import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { TerraformStack, Testing } from 'cdktf';
import { checkName } from '../../lib/core';
import { Network, renderNetworkNames, TagResources } from '../../lib/azure';
import { devEnvironment, prodEnvironment } from '../util/fixtures';
import { listOf, resourcesOf, synthScope, type TfJson } from '../util/terraform';

const rg = { name: 'rg-platform-dev-weu', location: 'westeurope' };

function synthNetwork(env = devEnvironment()): TfJson {
  return synthScope((scope) => new Network(scope, 'network', { spec: env.network, name: env.name, resourceGroup: rg }));
}

describe('Network (Azure)', () => {
  test('a virtual network with the spec address space, in the resource group', () => {
    const [vnet] = listOf(synthNetwork(), 'azurerm_virtual_network');
    expect(vnet).toMatchObject({
      name: 'vnet-platform-dev-weu',
      location: 'westeurope',
      resource_group_name: 'rg-platform-dev-weu',
      address_space: ['10.10.0.0/16'],
    });
  });

  test('three subnets with planned blocks and no default outbound access', () => {
    const subnets = listOf(synthNetwork(), 'azurerm_subnet');
    const byName = subnets.map((s) => [s.name, s.address_prefixes, s.default_outbound_access_enabled]);
    expect(byName.sort()).toEqual([
      ['snet-apps', ['10.10.128.0/18'], false],
      ['snet-data', ['10.10.64.0/18'], false],
      ['snet-workloads', ['10.10.0.0/18'], false],
    ]);
    for (const s of subnets)
      expect(s.virtual_network_name).toMatch(/^\$\{azurerm_virtual_network\.network_[0-9A-F]{8}\.name\}$/);
  });

  test('the apps subnet is delegated to Container Apps environments', () => {
    const apps = listOf(synthNetwork(), 'azurerm_subnet').find((s) => s.name === 'snet-apps');
    expect(apps?.delegation).toEqual([
      {
        name: 'container-apps',
        service_delegation: {
          name: 'Microsoft.App/environments',
          actions: ['Microsoft.Network/virtualNetworks/subnets/join/action'],
        },
      },
    ]);
    const others = listOf(synthNetwork(), 'azurerm_subnet').filter((s) => s.name !== 'snet-apps');
    expect(others.map((s) => [s.name, s.delegation]).sort()).toEqual([
      ['snet-data', undefined],
      ['snet-workloads', undefined],
    ]);
  });

  test('every subnet has its own network security group', () => {
    const tf = synthNetwork();
    const subnets = resourcesOf(tf, 'azurerm_subnet');
    const groups = resourcesOf(tf, 'azurerm_network_security_group');
    const associations = listOf(tf, 'azurerm_subnet_network_security_group_association');
    expect(Object.keys(groups)).toHaveLength(3);
    expect(associations.map((a) => [a.subnet_id, a.network_security_group_id]).sort()).toEqual(
      Object.keys(subnets)
        .map((id) => {
          const role = String(subnets[id]!.name).replace('snet-', '');
          const group = Object.keys(groups).find((g) => String(groups[g]!.name).endsWith(`-${role}-weu`));
          return [`\${azurerm_subnet.${id}.id}`, `\${azurerm_network_security_group.${group}.id}`];
        })
        .sort(),
    );
  });

  test('every security group denies inbound traffic from the Internet explicitly, at the lowest priority', () => {
    const rules = listOf(synthNetwork(), 'azurerm_network_security_rule');
    expect(rules).toHaveLength(3);
    for (const rule of rules) {
      expect(rule).toMatchObject({
        name: 'DenyInternetInbound',
        priority: 4096,
        direction: 'Inbound',
        access: 'Deny',
        protocol: '*',
        source_address_prefix: 'Internet',
        destination_port_range: '*',
      });
    }
  });

  test('no rule allows anything in from the Internet', () => {
    const rules = listOf(synthNetwork(), 'azurerm_network_security_rule');
    expect(rules.filter((r) => r.access === 'Allow')).toEqual([]);
  });

  test('one NAT gateway with a static standard public IP serves the workloads and apps subnets, not data', () => {
    const tf = synthNetwork(prodEnvironment());
    expect(listOf(tf, 'azurerm_nat_gateway')).toEqual([
      expect.objectContaining({ name: 'ng-platform-prod-weu', sku_name: 'Standard', idle_timeout_in_minutes: 4 }),
    ]);
    expect(listOf(tf, 'azurerm_public_ip')).toEqual([
      expect.objectContaining({ name: 'pip-platform-prod-nat-weu', allocation_method: 'Static', sku: 'Standard' }),
    ]);
    expect(listOf(tf, 'azurerm_nat_gateway_public_ip_association')).toHaveLength(1);
    const subnets = resourcesOf(tf, 'azurerm_subnet');
    const natSubnets = listOf(tf, 'azurerm_subnet_nat_gateway_association').map((a) => {
      const id = /^\$\{azurerm_subnet\.(.+)\.id\}$/.exec(String(a.subnet_id))?.[1] ?? '';
      return subnets[id]?.name;
    });
    expect(natSubnets.sort()).toEqual(['snet-apps', 'snet-workloads']);
  });

  test('names fit Azure limits, even for the longest environment name', () => {
    const names = renderNetworkNames({
      name: 'abcdefghijkl',
      resourceGroup: { name: 'rg', location: 'southcentralus' },
    });
    expect(checkName('azureVirtualNetwork', names.virtualNetwork)).toBeUndefined();
    expect(checkName('azureNatGateway', names.natGateway)).toBeUndefined();
    expect(checkName('azurePublicIp', names.natPublicIp)).toBeUndefined();
    expect(Object.values(names.securityGroups).map((n) => checkName('azureNetworkSecurityGroup', n))).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(names.virtualNetwork).toBe('vnet-platform-abcdefghijkl-scus');
  });

  test('resource addresses are stable', () => {
    const tf = synthNetwork();
    expect(Object.keys(resourcesOf(tf, 'azurerm_virtual_network'))).toEqual(['network_39EEAA36']);
    expect(Object.keys(resourcesOf(tf, 'azurerm_subnet')).sort()).toEqual([
      'network_Subnet-apps_78D6C6EB',
      'network_Subnet-data_BBDA4313',
      'network_Subnet-workloads_3C1BDBDE',
    ]);
  });

  test('a subnet without a block is refused with the field', () => {
    const env = devEnvironment();
    expect(() =>
      synthScope(
        (scope) =>
          new Network(scope, 'network', {
            spec: { ...env.network, azureSubnets: { ...env.network.azureSubnets, apps: '' } },
            name: 'dev',
            resourceGroup: rg,
          }),
      ),
    ).toThrow(/spec\.azureSubnets\.apps: "" - a CIDR block inside spec\.cidr/);
  });
});

describe('TagResources', () => {
  test('tags every taggable resource and leaves the others alone', () => {
    const env = devEnvironment();
    const tf = synthScope((scope) => {
      new Network(scope, 'network', { spec: env.network, name: env.name, resourceGroup: rg });
      TagResources.applyTo(scope, { owner: 'team', environment: 'dev' });
    });
    const tags = { environment: 'dev', owner: 'team' };
    const tagsByType = (type: string): unknown[] => listOf(tf, type).map((r) => r.tags);
    expect(tagsByType('azurerm_virtual_network')).toEqual([tags]);
    expect(tagsByType('azurerm_network_security_group')).toEqual([tags, tags, tags]);
    expect(tagsByType('azurerm_nat_gateway')).toEqual([tags]);
    expect(tagsByType('azurerm_public_ip')).toEqual([tags]);
    expect(tagsByType('azurerm_subnet')).toEqual([undefined, undefined, undefined]);
  });

  test('tags a resource sets itself win', () => {
    const env = devEnvironment();
    const tf = synthScope((scope) => {
      const network = new Network(scope, 'network', { spec: env.network, name: env.name, resourceGroup: rg });
      network.natGateway.tags = { owner: 'network-team' };
      TagResources.applyTo(scope, { owner: 'team', environment: 'dev' });
    });
    expect(listOf(tf, 'azurerm_nat_gateway')[0]?.tags).toEqual({ environment: 'dev', owner: 'network-team' });
  });
});

describe('Network names (Azure)', () => {
  test('a location known only at apply time leaves the code out of names instead of token text', () => {
    const group = new ResourceGroup(new TerraformStack(Testing.app(), 'names'), 'rg', {
      name: 'rg',
      location: 'westeurope',
    });
    const names = renderNetworkNames({ name: 'dev', resourceGroup: group });
    expect(names.virtualNetwork).toBe('vnet-platform-dev');
    expect(names.natGateway).toBe('ng-platform-dev');
  });
});
