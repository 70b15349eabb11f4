import type { PolicyRule } from '../rule';
import { internetIngressRule } from './nsg-ingress';

/**
 * CKV_AZURE_77 (checkov NSGRuleUDPAccessRestricted): no security rule allows UDP, on any port, in from the
 * internet. Unlike checkov, a rule with protocol `*` counts too: it allows UDP as well.
 */
export const nsgUdpFromInternet: PolicyRule = internetIngressRule({
  id: 'CKV_AZURE_77',
  title: 'No network security rule allows UDP from the internet',
  protocol: 'Udp',
  exposes: 'UDP',
  fix: (source) => `set protocol = "Tcp" if only TCP is needed, or set ${source} to a known address range`,
});
