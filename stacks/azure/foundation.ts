import * as resourceGroup from '@cdktf/provider-azurerm/lib/resource-group';
import type { Construct } from 'constructs';
import { makeName, PLATFORM_PREFIX, type Environment } from '../../lib/core';
import {
  AuditTrail,
  KeyVault,
  Monitoring,
  Network,
  PLATFORM_KEY_VAULT_TAG,
  type IKeyVault,
  type IResourceGroup,
} from '../../lib/azure';

/** The foundation of an environment on Azure: what everything else goes into and reports to. */
export interface EnvironmentFoundation {
  /** The resource group everything of the environment goes into: `rg-platform-<env>-<location code>`. */
  readonly resourceGroup: resourceGroup.ResourceGroup;
  /** The same resource group as the constructs take it, its name and location read once. */
  readonly group: IResourceGroup;
  /** The environment's action groups, workbook, Log Analytics workspace and alert registry. */
  readonly monitoring: Monitoring;
  /** The environment's virtual network, subnets, security groups and NAT gateway. */
  readonly network: Network;
  /** The subscription's Activity Log export, audit alerts and saved searches, when `audit.enabled`. */
  readonly auditTrail?: AuditTrail;
  /** The Key Vault the workloads read their secrets from (`azure.keyVaultId`), when the environment names one. */
  readonly keyVault?: IKeyVault;
}

/**
 * Adds an environment's foundation to `scope` (the environment's TerraformStack): the resource group, the
 * monitoring and the network, and the existing Key Vault imported by ID, its ID published on the resource group in
 * the `platform:key-vault-id` tag (`PLATFORM_KEY_VAULT_TAG`) for application teams that join the environment (the
 * other names they read are the foundation's own: see `platformEnvironmentNames`). Every construct is created
 * directly in `scope`, with the ids it has always had (`resource-group`, `monitoring`, `audit-trail`, `network`), so that no
 * Terraform address depends on this function.
 */
export function addFoundation(scope: Construct, env: Environment): EnvironmentFoundation {
  const rg = new resourceGroup.ResourceGroup(scope, 'resource-group', {
    name: makeName('azureResourceGroup', ['rg', PLATFORM_PREFIX, env.name, env.azure.locationCode]),
    location: env.azure.location,
    // Published for application teams (PlatformEnvironment.join): the vault is not the platform's, so its name is
    // not derived from the environment's; the tag is where a team's plan finds it.
    ...(env.azure.keyVaultId !== undefined && { tags: { [PLATFORM_KEY_VAULT_TAG]: env.azure.keyVaultId } }),
  });
  // Read once for every construct: each read of a provider attribute makes a new token, and cdktf records a stack
  // trace with every token (nearly every resource names the group).
  const group: IResourceGroup = { name: rg.name, location: rg.location };
  const monitoring = new Monitoring(scope, 'monitoring', {
    spec: env.monitoring,
    name: env.name,
    resourceGroup: group,
    locationCode: env.azure.locationCode,
  });
  const auditTrail = env.audit.enabled
    ? new AuditTrail(scope, 'audit-trail', {
        spec: env.audit,
        name: env.name,
        monitoring,
        workspaceRetentionDays: env.monitoring.logRetentionDays,
      })
    : undefined;
  const network = new Network(scope, 'network', {
    spec: env.network,
    name: env.name,
    resourceGroup: group,
    locationCode: env.azure.locationCode,
    monitoring,
  });
  return {
    resourceGroup: rg,
    group,
    monitoring,
    network,
    ...(auditTrail && { auditTrail }),
    ...(env.azure.keyVaultId !== undefined && { keyVault: KeyVault.fromKeyVaultId(env.azure.keyVaultId) }),
  };
}
