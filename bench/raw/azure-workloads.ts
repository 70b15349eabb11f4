// The containers of the Azure raw program (azure.ts), written against the azurerm provider classes directly with
// literal values and the same construct IDs as ours (lib/azure/container-apps-environment.ts,
// container-service.ts, container-service-alarms.ts, scheduled-job.ts), so that the Terraform JSON is the same:
// - the Container Apps environment (workload profile Consumption) in the delegated apps subnet, zone-redundant in
//   production, its logs and metrics sent to the workspace;
// - per service: a user-assigned identity, "Key Vault Secrets User" on the vault when it has secrets, the
//   container app (HTTPS-only ingress, probes, scale rules, Key Vault references), a diagnostic setting for its
//   metrics and the five default alerts;
// - per job: a user-assigned identity, the Container Apps job on the neutral cron, and its failure log alert.
// The workbook sections of both are added with the other sections (workbookSections).
import * as containerApp from '@cdktf/provider-azurerm/lib/container-app';
import * as cae from '@cdktf/provider-azurerm/lib/container-app-environment';
import * as containerAppJob from '@cdktf/provider-azurerm/lib/container-app-job';
import type * as actionGroup from '@cdktf/provider-azurerm/lib/monitor-action-group';
import * as metricAlert from '@cdktf/provider-azurerm/lib/monitor-metric-alert';
import * as queryAlert from '@cdktf/provider-azurerm/lib/monitor-scheduled-query-rules-alert-v2';
import type * as resourceGroup from '@cdktf/provider-azurerm/lib/resource-group';
import * as roleAssignment from '@cdktf/provider-azurerm/lib/role-assignment';
import * as identity from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { Construct } from 'constructs';
import {
  retriesText,
  SERVICE_USAGE_ALARMS,
  type RawJobDefinition,
  type RawServiceCounts,
  type RawServiceDefinition,
} from './workloads';

type Severity = 'critical' | 'warning';

/** A service of one environment: the shared definition and its replica counts. */
export interface RawAzureService extends RawServiceDefinition, RawServiceCounts {}

/** A job of one environment: the shared definition and its retries. */
export interface RawAzureJob extends RawJobDefinition {
  readonly retries: number;
}

/** What the containers need of their environment. */
export interface RawAzureWorkloads {
  readonly name: string;
  readonly tier: 'development' | 'production';
  /** The Key Vault the services' secrets are read from. */
  readonly keyVaultId: string;
  readonly services: readonly RawAzureService[];
  readonly jobs: readonly RawAzureJob[];
}

/** What the containers use of the rest of the stack. */
export interface RawAzureContext {
  readonly rg: resourceGroup.ResourceGroup;
  readonly tags: Readonly<Record<string, string>>;
  readonly appsSubnetId: string;
  readonly workspaceId: string;
  readonly actionGroups: Readonly<Record<Severity, actionGroup.MonitorActionGroup>>;
  /** Sends a resource's logs and/or metrics to the workspace, through a setting beside it. */
  readonly sendDiagnostics: (
    target: { readonly id: string; readonly node: { readonly id: string; readonly scope?: Construct } },
    what: { readonly logs: boolean; readonly metrics: boolean },
  ) => void;
}

/** Azure alert severities (0 critical ... 4 verbose). */
const AZURE_SEVERITY: Readonly<Record<Severity, number>> = { critical: 1, warning: 2 };

/** The name of a service's container app, also its host name inside the environment. */
function appName(env: RawAzureWorkloads, service: RawAzureService): string {
  return `ca-${env.name}-${service.name}`;
}

/** The name of a job's Container Apps job. */
function jobName(env: RawAzureWorkloads, job: RawAzureJob): string {
  return `caj-${env.name}-${job.name}-weu`;
}

/** The system logs of one job (the diagnostic setting's table and the older `_CL` one). */
function jobSystemLogs(name: string): string {
  return `union isfuzzy=true (ContainerAppSystemLogs | project TimeGenerated, JobName = tostring(column_ifexists("JobName", "")), Reason = tostring(column_ifexists("Reason", "")), Log = tostring(column_ifexists("Log", ""))), (ContainerAppSystemLogs_CL | project TimeGenerated, JobName = tostring(column_ifexists("JobName_s", "")), Reason = tostring(column_ifexists("Reason_s", "")), Log = tostring(column_ifexists("Log_s", ""))) | where JobName == "${name}"`;
}

/** One chart or table of a workbook section. */
export interface RawWorkbookQuery {
  readonly title: string;
  readonly query: string;
  readonly visualization: 'table' | 'timechart';
}

/** The workbook sections of the services and jobs, in the order ours adds them. */
export function workbookSections(
  env: RawAzureWorkloads,
): { readonly title: string; readonly items: readonly RawWorkbookQuery[] }[] {
  const bin = 'bin(TimeGenerated, 5m)';
  const services = env.services.map((service) => {
    const app = appName(env, service);
    const metric = (name: string): string =>
      `AzureMetrics | where ResourceProvider == "MICROSOFT.APP" and Resource =~ "${app}" and MetricName == "${name}"`;
    const percentOf = (name: string, limit: number): string =>
      `${metric(name)} | summarize used = round(100.0 * avg(Average) / ${limit}, 1) by ${bin}`;
    const items: RawWorkbookQuery[] = [
      {
        title: 'Requests',
        query: `${metric('Requests')} | summarize requests = sum(Total) by ${bin}`,
        visualization: 'timechart',
      },
      {
        title: 'Replicas',
        query: `${metric('Replicas')} | summarize replicas = max(Maximum) by ${bin}`,
        visualization: 'timechart',
      },
      {
        title: 'CPU used (% of limit)',
        query: percentOf('UsageNanoCores', service.cpu * 1_000_000_000),
        visualization: 'timechart',
      },
      {
        title: 'Memory used (% of limit)',
        query: percentOf('WorkingSetBytes', service.memoryGiB * 1024 ** 3),
        visualization: 'timechart',
      },
      {
        title: 'Console log lines',
        query: `ContainerAppConsoleLogs | where ContainerAppName == "${app}" | summarize lines = count() by ${bin}`,
        visualization: 'timechart',
      },
    ];
    return { title: `Services: ${service.name}`, items };
  });
  const jobs = env.jobs.map((job) => ({
    title: `Jobs: ${job.name}`,
    items: [
      {
        title: 'Recent job events',
        query: `${jobSystemLogs(jobName(env, job))} | project TimeGenerated, Reason, Log | top 50 by TimeGenerated desc`,
        visualization: 'table' as const,
      },
    ],
  }));
  return [...services, ...jobs];
}

/** The Container Apps environment, the services and the jobs of one environment. */
export function buildContainers(stack: Construct, env: RawAzureWorkloads, context: RawAzureContext): void {
  const { rg, tags, workspaceId, actionGroups, sendDiagnostics } = context;
  const containerApps = new Construct(stack, 'container-apps');
  const environment = new cae.ContainerAppEnvironment(containerApps, 'Resource', {
    name: `cae-platform-${env.name}-weu`,
    location: rg.location,
    resourceGroupName: rg.name,
    infrastructureSubnetId: context.appsSubnetId,
    internalLoadBalancerEnabled: false,
    zoneRedundancyEnabled: env.tier === 'production',
    workloadProfile: [{ name: 'Consumption', workloadProfileType: 'Consumption' }],
    // Named, or azurerm reads back Azure's generated name and replaces the environment on the next plan.
    infrastructureResourceGroupName: `rg-platform-${env.name}-cae-weu`,
    logsDestination: 'azure-monitor',
    tags,
  });
  sendDiagnostics(environment, { logs: true, metrics: true });

  const services = new Construct(stack, 'services');
  for (const service of env.services) {
    const scope = new Construct(services, service.name);
    const name = appName(env, service);
    const appIdentity = new identity.UserAssignedIdentity(scope, 'Identity', {
      name: `id-${env.name}-${service.name}`,
      location: rg.location,
      resourceGroupName: rg.name,
      tags,
    });
    const secretNames = Object.values(service.secrets);
    const keyVaultAccess =
      secretNames.length > 0
        ? new roleAssignment.RoleAssignment(scope, 'KeyVaultSecretsUser', {
            scope: env.keyVaultId,
            roleDefinitionName: 'Key Vault Secrets User',
            principalId: appIdentity.principalId,
            principalType: 'ServicePrincipal',
            description: `${name} reads the secrets it names`,
          })
        : undefined;
    const vaultUri = `https://${env.keyVaultId.split('/').pop()!}.vault.azure.net`;
    const probe = {
      transport: 'HTTP',
      port: service.port,
      path: service.healthCheckPath,
      intervalSeconds: 10,
      timeout: 5,
    };
    const app = new containerApp.ContainerApp(scope, 'Resource', {
      name,
      resourceGroupName: rg.name,
      containerAppEnvironmentId: environment.id,
      workloadProfileName: 'Consumption',
      revisionMode: 'Single',
      identity: { type: 'UserAssigned', identityIds: [appIdentity.id] },
      ingress: {
        externalEnabled: service.public,
        targetPort: service.port,
        allowInsecureConnections: false,
        transport: 'auto',
        trafficWeight: [{ latestRevision: true, percentage: 100 }],
      },
      ...(secretNames.length > 0 && {
        secret: secretNames.map((secretName) => ({
          name: secretName,
          keyVaultSecretId: `${vaultUri}/secrets/${secretName}`,
          identity: appIdentity.id,
        })),
      }),
      template: {
        minReplicas: service.minCount,
        maxReplicas: service.maxCount,
        container: [
          {
            name: service.name,
            image: service.image,
            cpu: service.cpu,
            memory: `${service.memoryGiB}Gi`,
            env: [
              ...Object.entries(service.environment).map(([variable, value]) => ({ name: variable, value })),
              ...Object.entries(service.secrets).map(([variable, secretName]) => ({ name: variable, secretName })),
            ],
            livenessProbe: [{ ...probe, failureCountThreshold: 3 }],
            readinessProbe: [{ ...probe, failureCountThreshold: 3, successCountThreshold: 1 }],
            startupProbe: [{ ...probe, failureCountThreshold: 30 }],
          },
        ],
        ...(service.autoscaling.concurrentRequests !== undefined && {
          httpScaleRule: [
            { name: 'http-requests', concurrentRequests: String(service.autoscaling.concurrentRequests) },
          ],
        }),
        customScaleRule: [
          {
            name: 'cpu',
            customRuleType: 'cpu',
            metadata: { type: 'Utilization', value: String(service.autoscaling.cpuPercent) },
          },
        ],
      },
      ...(keyVaultAccess && { dependsOn: [keyVaultAccess] }),
      tags,
    });
    sendDiagnostics(app, { logs: false, metrics: true });

    // The default alerts, by metric of the container app (the ids AWS has where the meaning is the same).
    const alert = (
      kind: string,
      severity: Severity,
      description: string,
      window: string,
      criteria: Omit<metricAlert.MonitorMetricAlertCriteria, 'metricNamespace'>,
    ): void => {
      new metricAlert.MonitorMetricAlert(scope, `service-${service.name}-${kind}`, {
        name: `platform-${env.name}-service.${service.name}.${kind}`,
        resourceGroupName: rg.name,
        scopes: [app.id],
        description: `[${severity}] ${description}`,
        severity: AZURE_SEVERITY[severity],
        frequency: 'PT5M',
        windowSize: window,
        autoMitigate: true,
        criteria: [{ metricNamespace: 'Microsoft.App/containerApps', ...criteria }],
        action: [{ actionGroupId: actionGroups[severity].id }],
        tags,
      });
    };
    alert(
      '5xx-count',
      'critical',
      `10 or more requests to ${service.name} were answered with a 5xx status within 5 minutes. First response: Read the console logs of the latest revision (ContainerAppConsoleLogs) and roll back to the previous revision if it started with a deployment.`,
      'PT5M',
      {
        metricName: 'Requests',
        aggregation: 'Total',
        operator: 'GreaterThanOrEqual',
        threshold: 10,
        dimension: [{ name: 'statusCodeCategory', operator: 'Include', values: ['5xx'] }],
      },
    );
    alert(
      'unhealthy',
      'critical',
      `A replica of ${service.name} restarted: its liveness probe failed or its container exited (the alert clears when no running replica has restarted). First response: Read ContainerAppSystemLogs for probe failures and exit codes (OOMKilled means raise memoryGiB), then the console logs before the restart.`,
      'PT5M',
      { metricName: 'RestartCount', aggregation: 'Maximum', operator: 'GreaterThanOrEqual', threshold: 1 },
    );
    for (const [kind, metricName] of [
      ['cpu', 'CpuPercentage'],
      ['memory', 'MemoryPercentage'],
    ] as const) {
      const usage = SERVICE_USAGE_ALARMS[kind];
      alert(kind, 'warning', `${usage.description} First response: ${usage.firstResponse}`, 'PT15M', {
        metricName,
        aggregation: 'Average',
        operator: 'GreaterThan',
        threshold: usage.threshold,
      });
    }
    const replicas = `${service.minCount} replica${service.minCount === 1 ? '' : 's'}`;
    alert(
      'running-below-desired',
      'critical',
      `${service.name} ran fewer than its minimum of ${replicas} for 5 minutes. First response: Check the revision status and ContainerAppSystemLogs for failed probes, image pulls or secret references that keep replicas from starting.`,
      'PT5M',
      { metricName: 'Replicas', aggregation: 'Maximum', operator: 'LessThan', threshold: service.minCount },
    );
  }

  const jobs = new Construct(stack, 'jobs');
  for (const job of env.jobs) {
    const scope = new Construct(jobs, job.name);
    const name = jobName(env, job);
    const jobIdentity = new identity.UserAssignedIdentity(scope, 'Identity', {
      name: `id-${env.name}-${job.name}-weu`,
      location: rg.location,
      resourceGroupName: rg.name,
      tags,
    });
    new containerAppJob.ContainerAppJob(scope, 'Resource', {
      name,
      location: rg.location,
      resourceGroupName: rg.name,
      containerAppEnvironmentId: environment.id,
      workloadProfileName: 'Consumption',
      replicaTimeoutInSeconds: job.timeoutMinutes * 60,
      replicaRetryLimit: job.retries,
      scheduleTriggerConfig: { cronExpression: job.cron, parallelism: 1, replicaCompletionCount: 1 },
      identity: { type: 'UserAssigned', identityIds: [jobIdentity.id] },
      template: {
        container: [{ name: job.name, image: job.image, cpu: job.cpu, memory: `${job.memoryGiB}Gi` }],
      },
      tags,
    });
    // Azure Monitor has no metric alert for a job's failed executions: count the failures in the system logs.
    const alertName = `platform-${env.name}-job.${job.name}.failed`;
    new queryAlert.MonitorScheduledQueryRulesAlertV2(scope, `job-${job.name}-failed`, {
      name: alertName,
      resourceGroupName: rg.name,
      location: rg.location,
      scopes: [workspaceId],
      description: `[critical] 1 or more runs of the job ${job.name} failed within 5 minutes, after ${retriesText(job.retries)}. First response: Open the execution history of the Container Apps job ${name} for the failed run, then read its console logs (ContainerAppConsoleLogs) and system logs.`,
      displayName: alertName,
      severity: AZURE_SEVERITY.critical,
      evaluationFrequency: 'PT5M',
      windowDuration: 'PT5M',
      autoMitigationEnabled: true,
      skipQueryValidation: true,
      criteria: [
        {
          query: `${jobSystemLogs(name)} | where Reason in ("BackoffLimitExceeded", "DeadlineExceeded")`,
          timeAggregationMethod: 'Count',
          operator: 'GreaterThanOrEqual',
          threshold: 1,
          failingPeriods: { minimumFailingPeriodsToTriggerAlert: 1, numberOfEvaluationPeriods: 1 },
        },
      ],
      action: { actionGroups: [actionGroups.critical.id] },
      tags,
    });
  }
}
