import * as containerAppJob from '@cdktf/provider-azurerm/lib/container-app-job';
import type { Construct } from 'constructs';
import {
  checkProps,
  IssueCollector,
  jobFailedAlarmId,
  jobProblems,
  makeName,
  renderAzureSchedule,
  type JobSpec,
} from '../core';
import {
  addLimitProblems,
  checkContainerWorkloadProps,
  ContainerWorkload,
  containerWorkloadPropRules,
  renderWorkloadContainer,
  renderWorkloadConfig,
  workloadIdentityName,
  type ContainerWorkloadProps,
} from './container-definition';
import { pathUnder } from './construct-props';
import type { IMonitoring, WorkbookItem } from './interfaces';
import { locationCodeOf } from './location';

/** Props of {@link ScheduledJob}. */
export interface ScheduledJobProps extends ContainerWorkloadProps {
  /** One resolved job definition (`jobs[i]` of the environment): image, size, schedule, timeout, retries. */
  readonly spec: JobSpec;
  /**
   * Short code of the location, at the end of the job's and the identity's names.
   * @default - the code of the resource group's location in AZURE_LOCATIONS
   */
  readonly locationCode?: string;
  /**
   * The environment's monitoring: the failure alert and a workbook section.
   * @default - no alert and no workbook section
   */
  readonly monitoring?: IMonitoring;
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
  return { job: makeName('azureContainerApp', ['caj', ...words]), identity: workloadIdentityName(words) };
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
  return {
    ...renderWorkloadConfig(props, identityId),
    name: names.job,
    location: props.resourceGroup.location,
    replicaTimeoutInSeconds: spec.timeoutMinutes * 60,
    replicaRetryLimit: spec.retries,
    // One replica per run, which must complete once: a run is one container, as on AWS.
    scheduleTriggerConfig: {
      cronExpression: renderAzureSchedule(spec.schedule),
      parallelism: 1,
      replicaCompletionCount: 1,
    },
    template: { container: [renderWorkloadContainer(spec, { listEmptyEnv: false })] },
  };
}

/**
 * A container run on a schedule on Azure: an Azure Container Apps job (`azurerm_container_app_job`) in the
 * environment's Container Apps environment, running as its own user-assigned identity.
 * - The schedule: `renderAzureSchedule(spec.schedule)` (UTC), one replica per run (parallelism 1, completion
 *   count 1). A replica runs at most `timeoutMinutes` (`replica_timeout_in_seconds`) and a failed one is retried
 *   `retries` times (`replica_retry_limit`). No probes: a replica runs to completion, and its exit code says
 *   whether the run failed.
 * - The image, identity, variables, secrets and size are rendered and checked as for a container service
 *   (`container-definition.ts`), the limits as the spec checks them (`jobProblems` of lib/core).
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
 *   containerAppsEnvironmentId: apps.id, monitoring, keyVault: KeyVault.fromKeyVaultId(env.azure.keyVaultId),
 * });
 */
export class ScheduledJob extends ContainerWorkload<ScheduledJobNames> {
  /** The Container Apps job. */
  public readonly job: containerAppJob.ContainerAppJob;

  constructor(scope: Construct, id: string, props: ScheduledJobProps) {
    checkProps('ScheduledJob', pathUnder(scope, id), props, containerWorkloadPropRules('jobs'));
    validateScheduledJobProps(props);
    const names = renderScheduledJobNames(props);
    super(scope, id, props, names, names.job);
    this.job = new containerAppJob.ContainerAppJob(this, 'Resource', {
      ...renderScheduledJobConfig(props, names, this.identity.id),
      ...this.afterKeyVaultAccess,
    });

    if (props.monitoring) addJobAlarms(this, props.spec, names.job, props.monitoring);
  }
}

/**
 * The job's default alert, `job/<name>/failed` (critical: a run failed after its retries or ran out of time, see
 * {@link renderJobFailedQuery}), and its workbook section.
 */
export function addJobAlarms(
  scope: Construct,
  spec: Pick<JobSpec, 'name' | 'retries'>,
  jobName: string,
  monitoring: IMonitoring,
): void {
  monitoring.addLogAlert(scope, jobFailedAlarmId(spec.name), {
    query: renderJobFailedQuery(jobName),
    windowMinutes: 5,
    threshold: 1,
    severity: 'critical',
    description: ({ threshold }) =>
      `${threshold} or more runs of the job ${spec.name} failed within 5 minutes, after ${spec.retries} ${spec.retries === 1 ? 'retry' : 'retries'}.`,
    firstResponse: `Open the execution history of the Container Apps job ${jobName} for the failed run, then read its console logs (ContainerAppConsoleLogs) and system logs.`,
  });
  monitoring.addWorkbookItems(`Jobs: ${spec.name}`, ...renderJobWorkbookItems(jobName));
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

function validateScheduledJobProps(props: ScheduledJobProps): void {
  const issues = new IssueCollector();
  const { spec } = props;
  checkContainerWorkloadProps(props, issues);
  // Size, variables, schedule, timeout and retries: the spec's limits.
  addLimitProblems(issues, jobProblems(spec));
  if (issues.issues.length === 0) {
    try {
      renderScheduledJobNames(props);
    } catch (error) {
      issues.add('spec.name', spec.name, (error as Error).message);
    }
  }
  issues.throwIfAny(`Invalid ScheduledJob props (${spec.name})`);
}
