import * as provider from '@cdktf/provider-azurerm/lib/provider';
import * as resourceGroup from '@cdktf/provider-azurerm/lib/resource-group';
import { AzurermBackend, LocalBackend, TerraformStack } from 'cdktf';
import { makeName, PLATFORM_PREFIX, type Environment } from '../../lib/core';
import {
  Backup,
  ContainerAppsEnvironment,
  ContainerService,
  declaredPublicPorts,
  type IResourceGroup,
  Monitoring,
  Network,
  Patching,
  PolicyChecks,
  RetainStatefulResources,
  ScheduledJob,
  SendDiagnostics,
  Server,
  TagResources,
} from '../../lib/azure';
import { Construct } from 'constructs';

/**
 * Provider features that never destroy data (shared/GUARDRAILS.md). Every azurerm 4.55 switch that purges,
 * permanently deletes or force-deletes something on `terraform destroy` is set explicitly to keep it: soft-
 * deleted vaults, keys, secrets and workspaces are kept (and recovered on re-create), OS and data disks outlive
 * their VM, backups are kept when protection stops, and a resource group that still holds resources, a NetApp
 * volume or a subscription cannot be destroyed.
 */
export const SAFE_PROVIDER_FEATURES: provider.AzurermProviderFeatures = {
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
  virtualMachine: [
    { deleteOsDiskOnDeletion: false, detachImplicitDataDiskOnDeletion: true, skipShutdownAndForceDelete: false },
  ],
  virtualMachineScaleSet: [{ forceDelete: false }],
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
  /** The environment's action groups, workbook, Log Analytics workspace and alert registry. */
  public readonly monitoring: Monitoring;
  /** The servers, by name. */
  public readonly servers: ReadonlyMap<string, Server>;
  /** The Recovery Services vault and VM backup policy; every server VM is protected. */
  public readonly backup: Backup;
  /** The maintenance configuration servers are patched by, when there are servers. */
  public readonly patching?: Patching;
  /** The Container Apps environment, when there are services or jobs. */
  public readonly containerApps?: ContainerAppsEnvironment;
  /** The container services, by name. */
  public readonly services: ReadonlyMap<string, ContainerService>;
  /** The scheduled jobs, by name. */
  public readonly jobs: ReadonlyMap<string, ScheduledJob>;

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
    // Read once for every construct below: each read of a provider attribute makes a new token, and cdktf records
    // a stack trace with every token (nearly every resource names the group).
    const group: IResourceGroup = { name: this.resourceGroup.name, location: this.resourceGroup.location };
    this.monitoring = new Monitoring(this, 'monitoring', {
      spec: env.monitoring,
      name: env.name,
      resourceGroup: group,
      locationCode: env.azure.locationCode,
    });
    this.network = new Network(this, 'network', {
      spec: env.network,
      name: env.name,
      resourceGroup: group,
      locationCode: env.azure.locationCode,
      monitoring: this.monitoring,
    });
    const patching =
      env.servers.length > 0
        ? new Patching(this, 'patching', {
            spec: env.patching,
            environment: env.name,
            resourceGroup: group,
            locationCode: env.azure.locationCode,
          })
        : undefined;
    if (patching) this.patching = patching;
    // Each definition's construct path (and so every resource address under it) is its name: reordering or
    // adding definitions never renames another one.
    const servers = new Construct(this, 'servers');
    this.servers = new Map(
      env.servers.map((spec) => [
        spec.name,
        new Server(servers, spec.name, {
          spec,
          environment: env.name,
          resourceGroup: group,
          locationCode: env.azure.locationCode,
          subnetId: this.network.subnets.workloads.id,
          zones: env.network.zones,
          adminSshPublicKey: env.azure.adminSshPublicKey ?? '',
          monitoring: this.monitoring,
          ...(patching && { patching }),
        }),
      ]),
    );
    this.backup = new Backup(this, 'backup', {
      spec: env.backup,
      environment: env.name,
      resourceGroup: group,
      locationCode: env.azure.locationCode,
      tier: env.tier,
      monitoring: this.monitoring,
    });
    for (const server of this.servers.values()) {
      server.virtualMachines.forEach((vm, i) =>
        this.backup.protectVirtualMachine(server.names.virtualMachines[i]!, vm.id),
      );
    }
    const containerApps =
      env.services.length + env.jobs.length > 0
        ? new ContainerAppsEnvironment(this, 'container-apps', {
            name: env.name,
            resourceGroup: group,
            locationCode: env.azure.locationCode,
            subnetId: this.network.subnets.apps.id,
            workspaceId: this.monitoring.workspaceId,
            zoneRedundant: env.tier === 'production',
          })
        : undefined;
    if (containerApps) this.containerApps = containerApps;
    const workload = {
      environment: env.name,
      resourceGroup: group,
      locationCode: env.azure.locationCode,
      containerAppsEnvironmentId: containerApps?.id ?? '',
      monitoring: this.monitoring,
      ...(env.azure.keyVaultId !== undefined && { keyVaultId: env.azure.keyVaultId }),
    };
    // As with servers, each workload's address follows from its name only.
    const services = new Construct(this, 'services');
    this.services = new Map(
      env.services.map((spec) => [spec.name, new ContainerService(services, spec.name, { ...workload, spec })]),
    );
    const jobs = new Construct(this, 'jobs');
    this.jobs = new Map(env.jobs.map((spec) => [spec.name, new ScheduledJob(jobs, spec.name, { ...workload, spec })]));
    SendDiagnostics.applyTo(this, this.monitoring.workspaceId);
    TagResources.applyTo(this, env.tags);
    if (env.protection.retainData) RetainStatefulResources.applyTo(this);
    // Public services listen on the Container Apps environment's HTTPS ingress: the only port the spec declares public.
    PolicyChecks.applyTo(this, { tier: env.tier, publicPorts: declaredPublicPorts(env.services) });
  }
}
