import { Construct } from 'constructs';
import type { Environment } from '../../lib/core';
import { ContainerAppsEnvironment, ContainerService, ScheduledJob } from '../../lib/azure';
import type { EnvironmentFoundation } from './foundation';

/** The container workloads of an environment on Azure. */
export interface EnvironmentWorkloads {
  /** The Container Apps environment, when there are services or jobs. */
  readonly containerApps?: ContainerAppsEnvironment;
  /** The container services, by name. */
  readonly services: ReadonlyMap<string, ContainerService>;
  /** The scheduled jobs, by name. */
  readonly jobs: ReadonlyMap<string, ScheduledJob>;
}

/**
 * Adds an environment's container workloads to `scope` (the environment's TerraformStack): the Container Apps
 * environment (`container-apps`, zone-redundant as the network spec says) when there are services or jobs, each
 * service under `services/<name>` and each job under `jobs/<name>`. Every construct keeps the id it has always
 * had: no Terraform address depends on this function.
 */
export function addWorkloads(
  scope: Construct,
  env: Environment,
  foundation: EnvironmentFoundation,
): EnvironmentWorkloads {
  const { group, monitoring, network, keyVault } = foundation;
  const containerApps =
    env.services.length + env.jobs.length > 0
      ? new ContainerAppsEnvironment(scope, 'container-apps', {
          name: env.name,
          resourceGroup: group,
          locationCode: env.azure.locationCode,
          subnetId: network.subnetIds.apps,
          workspaceId: monitoring.workspaceId,
          zoneRedundant: env.network.zoneRedundant,
        })
      : undefined;
  const workload = {
    environment: env.name,
    resourceGroup: group,
    locationCode: env.azure.locationCode,
    containerAppsEnvironmentId: containerApps?.id ?? '',
    monitoring,
    ...(keyVault && { keyVault }),
  };
  // As with servers, each workload's address follows from its name only.
  const servicesScope = new Construct(scope, 'services');
  const services = new Map(
    env.services.map((spec) => [spec.name, new ContainerService(servicesScope, spec.name, { ...workload, spec })]),
  );
  const jobsScope = new Construct(scope, 'jobs');
  const jobs = new Map(
    env.jobs.map((spec) => [spec.name, new ScheduledJob(jobsScope, spec.name, { ...workload, spec })]),
  );
  return { ...(containerApps && { containerApps }), services, jobs };
}
