import { blocks, type PolicyRule } from '../rule';
import { subject } from './util';

/**
 * CKV_AZURE_119 (checkov NetworkInterfacePublicIPAddressId): no `ip_configuration` of a network interface has a
 * `public_ip_address_id`. Its presence is what counts: the value is nearly always an expression
 * (`${azurerm_public_ip.vm.id}`). VMs reach the internet through a NAT gateway and administrators reach them
 * through Azure Bastion.
 */
export const nicNoPublicIp: PolicyRule = {
  id: 'CKV_AZURE_119',
  severity: 'error',
  title: 'Network interfaces have no public IP',
  resourceTypes: ['azurerm_network_interface'],
  check(nic) {
    return blocks(nic.config, 'ip_configuration')
      .filter((ip) => typeof ip.public_ip_address_id === 'string' && ip.public_ip_address_id !== '')
      .map(
        (ip) =>
          `${subject(nic)} ip_configuration "${String(ip.name)}" has public_ip_address_id ${String(ip.public_ip_address_id)}: remove public_ip_address_id; reach the internet through a NAT gateway and administer through Azure Bastion`,
      );
  },
};
