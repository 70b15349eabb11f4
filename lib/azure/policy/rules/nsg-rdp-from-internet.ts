import type { PolicyRule } from '../rule';
import { internetIngressRule } from './nsg-ingress';

/**
 * CKV_AZURE_9 (checkov NSGRuleRDPAccessRestricted): no security rule allows RDP (TCP 3389) in from the internet.
 * Trivy: AZU-0048.
 */
export const nsgRdpFromInternet: PolicyRule = internetIngressRule({
  id: 'CKV_AZURE_9',
  title: 'No network security rule allows RDP (TCP 3389) from the internet',
  protocol: 'Tcp',
  port: 3389,
  exposes: 'RDP (TCP port 3389)',
  fix: (source) =>
    `set ${source} to a known range, such as the AzureBastionSubnet prefix, and reach VMs through Azure Bastion; or set access = "Deny"`,
});
