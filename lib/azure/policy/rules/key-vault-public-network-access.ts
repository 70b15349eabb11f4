import type { PolicyRule } from '../rule';
import { expectBool } from './util';

/**
 * CKV_AZURE_189 (checkov KeyVaultDisablesPublicNetworkAccess): a key vault sets
 * `public_network_access_enabled = false` (the provider defaults it to true) and is reached through a private
 * endpoint. Stricter than checkov, which also passes a vault whose `network_acls` lists `ip_rules`: a firewalled
 * public endpoint is still a public endpoint.
 */
export const keyVaultPublicNetworkAccess: PolicyRule = {
  id: 'CKV_AZURE_189',
  severity: 'error',
  title: 'Key vaults disable public network access',
  resourceTypes: ['azurerm_key_vault'],
  check(vault) {
    return expectBool(vault, 'public_network_access_enabled', {
      expected: false,
      providerDefault: true,
      hint: ' and reach the vault through a private endpoint',
    });
  },
};
