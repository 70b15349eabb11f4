import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { App, TerraformStack } from 'cdktf';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AZURE_RULES,
  checkTerraform,
  ContainerAppsEnvironment,
  JOB_FAILURE_REASONS,
  KeyVault,
  Monitoring,
  renderJobFailedQuery,
  renderJobWorkbookItems,
  renderScheduledJobNames,
  ScheduledJob,
  type ScheduledJobProps,
} from '../../lib/azure';
import { jobFailedAlarmId } from '../../lib/core';
import { checkName, defineEnvironment, type Environment, type EnvironmentInput, type JobSpec } from '../../lib/core';
import { productionApp as buildProductionApp } from '../util/azure-production';
import { devInput, errorOf, prodInput } from '../util/fixtures';
import { readStackJson, type TfStackJson } from '../util/terraform';

const KEY_VAULT =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-secrets/providers/Microsoft.KeyVault/vaults/kv-Platform-dev';
const CAE_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-dev-weu/providers/Microsoft.App/managedEnvironments/cae-platform-dev-weu';
const rg = { name: 'rg-platform-dev-weu', location: 'westeurope' };

/** The failure alert's query for the job `caj-dev-nightly-report-weu`, written out. */
const FAILED_QUERY =
  'union isfuzzy=true ' +
  '(ContainerAppSystemLogs | project TimeGenerated, JobName = tostring(column_ifexists("JobName", "")), Reason = tostring(column_ifexists("Reason", "")), Log = tostring(column_ifexists("Log", ""))), ' +
  '(ContainerAppSystemLogs_CL | project TimeGenerated, JobName = tostring(column_ifexists("JobName_s", "")), Reason = tostring(column_ifexists("Reason_s", "")), Log = tostring(column_ifexists("Log_s", ""))) ' +
  '| where JobName == "caj-dev-nightly-report-weu" | where Reason in ("BackoffLimitExceeded", "DeadlineExceeded")';

type JobInput = NonNullable<EnvironmentInput['jobs']>[number];

const REPORT: JobInput = {
  name: 'nightly-report',
  image: 'public.ecr.aws/docker/library/busybox:1.36',
  cpu: 0.5,
  memoryGiB: 1,
  schedule: { cron: '30 2 * * *' },
};

/** An environment with jobs and the Key Vault their secrets live in. */
function envWith(jobs: JobInput[] = [REPORT], base: EnvironmentInput = devInput()): Environment {
  return defineEnvironment({ ...base, azure: { ...base.azure, keyVaultId: KEY_VAULT }, jobs });
}

/** A resolved job definition: `nightly-report` with the given changes. */
function jobSpec(input: Partial<JobInput> = {}, base: EnvironmentInput = devInput()): JobSpec {
  return envWith([{ ...REPORT, ...input }], base).jobs[0]!;
}

interface SynthOptions {
  readonly spec?: JobSpec;
  readonly monitoring?: boolean;
  readonly props?: Partial<ScheduledJobProps>;
}

/** Synthesizes a stack with one ScheduledJob (and, if asked, the environment's monitoring). */
function synth(options: SynthOptions = {}): TfStackJson {
  const env = envWith();
  const outdir = mkdtempSync(join(tmpdir(), 'azure-job-'));
  try {
    const app = new App({ outdir });
    const stack = new TerraformStack(app, 'env');
    new AzurermProvider(stack, 'azurerm', { features: [{}] });
    const monitoring = options.monitoring
      ? new Monitoring(stack, 'monitoring', { spec: env.monitoring, name: env.name, resourceGroup: rg })
      : undefined;
    new ScheduledJob(stack, 'job-nightly-report', {
      spec: options.spec ?? env.jobs[0]!,
      environment: env.name,
      resourceGroup: rg,
      containerAppsEnvironmentId: CAE_ID,
      keyVault: KeyVault.fromKeyVaultId(KEY_VAULT),
      ...(monitoring && { monitoring }),
      ...options.props,
    });
    app.synth();
    return readStackJson(outdir, 'env');
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

interface Env {
  readonly name: string;
  readonly value?: string;
  readonly secret_name?: string;
}

/** The attributes these tests read, by resource type, as cdktf writes them. */
interface Synthesized {
  azurerm_container_app_job: {
    readonly name: string;
    readonly location: string;
    readonly resource_group_name: string;
    readonly container_app_environment_id: string;
    readonly workload_profile_name: string;
    readonly replica_timeout_in_seconds: number;
    readonly replica_retry_limit: number;
    readonly schedule_trigger_config: {
      readonly cron_expression: string;
      readonly parallelism: number;
      readonly replica_completion_count: number;
    };
    readonly identity: { readonly type: string; readonly identity_ids: string[] };
    readonly secret?: { readonly name: string; readonly key_vault_secret_id: string; readonly identity: string }[];
    readonly registry?: { readonly server: string; readonly identity: string }[];
    readonly template: {
      readonly container: {
        readonly name: string;
        readonly image: string;
        readonly cpu: number;
        readonly memory: string;
        readonly env?: Env[];
      }[];
    };
    readonly depends_on?: string[];
  };
  azurerm_user_assigned_identity: {
    readonly name: string;
    readonly location: string;
    readonly resource_group_name: string;
  };
  azurerm_role_assignment: {
    readonly scope: string;
    readonly role_definition_name: string;
    readonly principal_id: string;
    readonly principal_type: string;
  };
  azurerm_monitor_scheduled_query_rules_alert_v2: {
    readonly name: string;
    readonly severity: number;
    readonly window_duration: string;
    readonly evaluation_frequency: string;
    readonly description: string;
    readonly scopes: string[];
    readonly criteria: readonly [
      {
        readonly query: string;
        readonly operator: string;
        readonly threshold: number;
        readonly time_aggregation_method: string;
      },
    ];
    readonly action: { readonly action_groups: string[] };
  };
  azurerm_application_insights_workbook: { readonly data_json: string };
}

function all<K extends keyof Synthesized>(tf: TfStackJson, type: K): Synthesized[K][] {
  return Object.values(tf.resource[type] ?? {}) as unknown as Synthesized[K][];
}

function only<K extends keyof Synthesized>(tf: TfStackJson, type: K): Synthesized[K] {
  const found = all(tf, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0]!;
}

function addressOf(tf: TfStackJson, type: string): string {
  const [address] = Object.keys(tf.resource[type] ?? {});
  return `${type}.${address ?? '(none)'}`;
}

/** The job's failure alert among the environment's log alerts. */
function failedAlert(tf: TfStackJson): Synthesized['azurerm_monitor_scheduled_query_rules_alert_v2'] {
  const found = all(tf, 'azurerm_monitor_scheduled_query_rules_alert_v2').filter(
    (a) => a.name === 'platform-dev-job.nightly-report.failed',
  );
  if (found.length !== 1) throw new Error(`expected one job failure alert, found ${found.length}`);
  return found[0]!;
}

const job = (tf: TfStackJson): Synthesized['azurerm_container_app_job'] => only(tf, 'azurerm_container_app_job');
const container = (tf: TfStackJson): Synthesized['azurerm_container_app_job']['template']['container'][number] =>
  job(tf).template.container[0]!;

describe('ScheduledJob (Azure)', () => {
  describe('defaults', () => {
    test('a Container Apps job caj-<env>-<name>-<location> in the environment, on the Consumption profile', () => {
      const j = job(synth());
      expect([
        j.name,
        j.location,
        j.resource_group_name,
        j.container_app_environment_id,
        j.workload_profile_name,
      ]).toEqual(['caj-dev-nightly-report-weu', 'westeurope', 'rg-platform-dev-weu', CAE_ID, 'Consumption']);
    });

    test('runs one replica per schedule tick, for at most 60 minutes, without retries in development', () => {
      const j = job(synth());
      expect(j.schedule_trigger_config).toEqual({
        cron_expression: '30 2 * * *',
        parallelism: 1,
        replica_completion_count: 1,
      });
      expect([j.replica_timeout_in_seconds, j.replica_retry_limit]).toEqual([3600, 0]);
    });

    test('runs as its own user-assigned identity id-<env>-<name>-<location>', () => {
      const tf = synth();
      expect(only(tf, 'azurerm_user_assigned_identity')).toMatchObject({
        name: 'id-dev-nightly-report-weu',
        location: 'westeurope',
        resource_group_name: 'rg-platform-dev-weu',
      });
      expect(job(tf).identity).toEqual({
        type: 'UserAssigned',
        identity_ids: [`\${${addressOf(tf, 'azurerm_user_assigned_identity')}.id}`],
      });
    });

    test('one container named after the job: the image, its CPU and its memory in Gi, no variables', () => {
      expect(container(synth())).toEqual({
        name: 'nightly-report',
        image: 'public.ecr.aws/docker/library/busybox:1.36',
        cpu: 0.5,
        memory: '1Gi',
      });
    });

    test('without secrets there is no secret block, no registry and no role assignment', () => {
      const tf = synth();
      expect([job(tf).secret, job(tf).registry, job(tf).depends_on]).toEqual([undefined, undefined, undefined]);
      expect(all(tf, 'azurerm_role_assignment')).toEqual([]);
    });

    test('a production job is retried once by default', () => {
      const spec = jobSpec({}, prodInput());
      expect(job(synth({ spec })).replica_retry_limit).toBe(1);
    });
  });

  describe('schedule', () => {
    test.each([
      [{ cron: '30 2 * * *' }, '30 2 * * *'],
      [{ cron: '0 6 * * 1-5' }, '0 6 * * 1-5'],
      [{ cron: '0 6 * * mon,fri' }, '0 6 * * MON,FRI'],
      [{ cron: '*/10 * 1 jan *' }, '*/10 * 1 JAN *'],
      [{ rateMinutes: 15 }, '*/15 * * * *'],
      [{ rateMinutes: 120 }, '0 */2 * * *'],
      [{ rateMinutes: 1440 }, '0 0 * * *'],
    ])('the schedule %j runs on cron_expression %s', (schedule, expected) => {
      expect(job(synth({ spec: jobSpec({ schedule }) })).schedule_trigger_config.cron_expression).toBe(expected);
    });
  });

  describe('timeout and retries', () => {
    test('timeoutMinutes becomes replica_timeout_in_seconds and retries replica_retry_limit', () => {
      const j = job(synth({ spec: jobSpec({ timeoutMinutes: 90, retries: 3 }) }));
      expect([j.replica_timeout_in_seconds, j.replica_retry_limit]).toEqual([5400, 3]);
    });
  });

  describe('environment and secrets', () => {
    const spec = jobSpec({
      environment: { LOG_LEVEL: 'info', APP_MODE: 'batch' },
      secrets: { DB_PASSWORD: 'db-password', API_TOKEN: 'Report-Token', DB_PASSWORD_OLD: 'db-password' },
    });

    test('plain variables by value and secrets by secret_name, sorted by name', () => {
      expect(container(synth({ spec })).env).toEqual([
        { name: 'APP_MODE', value: 'batch' },
        { name: 'LOG_LEVEL', value: 'info' },
        { name: 'API_TOKEN', secret_name: 'report-token' },
        { name: 'DB_PASSWORD', secret_name: 'db-password' },
        { name: 'DB_PASSWORD_OLD', secret_name: 'db-password' },
      ]);
    });

    test('one job secret per Key Vault secret, a versionless reference read with the identity', () => {
      const tf = synth({ spec });
      const identityId = `\${${addressOf(tf, 'azurerm_user_assigned_identity')}.id}`;
      expect(job(tf).secret).toEqual([
        {
          name: 'db-password',
          key_vault_secret_id: 'https://kv-platform-dev.vault.azure.net/secrets/db-password',
          identity: identityId,
        },
        {
          name: 'report-token',
          key_vault_secret_id: 'https://kv-platform-dev.vault.azure.net/secrets/Report-Token',
          identity: identityId,
        },
      ]);
    });

    test('the identity gets Key Vault Secrets User on the vault once, before the job is created', () => {
      const tf = synth({ spec });
      expect(all(tf, 'azurerm_role_assignment')).toEqual([
        expect.objectContaining({
          scope: KEY_VAULT,
          role_definition_name: 'Key Vault Secrets User',
          principal_id: `\${${addressOf(tf, 'azurerm_user_assigned_identity')}.principal_id}`,
          principal_type: 'ServicePrincipal',
        }),
      ]);
      expect(job(tf).depends_on).toEqual([addressOf(tf, 'azurerm_role_assignment')]);
    });
  });

  describe('images', () => {
    test('an image in an Azure Container Registry is pulled with the identity', () => {
      const tf = synth({ spec: jobSpec({ image: 'myacr.azurecr.io/report:2.1' }) });
      expect(job(tf).registry).toEqual([
        { server: 'myacr.azurecr.io', identity: `\${${addressOf(tf, 'azurerm_user_assigned_identity')}.id}` },
      ]);
    });

    test('a job built from a directory runs its azureReference', () => {
      const spec = jobSpec({ image: { directory: 'jobs/report', azureReference: 'myacr.azurecr.io/report:2.1' } });
      expect(container(synth({ spec })).image).toBe('myacr.azurecr.io/report:2.1');
    });
  });

  describe('alerts', () => {
    test('job/<name>/failed: a critical log alert on the executions that failed for good, within 5 minutes', () => {
      const tf = synth({ monitoring: true });
      const alert = failedAlert(tf);
      expect(alert).toMatchObject({
        name: 'platform-dev-job.nightly-report.failed',
        severity: 1,
        window_duration: 'PT5M',
        evaluation_frequency: 'PT5M',
        description:
          '[critical] 1 or more runs of the job nightly-report failed within 5 minutes, after 0 retries. First response: Open the execution history of the Container Apps job caj-dev-nightly-report-weu for the failed run, then read its console logs (ContainerAppConsoleLogs) and system logs.',
      });
      expect(alert.criteria[0]).toMatchObject({
        query: FAILED_QUERY,
        operator: 'GreaterThanOrEqual',
        threshold: 1,
        time_aggregation_method: 'Count',
      });
      const critical = Object.entries(tf.resource.azurerm_monitor_action_group ?? {}).find(([, group]) =>
        String(group.name).endsWith('-critical'),
      );
      expect(alert.action.action_groups).toEqual([`\${azurerm_monitor_action_group.${critical?.[0] ?? '(none)'}.id}`]);
    });

    test('the alert query reads both system log tables and matches the job by name and the failure reasons', () => {
      expect(renderJobFailedQuery('caj-dev-nightly-report-weu')).toBe(FAILED_QUERY);
      expect(JOB_FAILURE_REASONS).toEqual(['BackoffLimitExceeded', 'DeadlineExceeded']);
    });

    test('the alert id is the same as on AWS: job/<name>/failed', () => {
      expect(jobFailedAlarmId('nightly-report')).toBe('job/nightly-report/failed');
    });

    test('switching the alert off in the spec removes it, and the workbook still has the job section', () => {
      const env = defineEnvironment({
        ...devInput(),
        azure: { location: 'westeurope', keyVaultId: KEY_VAULT },
        jobs: [REPORT],
        monitoring: {
          alarms: {
            'job/nightly-report/failed': { enabled: false, reason: 'The report is rerun by hand every morning' },
          },
        },
      });
      const outdir = mkdtempSync(join(tmpdir(), 'azure-job-'));
      try {
        const app = new App({ outdir });
        const stack = new TerraformStack(app, 'env');
        new AzurermProvider(stack, 'azurerm', { features: [{}] });
        const monitoring = new Monitoring(stack, 'monitoring', {
          spec: env.monitoring,
          name: env.name,
          resourceGroup: rg,
        });
        new ScheduledJob(stack, 'job', {
          spec: env.jobs[0]!,
          environment: env.name,
          resourceGroup: rg,
          containerAppsEnvironmentId: CAE_ID,
          monitoring,
        });
        app.synth();
        const tf = readStackJson(outdir, 'env');
        expect(all(tf, 'azurerm_monitor_scheduled_query_rules_alert_v2').map((a) => a.name)).not.toContain(
          'platform-dev-job.nightly-report.failed',
        );
        expect(monitoring.disabledAlarms.get('job/nightly-report/failed')).toBe(
          'The report is rerun by hand every morning',
        );
      } finally {
        rmSync(outdir, { recursive: true, force: true });
      }
    });

    test('the workbook has a Jobs section with the recent events of the job', () => {
      const data = JSON.parse(only(synth({ monitoring: true }), 'azurerm_application_insights_workbook').data_json) as {
        items: { content: { json?: string; title?: string; query?: string } }[];
      };
      const [item] = renderJobWorkbookItems('caj-dev-nightly-report-weu');
      expect(data.items.map((i) => i.content.json ?? i.content.title)).toContain('## Jobs: nightly-report');
      expect(data.items.find((i) => i.content.title === 'Recent job events')?.content.query).toBe(
        item?.type === 'query' ? item.query : 'not a query',
      );
    });
  });

  describe('names', () => {
    test('the longest environment and job names still give names within the limits', () => {
      const names = renderScheduledJobNames({
        spec: jobSpec({ name: 'a-twenty-char-job-nm' }),
        environment: 'production-x',
        resourceGroup: rg,
      });
      expect([
        checkName('azureContainerApp', names.job),
        checkName('azureLinuxVirtualMachine', names.identity),
      ]).toEqual([undefined, undefined]);
      expect([names.job, names.job.length]).toEqual(['caj-production-x-a-twenty-acbf74', 32]);
    });

    test('the location code can be given explicitly', () => {
      const names = renderScheduledJobNames({
        spec: jobSpec(),
        environment: 'dev',
        resourceGroup: rg,
        locationCode: 'ne',
      });
      expect(names).toEqual({ job: 'caj-dev-nightly-report-ne', identity: 'id-dev-nightly-report-ne' });
    });
  });

  describe('guardrails', () => {
    function productionApp(outdir: string): App {
      const env = envWith(
        [{ ...REPORT, secrets: { DB_PASSWORD: 'db-password' }, image: 'myacr.azurecr.io/report:2.1' }],
        prodInput(),
      );
      return buildProductionApp(
        env,
        outdir,
        ({ stack, resourceGroup: prodRg, monitoring, network }) => {
          const apps = new ContainerAppsEnvironment(stack, 'container-apps', {
            name: env.name,
            resourceGroup: prodRg,
            subnetId: network.subnets.apps.id,
            workspaceId: monitoring.workspaceId,
            zoneRedundant: true,
          });
          new ScheduledJob(stack, 'job-nightly-report', {
            spec: env.jobs[0]!,
            environment: env.name,
            resourceGroup: prodRg,
            containerAppsEnvironmentId: apps.id,
            monitoring,
            keyVault: KeyVault.fromKeyVaultId(env.azure.keyVaultId!),
          });
        },
        { withResourceGroup: false },
      );
    }

    test('a production stack with a job has no finding and nothing acknowledged', () => {
      const outdir = mkdtempSync(join(tmpdir(), 'azure-job-policy-'));
      try {
        productionApp(outdir).synth();
        const tf = readStackJson(outdir, 'env');
        expect(checkTerraform(tf, { tier: 'production', rules: AZURE_RULES })).toEqual([]);
        const acknowledged = Object.values(tf.resource).flatMap((byName) =>
          Object.values(byName).filter((block) => block['//']?.acknowledged !== undefined),
        );
        expect(acknowledged).toEqual([]);
        expect(job(tf).replica_retry_limit).toBe(1);
      } finally {
        rmSync(outdir, { recursive: true, force: true });
      }
    });
  });

  describe('validation', () => {
    const build =
      (spec: Partial<JobSpec>, props: Partial<ScheduledJobProps> = {}) =>
      () =>
        new ScheduledJob(new TerraformStack(new App(), 'env'), 'job', {
          spec: { ...jobSpec(), ...spec },
          environment: 'dev',
          resourceGroup: rg,
          containerAppsEnvironmentId: CAE_ID,
          ...props,
        });

    test('secrets without a Key Vault are refused, naming the secrets', () => {
      expect(build({ secrets: { DB_PASSWORD: 'db-password' } })).toThrow(
        /keyVault: \(missing\) - the Key Vault holding the secrets db-password/,
      );
    });

    test('a Key Vault whose ID names no vault is refused', () => {
      const keyVault = { keyVaultId: 'kv-platform-dev', vaultUri: 'https://kv-platform-dev.vault.azure.net' };
      expect(build({}, { keyVault })).toThrow(/keyVault\.keyVaultId: "kv-platform-dev" - a Key Vault resource ID/);
    });

    test('a Container Apps environment ID that names no environment is refused', () => {
      expect(build({}, { containerAppsEnvironmentId: 'cae-platform-dev' })).toThrow(
        /containerAppsEnvironmentId: "cae-platform-dev" - a Container Apps environment resource ID/,
      );
    });

    test('an environment name outside the pattern is refused', () => {
      expect(build({}, { environment: 'Prod_1' })).toThrow(/environment: "Prod_1" - an environment name/);
    });

    test('a CPU and memory pair Container Apps cannot run is refused', () => {
      expect(build({ cpu: 0.5, memoryGiB: 3 })).toThrow(
        /spec\.memoryGiB: \{"cpu":0\.5,"memoryGiB":3\} - Azure Container Apps need memory = 2 x cpu/,
      );
    });

    test('a cron expression with six fields is refused', () => {
      expect(build({ schedule: { cron: '0 3 * * * *' } })).toThrow(
        /spec\.schedule\.cron: "0 3 \* \* \* \*" - five fields/,
      );
    });

    test('a rate Container Apps cannot express is refused', () => {
      expect(build({ schedule: { rateMinutes: 7 } })).toThrow(
        /spec\.schedule\.rateMinutes: 7 - a rate both clouds can run/,
      );
    });

    test('a timeout outside 1-1440 minutes is refused', () => {
      expect(build({ timeoutMinutes: 0 })).toThrow(/spec\.timeoutMinutes: 0 - at least 1$/m);
      expect(build({ timeoutMinutes: 1441 })).toThrow(/spec\.timeoutMinutes: 1441 - at most 1440 minutes$/m);
      expect(build({ timeoutMinutes: 1.5 })).toThrow(
        /spec\.timeoutMinutes: 1\.5 - a whole number of minutes from 1 to 1440$/m,
      );
    });

    test('more than 10 retries are refused', () => {
      expect(build({ retries: 11 })).toThrow(/spec\.retries: 11 - at most 10 retries$/m);
    });

    test('a variable that is both plain and secret is refused', () => {
      expect(
        build(
          { environment: { DB_PASSWORD: 'x' }, secrets: { DB_PASSWORD: 'db-password' } },
          { keyVault: KeyVault.fromKeyVaultId(KEY_VAULT) },
        ),
      ).toThrow(/spec\.secrets\.DB_PASSWORD: "DB_PASSWORD" - a variable that is not also in environment/);
    });

    test('a secret name a Container Apps job cannot hold is refused', () => {
      expect(
        build({ secrets: { DB_PASSWORD: 'db-password-' } }, { keyVault: KeyVault.fromKeyVaultId(KEY_VAULT) }),
      ).toThrow(
        /spec\.secrets\.DB_PASSWORD: "db-password-" - a secret name of letters, digits and hyphens that starts and ends with a letter or digit/,
      );
    });

    test('a job name that is not kebab-case is refused', () => {
      expect(build({ name: 'Report_1' })).toThrow(/spec\.name: "Report_1" - a kebab-case name of 2-20/);
    });

    test('an image without a tag is refused', () => {
      expect(build({ image: { reference: 'busybox' } })).toThrow(/spec\.image: "busybox" - an image reference/);
    });

    test('every problem is reported at once', () => {
      const keyVault = { keyVaultId: 'kv', vaultUri: 'https://kv.vault.azure.net' };
      const message = errorOf(build({ retries: 11, timeoutMinutes: 0 }, { keyVault })).message;
      expect(message).toMatch(/^Invalid ScheduledJob props \(nightly-report\) \(3 problems\):/);
      for (const path of ['spec.timeoutMinutes', 'spec.retries', 'keyVault.keyVaultId']) {
        expect(message).toContain(`  - ${path}: `);
      }
    });
  });
});
