import type { PolicyRule } from '../rule';
import { referencesAnywhere, subject } from './util';

/** The resource types a public IP may serve: the edge of the network, never a VM. */
const EDGE_TYPES = new Set([
  'azurerm_application_gateway',
  'azurerm_bastion_host',
  'azurerm_firewall',
  'azurerm_lb',
  'azurerm_nat_gateway_public_ip_association',
  'azurerm_virtual_network_gateway',
]);

/**
 * A public IP serves the edge of the network only: a NAT gateway (through
 * `azurerm_nat_gateway_public_ip_association`), a load balancer frontend, a Bastion host, an Application Gateway,
 * an Azure Firewall or a VPN gateway. Reported: a public IP on a VM's network interface (CKV_AZURE_119 reports
 * the interface too), and one nothing in the configuration uses, which is a standing public address anyone could
 * attach by hand. A public IP used from outside the configuration is acknowledged with the reason.
 */
export const publicIpEdgeOnly: PolicyRule = {
  id: 'PC_AZURE_PUBLIC_IP_EDGE_ONLY',
  severity: 'error',
  title: 'Public IPs serve NAT gateways, load balancers, Bastion, Application Gateways, firewalls or VPN gateways only',
  resourceTypes: ['azurerm_public_ip'],
  check(ip, context) {
    const users = context.resources.filter((r) => r !== ip && referencesAnywhere(r.config, ip.address));
    const nics = users.filter((r) => r.type === 'azurerm_network_interface').map((r) => r.address);
    if (nics.length > 0) {
      return [
        `${subject(ip)} is attached to ${nics.join(', ')}: remove public_ip_address_id from the interface's ip_configuration; VMs reach the internet through a NAT gateway (azurerm_nat_gateway_public_ip_association) and administrators through Azure Bastion`,
      ];
    }
    if (users.some((r) => EDGE_TYPES.has(r.type))) return [];
    return [
      `${subject(ip)} is used by no NAT gateway, load balancer, Bastion host, Application Gateway, firewall or VPN gateway: use it from one of them (for example an azurerm_nat_gateway_public_ip_association), or delete it`,
    ];
  },
};
