import type * as provider from '@cdktf/provider-azurerm/lib/provider';

/**
 * The azurerm provider features that never destroy data (shared/GUARDRAILS.md), for every stack of the library:
 * the platform's environment stacks and application teams' `PlatformStack`s. Every azurerm 4.55 switch that
 * purges, permanently deletes or force-deletes something on `terraform destroy` is set explicitly to keep it:
 * soft-deleted vaults, keys, secrets and workspaces are kept (and recovered on re-create), OS and data disks outlive
 * their VM, backups are kept when protection stops, and a resource group that still holds resources, a NetApp volume
 * or a subscription cannot be destroyed.
 *
 * Frozen: it is shared by every stack. To add switches of your own, start from {@link dataSafeProviderFeatures},
 * which returns a copy.
 *
 * @example
 * new AzurermProvider(stack, 'azurerm', { features: [DATA_SAFE_FEATURES] });
 */
export const DATA_SAFE_FEATURES: provider.AzurermProviderFeatures = deepFreeze({
  apiManagement: [{ purgeSoftDeleteOnDestroy: false, recoverSoftDeleted: true }],
  appConfiguration: [{ purgeSoftDeleteOnDestroy: false, recoverSoftDeleted: true }],
  cognitiveAccount: [{ purgeSoftDeleteOnDestroy: false }],
  databricksWorkspace: [{ forceDelete: false }],
  keyVault: [
    {
      purgeSoftDeleteOnDestroy: false,
      purgeSoftDeletedCertificatesOnDestroy: false,
      purgeSoftDeletedHardwareSecurityModuleKeysOnDestroy: false,
      purgeSoftDeletedHardwareSecurityModulesOnDestroy: false,
      purgeSoftDeletedKeysOnDestroy: false,
      purgeSoftDeletedSecretsOnDestroy: false,
      recoverSoftDeletedCertificates: true,
      recoverSoftDeletedHardwareSecurityModuleKeys: true,
      recoverSoftDeletedKeyVaults: true,
      recoverSoftDeletedKeys: true,
      recoverSoftDeletedSecrets: true,
    },
  ],
  logAnalyticsWorkspace: [{ permanentlyDeleteOnDestroy: false }],
  machineLearning: [{ purgeSoftDeletedWorkspaceOnDestroy: false }],
  netapp: [{ deleteBackupsOnBackupVaultDestroy: false, preventVolumeDestruction: true }],
  recoveryService: [
    { purgeProtectedItemsFromVaultOnDestroy: false, vmBackupStopProtectionAndRetainDataOnDestroy: true },
  ],
  recoveryServicesVaults: [{ recoverSoftDeletedBackupProtectedVm: true }],
  resourceGroup: [{ preventDeletionIfContainsResources: true }],
  subscription: [{ preventCancellationOnDestroy: true }],
  templateDeployment: [{ deleteNestedItemsDuringDeletion: false }],
  virtualMachine: [
    { deleteOsDiskOnDeletion: false, detachImplicitDataDiskOnDeletion: true, skipShutdownAndForceDelete: false },
  ],
  virtualMachineScaleSet: [{ forceDelete: false }],
});

/**
 * A copy of {@link DATA_SAFE_FEATURES} that the caller may change (to add a switch of a service the library does
 * not use); the library's own stacks use the constant.
 */
export function dataSafeProviderFeatures(): provider.AzurermProviderFeatures {
  return structuredClone(DATA_SAFE_FEATURES);
}

/**
 * The Terraform or OpenTofu versions that apply the synthesized JSON: terraform 1.5 or later (the oldest that reads
 * every feature the JSON uses, such as postconditions on data sources, which came in 1.2) and every OpenTofu release
 * (OpenTofu's versions start at 1.6.0, so the same constraint accepts them all). The platform's stacks and
 * `PlatformStack` set it as `terraform.required_version`.
 */
export const REQUIRED_TERRAFORM_VERSION = '>= 1.5.0';

/**
 * Where a stack's local state lives, relative to its synthesized folder (`cdktf.out/stacks/<stack>`): the project
 * root, `terraform.<stack>.tfstate`. Relative, so that the synthesized JSON is the same on every machine (cdktf's
 * default local backend writes an absolute path); outside cdktf.out, so that re-synthesizing (which replaces it)
 * never deletes state.
 */
export function localStatePath(stackName: string): string {
  return `../../../terraform.${stackName}.tfstate`;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
