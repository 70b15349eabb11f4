import * as natGateway from '@cdktf/provider-azurerm/lib/nat-gateway';
import * as natIpAssociation from '@cdktf/provider-azurerm/lib/nat-gateway-public-ip-association';
import * as nsg from '@cdktf/provider-azurerm/lib/network-security-group';
import * as nsgRule from '@cdktf/provider-azurerm/lib/network-security-rule';
import * as publicIp from '@cdktf/provider-azurerm/lib/public-ip';
import * as subnet from '@cdktf/provider-azurerm/lib/subnet';
import * as subnetNat from '@cdktf/provider-azurerm/lib/subnet-nat-gateway-association';
import * as subnetNsg from '@cdktf/provider-azurerm/lib/subnet-network-security-group-association';
import * as vnet from '@cdktf/provider-azurerm/lib/virtual-network';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { AZURE_SUBNET_ROLES, checkProps, IssueCollector, makeName, PLATFORM_PREFIX, type NetworkSpec } from '../core';
import {
  ENVIRONMENT_PROP,
  LOCATION_CODE_PROP,
  MONITORING_PROP,
  pathUnder,
  RESOURCE_GROUP_PROP,
  specProp,
} from './construct-props';
import type { IMonitoring, INetwork, IResourceGroup, SubnetRole } from './interfaces';
import { locationCodeOf } from './location';
import { addNetworkAlarms } from './network-alarms';

/** Props of {@link Network}. */
export interface NetworkProps {
  /** The environment's resolved network section: address space and subnet blocks. */
  readonly spec: NetworkSpec;
  /** The environment name; it goes into every resource name (`vnet-platform-<name>-<location code>`). */
  readonly name: string;
  /** The resource group to create the network in; its location is the network's location. */
  readonly resourceGroup: IResourceGroup;
  /**
   * Short code of the location used in names.
   * @default - the code of the resource group's location in AZURE_LOCATIONS
   */
  readonly locationCode?: string;
  /**
   * The environment's monitoring: the network registers its default alerts (NAT gateway) there.
   * @default - no alerts
   */
  readonly monitoring?: IMonitoring;
}

/** An existing virtual network and its subnets, for {@link Network.fromNetworkAttributes}. */
export interface NetworkAttributes {
  /** The virtual network's resource ID (`/subscriptions/.../providers/Microsoft.Network/virtualNetworks/<name>`). */
  readonly virtualNetworkId: string;
  /**
   * The resource ID of the subnet of each role, each in that virtual network: servers go into `workloads`, and the
   * Container Apps environment into `apps`, which must be delegated to Microsoft.App/environments.
   */
  readonly subnetIds: Readonly<Record<SubnetRole, string>>;
}

/** Priority of the explicit deny-all-from-Internet rule: the last one evaluated, so later allow rules win. */
export const DENY_INTERNET_PRIORITY = 4096;

/** The delegation that lets a Container Apps environment (workload profiles) use a subnet. */
const CONTAINER_APPS_DELEGATION: subnet.SubnetDelegation = {
  name: 'container-apps',
  serviceDelegation: {
    name: 'Microsoft.App/environments',
    actions: ['Microsoft.Network/virtualNetworks/subnets/join/action'],
  },
};

const VIRTUAL_NETWORK_ID =
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+$/i;

/**
 * A virtual network with three regional subnets (workloads, data, container apps, the last delegated to
 * Microsoft.App/environments), a network security group on every subnet that explicitly denies inbound
 * traffic from the Internet, and a NAT gateway for outbound traffic from the workloads and apps subnets.
 * No subnet has default outbound access; the data subnet has no way out at all.
 *
 * Azure subnets span every zone of a region, so there is one per role (AWS has one per role and zone), and
 * a subnet attaches to at most one NAT gateway, so there is one NAT gateway whatever `spec.natGateways` says.
 *
 * To place workloads in an existing virtual network instead, import it with {@link Network.fromNetworkAttributes}.
 *
 * @example
 * const network = new Network(stack, 'network', { spec: env.network, name: env.name, resourceGroup: rg });
 */
export class Network extends Construct implements INetwork {
  /**
   * Imports an existing virtual network and its subnets, by resource ID, as the `INetwork` the constructs take
   * their subnets from (`subnetIds.workloads` for servers, `subnetIds.apps` for the Container Apps environment).
   * Nothing is created and nothing is looked up in Azure: the IDs, checked for their form only, reach the Terraform
   * JSON as given.
   * @throws SpecError when an ID is not a virtual network's or a subnet of it, naming every one that is not
   */
  public static fromNetworkAttributes(attrs: NetworkAttributes): INetwork {
    const issues = new IssueCollector();
    const vnetId = attrs.virtualNetworkId;
    const known = !Token.isUnresolved(vnetId) && VIRTUAL_NETWORK_ID.test(vnetId);
    if (!Token.isUnresolved(vnetId) && !known) {
      issues.add(
        'virtualNetworkId',
        vnetId,
        'a virtual network resource ID (/subscriptions/.../providers/Microsoft.Network/virtualNetworks/<name>)',
      );
    }
    for (const role of AZURE_SUBNET_ROLES) {
      const subnetId = attrs.subnetIds[role];
      if (Token.isUnresolved(subnetId)) continue;
      const parent = /^(?<vnet>.+)\/subnets\/[^/]+$/i.exec(subnetId)?.groups?.vnet ?? '';
      // Against the virtual network when its ID is known and valid, else against the form of one.
      const inNetwork = known ? parent.toLowerCase() === vnetId.toLowerCase() : VIRTUAL_NETWORK_ID.test(parent);
      if (!inNetwork) {
        issues.add(
          `subnetIds.${role}`,
          subnetId,
          `a subnet resource ID in the virtual network (${known ? vnetId : '<virtual network ID>'}/subnets/<name>)`,
        );
      }
    }
    issues.throwIfAny('Invalid network attributes');
    return { virtualNetworkId: vnetId, subnetIds: { ...attrs.subnetIds } };
  }

  /** The virtual network. */
  public readonly virtualNetwork: vnet.VirtualNetwork;
  /** The subnets, by role. */
  public readonly subnets: Readonly<Record<SubnetRole, subnet.Subnet>>;
  /** The network security group of each subnet, by role. */
  public readonly securityGroups: Readonly<Record<SubnetRole, nsg.NetworkSecurityGroup>>;
  /** The NAT gateway giving the workloads and apps subnets outbound access. */
  public readonly natGateway: natGateway.NatGateway;
  /** The public IP address outbound traffic leaves from. */
  public readonly natPublicIp: publicIp.PublicIp;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    checkProps('Network', pathUnder(scope, id), props, {
      spec: specProp('network'),
      name: ENVIRONMENT_PROP,
      resourceGroup: RESOURCE_GROUP_PROP,
      locationCode: LOCATION_CODE_PROP,
      monitoring: MONITORING_PROP,
    });
    super(scope, id);
    const rg = props.resourceGroup;
    const names = renderNetworkNames(props);
    validateNetworkProps(props);

    this.virtualNetwork = new vnet.VirtualNetwork(this, 'Resource', {
      name: names.virtualNetwork,
      location: rg.location,
      resourceGroupName: rg.name,
      addressSpace: [props.spec.cidr],
    });

    this.natPublicIp = new publicIp.PublicIp(this, 'NatPublicIp', {
      name: names.natPublicIp,
      location: rg.location,
      resourceGroupName: rg.name,
      allocationMethod: 'Static',
      sku: 'Standard',
      ipVersion: 'IPv4',
    });
    this.natGateway = new natGateway.NatGateway(this, 'NatGateway', {
      name: names.natGateway,
      location: rg.location,
      resourceGroupName: rg.name,
      skuName: 'Standard',
      idleTimeoutInMinutes: 4,
    });
    new natIpAssociation.NatGatewayPublicIpAssociation(this, 'NatPublicIpAssociation', {
      natGatewayId: this.natGateway.id,
      publicIpAddressId: this.natPublicIp.id,
    });

    const subnets = {} as Record<SubnetRole, subnet.Subnet>;
    const groups = {} as Record<SubnetRole, nsg.NetworkSecurityGroup>;
    for (const role of AZURE_SUBNET_ROLES) {
      const group = new nsg.NetworkSecurityGroup(this, `SecurityGroup-${role}`, {
        name: names.securityGroups[role],
        location: rg.location,
        resourceGroupName: rg.name,
      });
      new nsgRule.NetworkSecurityRule(this, `DenyInternetInbound-${role}`, {
        name: 'DenyInternetInbound',
        description: 'Nothing from the Internet reaches this subnet unless a higher-priority rule allows it',
        resourceGroupName: rg.name,
        networkSecurityGroupName: group.name,
        priority: DENY_INTERNET_PRIORITY,
        direction: 'Inbound',
        access: 'Deny',
        protocol: '*',
        sourceAddressPrefix: 'Internet',
        sourcePortRange: '*',
        destinationAddressPrefix: '*',
        destinationPortRange: '*',
      });
      const net = new subnet.Subnet(this, `Subnet-${role}`, {
        ...renderSubnetConfig(props, role, names.subnets[role]),
        virtualNetworkName: this.virtualNetwork.name,
      });
      new subnetNsg.SubnetNetworkSecurityGroupAssociation(this, `SecurityGroupAssociation-${role}`, {
        subnetId: net.id,
        networkSecurityGroupId: group.id,
      });
      if (role !== 'data') {
        new subnetNat.SubnetNatGatewayAssociation(this, `NatGatewayAssociation-${role}`, {
          subnetId: net.id,
          natGatewayId: this.natGateway.id,
        });
      }
      subnets[role] = net;
      groups[role] = group;
    }
    this.subnets = subnets;
    this.securityGroups = groups;
    if (props.monitoring) addNetworkAlarms(this, this.natGateway, props.monitoring);
  }

  /** The virtual network's resource ID. */
  public get virtualNetworkId(): string {
    return this.virtualNetwork.id;
  }

  /** The resource ID of each subnet, by role. */
  public get subnetIds(): Readonly<Record<SubnetRole, string>> {
    return Object.fromEntries(AZURE_SUBNET_ROLES.map((role) => [role, this.subnets[role].id])) as Record<
      SubnetRole,
      string
    >;
  }
}

/** The names of everything the network creates. */
export interface NetworkNames {
  /** The virtual network: `vnet-platform-<env>-<location code>`. */
  readonly virtualNetwork: string;
  /** The NAT gateway: `ng-platform-<env>-<location code>`. */
  readonly natGateway: string;
  /** The NAT gateway's public IP: `pip-platform-<env>-nat-<location code>`. */
  readonly natPublicIp: string;
  /** Each subnet: `snet-<role>` (unique within the virtual network). */
  readonly subnets: Readonly<Record<SubnetRole, string>>;
  /** Each subnet's security group: `nsg-platform-<env>-<role>-<location code>`. */
  readonly securityGroups: Readonly<Record<SubnetRole, string>>;
}

/** Names every resource of the network, within Azure's limits; pure. */
export function renderNetworkNames(props: Pick<NetworkProps, 'name' | 'resourceGroup' | 'locationCode'>): NetworkNames {
  const code = props.locationCode ?? locationCodeOf(props.resourceGroup.location);
  const loc = code === undefined ? [] : [code];
  const env = [PLATFORM_PREFIX, props.name];
  const byRole = (make: (role: SubnetRole) => string): Record<SubnetRole, string> =>
    Object.fromEntries(AZURE_SUBNET_ROLES.map((role) => [role, make(role)])) as Record<SubnetRole, string>;
  return {
    virtualNetwork: makeName('azureVirtualNetwork', ['vnet', ...env, ...loc]),
    natGateway: makeName('azureNatGateway', ['ng', ...env, ...loc]),
    natPublicIp: makeName('azurePublicIp', ['pip', ...env, 'nat', ...loc]),
    subnets: byRole((role) => makeName('azureSubnet', ['snet', role])),
    securityGroups: byRole((role) => makeName('azureNetworkSecurityGroup', ['nsg', ...env, role, ...loc])),
  };
}

/** Maps one subnet role to the provider's subnet config; pure. */
export function renderSubnetConfig(
  props: Pick<NetworkProps, 'spec' | 'resourceGroup'>,
  role: SubnetRole,
  name: string,
): Omit<subnet.SubnetConfig, 'virtualNetworkName'> {
  return {
    name,
    resourceGroupName: props.resourceGroup.name,
    addressPrefixes: [props.spec.azureSubnets[role]],
    defaultOutboundAccessEnabled: false,
    privateEndpointNetworkPolicies: 'Enabled',
    ...(role === 'apps' && { delegation: [CONTAINER_APPS_DELEGATION] }),
  };
}

function validateNetworkProps(props: NetworkProps): void {
  const issues = new IssueCollector();
  for (const role of AZURE_SUBNET_ROLES) {
    if (!props.spec.azureSubnets[role]) {
      issues.add(`spec.azureSubnets.${role}`, props.spec.azureSubnets[role], 'a CIDR block inside spec.cidr');
    }
  }
  issues.throwIfAny('Invalid Network props');
}
