import type { PolicyRule } from '../rule';
import { internetIngressRule } from './nsg-ingress';

/**
 * CKV_AZURE_10 (checkov NSGRuleSSHAccessRestricted): no security rule allows SSH (TCP 22) in from the internet.
 * Trivy: AZU-0050.
 */
export const nsgSshFromInternet: PolicyRule = internetIngressRule({
  id: 'CKV_AZURE_10',
  title: 'No network security rule allows SSH (TCP 22) from the internet',
  protocol: 'Tcp',
  port: 22,
  exposes: 'SSH (TCP port 22)',
  fix: (source) =>
    `set ${source} to a known range, such as the AzureBastionSubnet prefix, and reach VMs through Azure Bastion; or set access = "Deny"`,
});
