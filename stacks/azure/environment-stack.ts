import * as provider from '@cdktf/provider-azurerm/lib/provider';
import type * as resourceGroup from '@cdktf/provider-azurerm/lib/resource-group';
import { AzurermBackend, LocalBackend, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { PLATFORM_PREFIX, type Environment } from '../../lib/core';
import {
  DATA_SAFE_FEATURES,
  declaredPublicPorts,
  localStatePath,
  PolicyChecks,
  REQUIRED_TERRAFORM_VERSION,
  RetainStatefulResources,
  SendDiagnostics,
  TagResources,
  type Backup,
  type ContainerAppsEnvironment,
  type ContainerService,
  type Monitoring,
  type Network,
  type Patching,
  type ScheduledJob,
  type Server,
} from '../../lib/azure';
import { addCompute, type EnvironmentCompute } from './compute';
import { addFoundation, type EnvironmentFoundation } from './foundation';
import { addKubernetes, type EnvironmentKubernetes } from './kubernetes';
import { addWorkloads, type EnvironmentWorkloads } from './workloads';

/**
 * One environment on Azure: a TerraformStack named `platform-<env>` with the azurerm provider and its state
 * backend, composed of the same parts as on AWS: the foundation (resource group, monitoring, network; see
 * `addFoundation`), the compute (patching, servers and their backup; `addCompute`) and the workloads (the
 * Container Apps environment, services and jobs; `addWorkloads`). Terraform has one state per stack, so the parts
 * are plain functions that create into this stack, each construct with the id it has always had: a resource's
 * address follows from its construct path, and the parts add no scope to it. Then, once for the whole stack:
 * diagnostics to the workspace, the environment's tags, data retention where `protection.retainData` says so, and
 * the tier's rule pack.
 */
export class EnvironmentStack extends TerraformStack {
  /** Resource group, monitoring, network and the Key Vault the workloads read. */
  public readonly foundation: EnvironmentFoundation;
  /** Patching, servers and their backup. */
  public readonly compute: EnvironmentCompute;
  /** The Container Apps environment, services and jobs. */
  public readonly workloads: EnvironmentWorkloads;
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
  /** The AKS cluster and its managed Prometheus, when `env.kubernetes` is set. */
  public readonly kubernetes?: EnvironmentKubernetes;

  constructor(scope: Construct, env: Environment) {
    const stackName = `${PLATFORM_PREFIX}-${env.name}`;
    super(scope, stackName);

    new provider.AzurermProvider(this, 'azurerm', {
      features: [DATA_SAFE_FEATURES],
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

    // The order is part of the output: the workbook lists its sections in the order the constructs add them.
    this.foundation = addFoundation(this, env);
    this.compute = addCompute(this, env, this.foundation);
    this.workloads = addWorkloads(this, env, this.foundation);
    const kubernetes = addKubernetes(this, env, this.foundation);
    if (kubernetes) this.kubernetes = kubernetes;
    this.resourceGroup = this.foundation.resourceGroup;
    this.monitoring = this.foundation.monitoring;
    this.network = this.foundation.network;
    this.servers = this.compute.servers;
    this.backup = this.compute.backup;
    if (this.compute.patching) this.patching = this.compute.patching;
    if (this.workloads.containerApps) this.containerApps = this.workloads.containerApps;
    this.services = this.workloads.services;
    this.jobs = this.workloads.jobs;

    SendDiagnostics.applyTo(this, this.monitoring.workspaceId);
    TagResources.applyTo(this, env.tags);
    // The one place data retention is decided: the resolved environment's protection section.
    if (env.protection.retainData) RetainStatefulResources.applyTo(this);
    // Public services listen on the Container Apps environment's HTTPS ingress: the only port the spec declares public.
    PolicyChecks.applyTo(this, { tier: env.tier, publicPorts: declaredPublicPorts(env.services) });
  }
}
