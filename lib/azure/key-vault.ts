import { Fn, Token } from 'cdktf';
import { IssueCollector } from '../core';
import type { IKeyVault } from './interfaces';

/** The DNS suffix of Key Vault in Azure's public cloud. */
const KEY_VAULT_DNS_SUFFIX = 'vault.azure.net';

/** A Key Vault resource ID; the name takes 3-24 letters, digits and hyphens, starting with a letter. */
const KEY_VAULT_ID =
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.KeyVault\/vaults\/[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/i;

/** What a Key Vault resource ID must look like, for error messages. */
export const KEY_VAULT_ID_RULE =
  'a Key Vault resource ID: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.KeyVault/vaults/<name>';

/** Whether a value is a Key Vault resource ID (a token passes: it is known at apply time only); pure. */
export function isKeyVaultId(keyVaultId: string): boolean {
  return Token.isUnresolved(keyVaultId) || KEY_VAULT_ID.test(keyVaultId);
}

/**
 * The vault URI of a Key Vault resource ID, `https://<vault name>.vault.azure.net` (the name lowercased, as DNS
 * holds it); from a token, the name is cut out at apply time.
 */
export function keyVaultUriOf(keyVaultId: string): string {
  const name = Token.isUnresolved(keyVaultId)
    ? Fn.lower(Fn.element(Fn.split('/', keyVaultId), 8))
    : (keyVaultId.split('/').pop() ?? '').toLowerCase();
  return `https://${name}.${KEY_VAULT_DNS_SUFFIX}`;
}

/**
 * Key Vaults the library reads secrets from. The library creates none: a vault outlives every environment that
 * reads it, and its purge protection cannot be undone, so it is imported by ID (the environment's
 * `azure.keyVaultId`) and given to the workloads that name secrets.
 */
export class KeyVault {
  /**
   * Imports an existing Key Vault by resource ID, as the `IKeyVault` container services and scheduled jobs take.
   * Nothing is created: each workload's identity gets "Key Vault Secrets User" on the vault, and its secrets refer
   * to `<vault URI>/secrets/<name>`.
   * @param keyVaultId the vault's resource ID (`/subscriptions/.../providers/Microsoft.KeyVault/vaults/<name>`),
   *   or a token of one
   * @throws SpecError when the ID is not a Key Vault resource ID
   */
  public static fromKeyVaultId(keyVaultId: string): IKeyVault {
    const issues = new IssueCollector();
    if (typeof keyVaultId !== 'string' || !isKeyVaultId(keyVaultId))
      issues.add('keyVaultId', keyVaultId, KEY_VAULT_ID_RULE);
    issues.throwIfAny('Invalid Key Vault');
    return { keyVaultId, vaultUri: keyVaultUriOf(keyVaultId) };
  }

  private constructor() {}
}
