import { Construct } from 'constructs';
import { apiCheckDefinition, type Environment } from '../../lib/core';
import {
  ApiCheck,
  ApiCheckInsights,
  apiCheckRunner,
  apiCheckUrl,
  ContainerAppsEnvironment,
  ContainerService,
  ScheduledJob,
} from '../../lib/azure';
import type { EnvironmentFoundation } from './foundation';

/** The container workloads of an environment on Azure. */
export interface EnvironmentWorkloads {
  /** The Container Apps environment, when there are services or jobs. */
  readonly containerApps?: ContainerAppsEnvironment;
  /** The container services, by name. */
  readonly services: ReadonlyMap<string, ContainerService>;
  /** The scheduled jobs, by name. */
  readonly jobs: ReadonlyMap<string, ScheduledJob>;
  /** The Application Insights component the API checks report to, when there are checks. */
  readonly checkInsights?: ApiCheckInsights;
  /** The API checks (`env.checks.checks`), by name. */
  readonly checks: ReadonlyMap<string, ApiCheck>;
}

/**
 * Adds an environment's container workloads to `scope` (the environment's TerraformStack): the Container Apps
 * environment (`container-apps`, zone-redundant as the network spec says) when there are services, jobs or checks
 * the in-network probe runs, each service under `services/<name>` and each job under `jobs/<name>`; then the API
 * checks (`env.checks.checks`): their Application Insights component (`api-checks`) and each check under
 * `checks/<name>`, a service's check requesting the service's container app FQDN and path. Every construct keeps the id it has always
 * had: no Terraform address depends on this function.
 */
export function addWorkloads(
  scope: Construct,
  env: Environment,
  foundation: EnvironmentFoundation,
): EnvironmentWorkloads {
  const { group, monitoring, network, keyVault } = foundation;
  // A check the in-network probe runs (internal, secret headers, a JSON field) runs in the Container Apps
  // environment too.
  const probes = env.checks.checks.some((check) => apiCheckRunner(check).runner === 'probe');
  const containerApps =
    env.services.length + env.jobs.length > 0 || probes
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
  // One component for every check of the environment; each check's address follows from its name only.
  const checkInsights =
    env.checks.checks.length > 0
      ? new ApiCheckInsights(scope, 'api-checks', {
          name: env.name,
          resourceGroup: group,
          locationCode: env.azure.locationCode,
          workspaceId: monitoring.workspaceId,
          retentionDays: env.monitoring.logRetentionDays,
        })
      : undefined;
  const checksScope = new Construct(scope, 'checks');
  const checks = new Map(
    checkInsights
      ? env.checks.checks.map((check) => [
          check.name,
          new ApiCheck(checksScope, check.name, {
            check: apiCheckDefinition(check, apiCheckUrl(check, services)),
            environment: env.name,
            resourceGroup: group,
            locationCode: env.azure.locationCode,
            azureLocation: env.azure.location,
            monitoring,
            insights: checkInsights,
            ...(containerApps && { containerAppsEnvironmentId: containerApps.id }),
            ...(keyVault && { keyVault }),
          }),
        ])
      : [],
  );
  return {
    ...(containerApps && { containerApps }),
    services,
    jobs,
    ...(checkInsights && { checkInsights }),
    checks,
  };
}
