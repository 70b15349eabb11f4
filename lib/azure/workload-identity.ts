import * as identity from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import * as roleAssignment from '@cdktf/provider-azurerm/lib/role-assignment';
import type { Construct } from 'constructs';
import { checkProps } from '../core';
import { RESOURCE_GROUP_PROP } from './construct-props';
import type { IKeyVault, IResourceGroup } from './interfaces';

/** The built-in role that reads Key Vault secrets (and nothing else). */
export const KEY_VAULT_SECRETS_USER = 'Key Vault Secrets User';

/** What {@link addWorkloadIdentity} needs. */
export interface WorkloadIdentityProps {
  /** The identity's name. */
  readonly name: string;
  /** The resource group it goes into. */
  readonly resourceGroup: IResourceGroup;
  /** The secrets the workload names (variable to secret name); none means no Key Vault access. */
  readonly secrets: Readonly<Record<string, string>>;
  /**
   * The Key Vault holding the secrets.
   * @default - no Key Vault access
   */
  readonly keyVault?: IKeyVault;
  /** What reads the secrets, for the role assignment's description (the app's or job's name). */
  readonly reader: string;
}

/**
 * The user-assigned identity a container app or job runs as (id `Identity` in `scope`), and "Key Vault Secrets
 * User" for it on the Key Vault when it names secrets (id `KeyVaultSecretsUser`). Shared by services and jobs,
 * so both read secrets and pull images the same way.
 * @throws SpecError naming every missing or wrong prop
 */
export function addWorkloadIdentity(
  scope: Construct,
  props: WorkloadIdentityProps,
): { identity: identity.UserAssignedIdentity; keyVaultAccess?: roleAssignment.RoleAssignment } {
  checkProps('WorkloadIdentity', scope.node.path, props, {
    name: { kind: 'string', allowed: "the identity's name" },
    resourceGroup: RESOURCE_GROUP_PROP,
    secrets: { kind: 'object', allowed: 'the secrets the workload names, variable to secret name ({} for none)' },
    keyVault: {
      kind: 'object',
      optional: true,
      allowed: 'the Key Vault holding the secrets: KeyVault.fromKeyVaultId(...)',
    },
    reader: { kind: 'string', allowed: 'the name of the app or job that reads the secrets' },
  });
  const rg = props.resourceGroup;
  // ForceNew: name, location and resource group; a new identity has a new principal, so its role assignment is
  // replaced with it.
  const created = new identity.UserAssignedIdentity(scope, 'Identity', {
    name: props.name,
    location: rg.location,
    resourceGroupName: rg.name,
  });
  if (Object.keys(props.secrets).length === 0 || props.keyVault === undefined) return { identity: created };
  // Every attribute is ForceNew; none changes while the identity and the vault stay.
  const keyVaultAccess = new roleAssignment.RoleAssignment(scope, 'KeyVaultSecretsUser', {
    scope: props.keyVault.keyVaultId,
    roleDefinitionName: KEY_VAULT_SECRETS_USER,
    principalId: created.principalId,
    // A new identity may not have reached Entra ID's replicas yet; the type skips that lookup.
    principalType: 'ServicePrincipal',
    description: `${props.reader} reads the secrets it names`,
  });
  return { identity: created, keyVaultAccess };
}
