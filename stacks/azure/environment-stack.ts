import * as provider from '@cdktf/provider-azurerm/lib/provider';
import * as resourceGroup from '@cdktf/provider-azurerm/lib/resource-group';
import { AzurermBackend, LocalBackend, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { makeName, PLATFORM_PREFIX, type Environment } from '../../lib/core';
import { Network, TagResources } from '../../lib/azure';

/**
 * Provider features that never destroy data (shared/GUARDRAILS.md): soft-deleted key vaults are not purged,
 * OS disks outlive their VM, backups stop but stay when a protected VM is removed, and a resource group
 * that still holds resources cannot be deleted.
 */
export const SAFE_PROVIDER_FEATURES: provider.AzurermProviderFeatures = {
  keyVault: [{ purgeSoftDeleteOnDestroy: false, recoverSoftDeletedKeyVaults: true }],
  virtualMachine: [{ deleteOsDiskOnDeletion: false }],
  recoveryService: [{ vmBackupStopProtectionAndRetainDataOnDestroy: true }],
  resourceGroup: [{ preventDeletionIfContainsResources: true }],
};

/** Terraform (or OpenTofu) versions that apply the synthesized JSON. */
export const REQUIRED_TERRAFORM_VERSION = '>= 1.5.0';

/**
 * Where local state lives, relative to the synthesized stack folder (`cdktf.out/stacks/platform-<env>`):
 * the project root, so that re-synthesizing (which replaces cdktf.out) never deletes state, and so that the
 * path is the same on every machine.
 */
export function localStatePath(stackName: string): string {
  return `../../../terraform.${stackName}.tfstate`;
}

/**
 * One environment on Azure: a TerraformStack named `platform-<env>` with the azurerm provider, its state
 * backend, the environment's resource group and network, and the environment's tags on every resource.
 */
export class EnvironmentStack extends TerraformStack {
  /** The resource group everything of the environment goes into. */
  public readonly resourceGroup: resourceGroup.ResourceGroup;
  /** The environment's network. */
  public readonly network: Network;

  constructor(scope: Construct, env: Environment) {
    const stackName = `${PLATFORM_PREFIX}-${env.name}`;
    super(scope, stackName);

    new provider.AzurermProvider(this, 'azurerm', {
      features: [SAFE_PROVIDER_FEATURES],
      storageUseAzuread: true,
      ...(env.azure.subscriptionId !== undefined && { subscriptionId: env.azure.subscriptionId }),
    });
    // Plain Terraform JSON that terraform or OpenTofu apply without cdktf: the provider's full source
    // address, and the oldest CLI that reads every feature used here.
    this.addOverride('terraform.required_providers.azurerm.source', 'hashicorp/azurerm');
    this.addOverride('terraform.required_version', REQUIRED_TERRAFORM_VERSION);

    const backend = env.azure.backend;
    if (backend) {
      new AzurermBackend(this, {
        resourceGroupName: backend.resourceGroupName,
        storageAccountName: backend.storageAccountName,
        containerName: backend.containerName,
        key: backend.key,
        useAzureadAuth: true,
      });
    } else {
      new LocalBackend(this, { path: localStatePath(stackName) });
    }

    this.resourceGroup = new resourceGroup.ResourceGroup(this, 'resource-group', {
      name: makeName('azureResourceGroup', ['rg', PLATFORM_PREFIX, env.name, env.azure.locationCode]),
      location: env.azure.location,
    });
    this.network = new Network(this, 'network', {
      spec: env.network,
      name: env.name,
      resourceGroup: this.resourceGroup,
      locationCode: env.azure.locationCode,
    });
    TagResources.applyTo(this, env.tags);
  }
}
