import * as containerAppJob from '@cdktf/provider-azurerm/lib/container-app-job';
import type * as roleAssignment from '@cdktf/provider-azurerm/lib/role-assignment';
import type * as identity from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import {
  containerSizeProblem,
  ENVIRONMENT_NAME_PATTERN,
  IssueCollector,
  makeName,
  parseImageReference,
  renderAzureSchedule,
  scheduleProblems,
  type JobSpec,
  jobFailedAlarmId,
} from '../core';
import { CONSUMPTION_WORKLOAD_PROFILE } from './container-apps-environment';
import {
  azureContainerRegistryOf,
  azureImageOf,
  renderContainerAppSecrets,
  renderContainerEnv,
} from './container-service';
import type { IMonitoring, WorkbookItem } from './monitoring';
import { locationCodeOf, type IResourceGroup } from './network';
import { addWorkloadIdentity } from './workload-identity';

/** Props of {@link ScheduledJob}. */
export interface ScheduledJobProps {
  /** One resolved job definition (`jobs[i]` of the environment): image, size, schedule, timeout, retries. */
  readonly spec: JobSpec;
  /** The environment name; it goes into every resource name (`caj-<env>-<job>-<location code>`). */
  readonly environment: string;
  /** The resource group to create the job and its identity in; its location is theirs. */
  readonly resourceGroup: IResourceGroup;
  /**
   * Short code of the location, at the end of the job's and the identity's names.
   * @default - the code of the resource group's location in AZURE_LOCATIONS
   */
  readonly locationCode?: string;
  /** The Container Apps environment the job runs in (`ContainerAppsEnvironment.environment.id`). */
  readonly containerAppsEnvironmentId: string;
  /**
   * The environment's monitoring: the failure alert and a workbook section.
   * @default - no alert and no workbook section
   */
  readonly monitoring?: IMonitoring;
  /**
   * The Key Vault holding the secrets `spec.secrets` names (the environment's `azure.keyVaultId`); the job's
   * identity gets "Key Vault Secrets User" on it. The vault must use Azure RBAC authorization.
   * @default - none; required when `spec.secrets` is not empty
   */
  readonly keyVaultId?: string;
}

/** The names of everything the job creates. */
export interface ScheduledJobNames {
  /** The Container Apps job: `caj-<env>-<job>-<location code>` (2-32 characters; a longer one ends in a hash). */
  readonly job: string;
  /** Its user-assigned identity: `id-<env>-<job>-<location code>`. */
  readonly identity: string;
}

/** Names the job's resources, within Azure's limits; pure. */
export function renderScheduledJobNames(
  props: Pick<ScheduledJobProps, 'spec' | 'environment' | 'resourceGroup' | 'locationCode'>,
): ScheduledJobNames {
  const code = props.locationCode ?? locationCodeOf(props.resourceGroup.location);
  const words = [props.environment, props.spec.name, ...(code === undefined ? [] : [code])];
  return {
    job: makeName('azureContainerApp', ['caj', ...words]),
    // A user-assigned identity takes 3-128 letters, digits, hyphens and underscores: the Linux VM rule (2-64,
    // lowercase letters, digits and hyphens, starting with a letter) is the nearest one named, and stricter.
    identity: makeName('azureLinuxVirtualMachine', ['id', ...words]),
  };
}

/**
 * The Kubernetes job conditions Container Apps relays to the system logs (`Reason`) when an execution fails for
 * good: every replica retry failed (`BackoffLimitExceeded`), or it ran past `replica_timeout_in_seconds`
 * (`DeadlineExceeded`). A replica that fails and is retried successfully logs neither.
 */
export const JOB_FAILURE_REASONS = ['BackoffLimitExceeded', 'DeadlineExceeded'] as const;

/**
 * The Container Apps system logs of one job with the columns TimeGenerated, JobName, Reason and Log: the
 * `ContainerAppSystemLogs` table a diagnostic setting fills, and the `_CL` table of the older log-analytics
 * destination. `isfuzzy` and `column_ifexists` let the query run while a table or column does not exist yet.
 */
export function renderJobSystemLogs(jobName: string): string {
  const leg = (table: string, suffix: string): string =>
    `(${table} | project TimeGenerated, ${['JobName', 'Reason', 'Log']
      .map((column) => `${column} = tostring(column_ifexists(${JSON.stringify(column + suffix)}, ""))`)
      .join(', ')})`;
  return [
    'union isfuzzy=true',
    `${leg('ContainerAppSystemLogs', '')},`,
    leg('ContainerAppSystemLogs_CL', '_s'),
    `| where JobName == ${JSON.stringify(jobName)}`,
  ].join(' ');
}

/** The failure alert's query: the job's executions that failed for good (JOB_FAILURE_REASONS); pure. */
export function renderJobFailedQuery(jobName: string): string {
  const reasons = JOB_FAILURE_REASONS.map((r) => JSON.stringify(r)).join(', ');
  return `${renderJobSystemLogs(jobName)} | where Reason in (${reasons})`;
}

/** Maps the props to the provider's Container Apps job config, given the identity it runs as; pure. */
export function renderScheduledJobConfig(
  props: ScheduledJobProps,
  names: ScheduledJobNames,
  identityId: string,
): containerAppJob.ContainerAppJobConfig {
  const { spec } = props;
  const registry = azureContainerRegistryOf(spec.image);
  const hasSecrets = Object.keys(spec.secrets).length > 0;
  return {
    // ForceNew: name, location, resource_group_name and container_app_environment_id.
    name: names.job,
    location: props.resourceGroup.location,
    resourceGroupName: props.resourceGroup.name,
    containerAppEnvironmentId: props.containerAppsEnvironmentId,
    // Azure reads it back as "Consumption" in a workload-profiles environment; naming it keeps plans empty.
    workloadProfileName: CONSUMPTION_WORKLOAD_PROFILE,
    replicaTimeoutInSeconds: spec.timeoutMinutes * 60,
    replicaRetryLimit: spec.retries,
    // One replica per run, which must complete once: a run is one container, as on AWS.
    scheduleTriggerConfig: {
      cronExpression: renderAzureSchedule(spec.schedule),
      parallelism: 1,
      replicaCompletionCount: 1,
    },
    identity: { type: 'UserAssigned', identityIds: [identityId] },
    ...(hasSecrets &&
      props.keyVaultId !== undefined && {
        secret: renderContainerAppSecrets(spec.secrets, props.keyVaultId, identityId),
      }),
    // Pulled with the job's identity, which needs AcrPull on that registry; other registries anonymously.
    ...(registry !== undefined && { registry: [{ server: registry, identity: identityId }] }),
    template: {
      container: [
        {
          name: spec.name,
          image: azureImageOf(spec.image),
          cpu: spec.cpu,
          memory: `${spec.memoryGiB}Gi`,
          ...(Object.keys(spec.environment).length + Object.keys(spec.secrets).length > 0 && {
            env: renderContainerEnv(spec),
          }),
        },
      ],
    },
  };
}

/**
 * A container run on a schedule on Azure: an Azure Container Apps job (`azurerm_container_app_job`) in the
 * environment's Container Apps environment, running as its own user-assigned identity.
 * - The schedule: `renderAzureSchedule(spec.schedule)` (UTC), one replica per run (parallelism 1, completion
 *   count 1). A replica runs at most `timeoutMinutes` (`replica_timeout_in_seconds`) and a failed one is retried
 *   `retries` times (`replica_retry_limit`).
 * - Secrets: each `spec.secrets` entry is a job secret referring to the Key Vault secret of that name
 *   (versionless), read with the job's identity, which gets "Key Vault Secrets User" on the vault once; the
 *   variable refers to it by `secret_name`, so no value is in the job. Plain variables are `value`s.
 * - Images from an Azure Container Registry (`*.azurecr.io`) are pulled with the job's identity; grant it AcrPull
 *   on that registry (its ID is not in the spec, so this construct cannot).
 * - `job/<name>/failed` (critical), with monitoring: a log alert, since Azure Monitor has no metric alert for a
 *   Container Apps job's failed executions (the `Executions` metric of Microsoft.App/jobs cannot be alerted on).
 *   It counts the job's rows in `ContainerAppSystemLogs` (and `ContainerAppSystemLogs_CL`) whose `Reason` is
 *   `BackoffLimitExceeded` or `DeadlineExceeded`, the conditions of an execution that failed after its retries or
 *   ran out of time, and fires on one or more in 5 minutes. The Container Apps environment must send its system
 *   logs to the workspace (ContainerAppsEnvironment does).
 *
 * A schedule tick may start an execution while the previous one still runs (AWS does): keep `timeoutMinutes`
 * (times the attempts) below the interval when runs must not overlap.
 *
 * @example
 * new ScheduledJob(stack, 'job-nightly-report', {
 *   spec: env.jobs[0], environment: env.name, resourceGroup: rg,
 *   containerAppsEnvironmentId: apps.environment.id, monitoring, keyVaultId: env.azure.keyVaultId,
 * });
 */
export class ScheduledJob extends Construct {
  /** The Container Apps job. */
  public readonly job: containerAppJob.ContainerAppJob;
  /** The identity the job runs as: it reads the Key Vault secrets and pulls from Azure Container Registry. */
  public readonly identity: identity.UserAssignedIdentity;
  /** "Key Vault Secrets User" for the identity on the Key Vault, when the job has secrets. */
  public readonly keyVaultAccess?: roleAssignment.RoleAssignment;
  /** The names of what the job creates. */
  public readonly names: ScheduledJobNames;

  constructor(scope: Construct, id: string, props: ScheduledJobProps) {
    super(scope, id);
    validateScheduledJobProps(props);
    const names = renderScheduledJobNames(props);
    this.names = names;
    const rg = props.resourceGroup;

    const access = addWorkloadIdentity(this, {
      name: names.identity,
      resourceGroup: rg,
      secrets: props.spec.secrets,
      ...(props.keyVaultId !== undefined && { keyVaultId: props.keyVaultId }),
      reader: names.job,
    });
    this.identity = access.identity;
    if (access.keyVaultAccess) this.keyVaultAccess = access.keyVaultAccess;

    this.job = new containerAppJob.ContainerAppJob(this, 'Resource', {
      ...renderScheduledJobConfig(props, names, this.identity.id),
      // Azure resolves the Key Vault references when it creates the job: the role must exist by then.
      ...(this.keyVaultAccess && { dependsOn: [this.keyVaultAccess] }),
    });

    const monitoring = props.monitoring;
    if (monitoring) {
      const { spec } = props;
      monitoring.addLogAlert(this, jobFailedAlarmId(spec.name), {
        query: renderJobFailedQuery(names.job),
        windowMinutes: 5,
        threshold: 1,
        severity: 'critical',
        description: ({ threshold }) =>
          `${threshold} or more runs of the job ${spec.name} failed within 5 minutes, after ${spec.retries} ${spec.retries === 1 ? 'retry' : 'retries'}.`,
        firstResponse: `Open the execution history of the Container Apps job ${names.job} for the failed run, then read its console logs (ContainerAppConsoleLogs) and system logs.`,
      });
      monitoring.addWorkbookItems(`Jobs: ${spec.name}`, ...renderJobWorkbookItems(names.job));
    }
  }
}

/** The workbook section of a job: its recent system events (starts, exits, failures); pure. */
export function renderJobWorkbookItems(jobName: string): WorkbookItem[] {
  return [
    {
      type: 'query',
      title: 'Recent job events',
      query: `${renderJobSystemLogs(jobName)} | project TimeGenerated, Reason, Log | top 50 by TimeGenerated desc`,
      visualization: 'table',
    },
  ];
}

const KEY_VAULT_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.KeyVault\/vaults\/[^/]+$/i;
const ENVIRONMENT_ID =
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.App\/managedEnvironments\/[^/]+$/i;

function validateScheduledJobProps(props: ScheduledJobProps): void {
  const issues = new IssueCollector();
  const { spec } = props;
  const at = `jobs.${spec.name}`;
  if (!ENVIRONMENT_NAME_PATTERN.test(props.environment)) {
    issues.add(
      'environment',
      props.environment,
      'an environment name: 2-12 lowercase letters, digits and single hyphens, such as prod',
    );
  }
  const size = containerSizeProblem(spec.cpu, spec.memoryGiB);
  if (size) issues.add(`${at}.memoryGiB`, { cpu: spec.cpu, memoryGiB: spec.memoryGiB }, size);
  for (const problem of scheduleProblems(spec.schedule)) {
    const [field, value] =
      'cron' in spec.schedule ? ['cron', spec.schedule.cron] : ['rateMinutes', spec.schedule.rateMinutes];
    issues.add(`${at}.schedule.${field}`, value, problem);
  }
  if (!Number.isInteger(spec.timeoutMinutes) || spec.timeoutMinutes < 1 || spec.timeoutMinutes > 1440) {
    issues.add(`${at}.timeoutMinutes`, spec.timeoutMinutes, 'a whole number of minutes from 1 to 1440');
  }
  if (!Number.isInteger(spec.retries) || spec.retries < 0 || spec.retries > 10) {
    issues.add(`${at}.retries`, spec.retries, 'a whole number of retries from 0 to 10');
  }
  for (const variable of Object.keys(spec.secrets).filter((v) => v in spec.environment)) {
    issues.add(`${at}.secrets.${variable}`, variable, 'a variable that is not also in environment');
  }
  const image = azureImageOf(spec.image);
  const parsed = parseImageReference(image);
  if (typeof parsed === 'string') {
    issues.add(`${at}.image${'reference' in spec.image ? '' : '.azureReference'}`, image, parsed);
  }
  if (Object.keys(spec.secrets).length > 0 && props.keyVaultId === undefined) {
    issues.add(
      'keyVaultId',
      props.keyVaultId,
      `the Key Vault holding the secrets ${Object.values(spec.secrets).join(', ')} (the environment's azure.keyVaultId)`,
    );
  }
  if (props.keyVaultId !== undefined && !Token.isUnresolved(props.keyVaultId) && !KEY_VAULT_ID.test(props.keyVaultId)) {
    issues.add(
      'keyVaultId',
      props.keyVaultId,
      'a Key Vault resource ID (/subscriptions/.../providers/Microsoft.KeyVault/vaults/<name>)',
    );
  }
  if (!Token.isUnresolved(props.containerAppsEnvironmentId) && !ENVIRONMENT_ID.test(props.containerAppsEnvironmentId)) {
    issues.add(
      'containerAppsEnvironmentId',
      props.containerAppsEnvironmentId,
      'a Container Apps environment resource ID (/subscriptions/.../providers/Microsoft.App/managedEnvironments/<name>)',
    );
  }
  if (issues.issues.length === 0) {
    try {
      renderScheduledJobNames(props);
    } catch (error) {
      issues.add(`${at}.name`, spec.name, (error as Error).message);
    }
  }
  issues.throwIfAny(`Invalid scheduled job (${spec.name})`);
}
