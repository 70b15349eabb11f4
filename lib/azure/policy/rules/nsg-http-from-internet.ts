import type { PolicyRule } from '../rule';
import { internetIngressRule } from './nsg-ingress';

/** CKV_AZURE_160 (checkov NSGRuleHTTPAccessRestricted): no security rule allows HTTP (TCP 80) in from the internet. */
export const nsgHttpFromInternet: PolicyRule = internetIngressRule({
  id: 'CKV_AZURE_160',
  title: 'No network security rule allows HTTP (TCP 80) from the internet',
  protocol: 'Tcp',
  port: 80,
  exposes: 'HTTP (TCP port 80)',
  fix: (source) =>
    `serve HTTPS only (destination_port_range = "443") behind an Application Gateway or Front Door that redirects HTTP; or set ${source} to a known range`,
});
