import { references, type PolicyRule } from '../rule';

/** Subnets Azure reserves for its own gateways, which refuse a network security group. */
const RESERVED_SUBNETS = new Set([
  'GatewaySubnet',
  'AzureFirewallSubnet',
  'AzureFirewallManagementSubnet',
  'RouteServerSubnet',
]);

/** CKV2_AZURE_31: every subnet is associated with a network security group. */
export const subnetHasNsg: PolicyRule = {
  id: 'CKV2_AZURE_31',
  severity: 'error',
  title: 'Every subnet has a network security group',
  resourceTypes: ['azurerm_subnet'],
  check(subnet, context) {
    if (RESERVED_SUBNETS.has(String(subnet.config.name))) return [];
    const associated = context
      .ofType('azurerm_subnet_network_security_group_association')
      .some((a) => references(a.config.subnet_id, subnet.address));
    return associated
      ? []
      : [
          `${subnet.address} (subnet ${String(subnet.config.name)}) has no network security group: add an azurerm_subnet_network_security_group_association for it`,
        ];
  },
};
