import * as workspace from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { Aspects, App, TerraformResource, TerraformStack, Testing } from 'cdktf';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  Application,
  AZURE_RULES,
  blockingFindings,
  checkTerraform,
  PlatformEnvironment,
  PlatformStack,
  RetainStatefulResources,
  type ApplicationProps,
  type TerraformJson,
} from '../../lib/azure';
import {
  defineApplication,
  defineEnvironment,
  SpecError,
  type ApplicationInput,
  type ApplicationSpec,
  type Environment,
  type EnvironmentInput,
} from '../../lib/core';
import { EnvironmentStack } from '../../stacks/azure';
import { devInput, errorOf, prodInput } from '../util/fixtures';
import { readStackJson } from '../util/terraform';
import { temporaryFolders } from '../util/temp';
import { schemaProblems } from '../util/provider-schema';

const root = path.resolve(__dirname, '../..');
const tempDir = temporaryFolders('azure-application-');

const KEY_VAULT_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-secrets/providers/Microsoft.KeyVault/vaults/kv-fixture';
const BACKEND = { resourceGroupName: 'rg-tfstate', storageAccountName: 'stpaymentstfstate', containerName: 'tfstate' };
const IMAGE = 'public.ecr.aws/nginx/nginx:1.27';

/** The team's workloads, as the team writes them (the platform's copy is named `payments-<name>`). */
const SERVICES = [
  { name: 'api', image: IMAGE, cpu: 0.5, memoryGiB: 1, port: 8080, secrets: { DB_PASSWORD: 'db-password' } },
  { name: 'web', image: IMAGE, cpu: 0.25, memoryGiB: 0.5, port: 80, public: true },
];
const JOBS = [{ name: 'report', image: IMAGE, cpu: 0.5, memoryGiB: 1, schedule: { rateMinutes: 60 } }];

type Tier = 'development' | 'production';

function applicationSpec(tier: Tier, extra: Partial<ApplicationInput> = {}): ApplicationSpec {
  return defineApplication({
    name: 'payments',
    environment: { name: tier === 'production' ? 'prod' : 'dev', tier, azure: { location: 'westeurope' } },
    tags: { owner: 'payments-team' },
    services: SERVICES,
    jobs: JOBS,
    ...extra,
  });
}

/** The platform environment running the same workloads itself, under the names the application gives them. */
function platformEnvironment(tier: Tier): Environment {
  const base: EnvironmentInput = tier === 'production' ? prodInput() : devInput();
  return defineEnvironment({
    ...base,
    azure: { ...base.azure, keyVaultId: KEY_VAULT_ID },
    services: SERVICES.map((s) => ({ ...s, name: `payments-${s.name}` })),
    jobs: JOBS.map((j) => ({ ...j, name: `payments-${j.name}` })),
  });
}

/** A block of cdk.tf.json. */
type Block = Record<string, unknown> & {
  readonly '//'?: { readonly metadata?: { readonly path?: string } };
  readonly tags?: Readonly<Record<string, string>>;
  readonly lifecycle?: { readonly prevent_destroy?: boolean };
};
type Blocks = Readonly<Record<string, Readonly<Record<string, Block>>>>;
interface StackJson {
  readonly provider?: Readonly<Record<string, readonly Block[]>>;
  readonly resource?: Blocks;
  readonly data?: Blocks;
}

interface TeamStack {
  readonly stack: PlatformStack;
  readonly application: Application;
  readonly json: StackJson;
}

function teamStack(spec: ApplicationSpec, outdir = tempDir()): TeamStack {
  const app = new App({ outdir });
  const stack = new PlatformStack(app, `payments-${spec.environment.name}`, {
    tier: spec.environment.tier,
    ...(spec.environment.tier === 'production' && { backend: BACKEND }),
  });
  const platform = PlatformEnvironment.join(stack, 'platform', { spec: spec.environment });
  const application = new Application(stack, 'payments', { spec, platform });
  return { stack, application, json: JSON.parse(Testing.synth(stack)) as StackJson };
}

/** The platform's stack for an environment, as `cdktf synth` writes it (with each block's construct path). */
function platformStack(env: Environment): StackJson {
  const outdir = tempDir();
  const app = new App({ outdir });
  const stack = new EnvironmentStack(app, env);
  app.synth();
  return readWritten(outdir, stack.node.id);
}

/** A stack's cdk.tf.json as `cdktf synth` wrote it into `outdir`. */
function readWritten(outdir: string, stack: string): StackJson {
  return JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as StackJson;
}

/** Where a block sits within a workload (`services/payments-api/Identity`), or undefined outside workloads. */
function workloadPath(block: Block): string | undefined {
  const at = block['//']?.metadata?.path ?? '';
  const match = /(?:^|\/)((?:services|jobs)\/.+)$/.exec(at);
  return match?.[1];
}

/**
 * The resources of the workloads, by their path within the workload, with every reference to another block
 * written as what it refers to (`azurerm_user_assigned_identity<services/payments-api/Identity>.id`,
 * `azurerm_log_analytics_workspace[log-platform-dev-weu].id`) whether the block is the platform's own resource or a
 * team's data source, and the Key Vault's ID and URI as placeholders (the platform's literal, the team's read).
 * Tags are compared on their own.
 */
function workloadResources(json: StackJson): Record<string, unknown> {
  const refs = new Map<string, string>();
  const name = (type: string, block: Block): string =>
    workloadPath(block) !== undefined ? `${type}<${workloadPath(block)}>` : `${type}[${String(block.name)}]`;
  for (const [type, blocks] of Object.entries(json.resource ?? {})) {
    for (const [id, block] of Object.entries(blocks)) refs.set(`${type}.${id}`, name(type, block));
  }
  for (const [type, blocks] of Object.entries(json.data ?? {})) {
    for (const [id, block] of Object.entries(blocks)) refs.set(`data.${type}.${id}`, name(type, block));
  }
  const vaults = Object.keys(json.data?.azurerm_key_vault ?? {}).map((id) => `data.azurerm_key_vault.${id}.id`);
  const normalize = (text: string): string => {
    let out = text
      .replaceAll(KEY_VAULT_ID, '<key-vault-id>')
      .replaceAll('https://kv-fixture.vault.azure.net', '<vault-uri>');
    for (const vault of vaults) {
      out = out
        .replaceAll(`https://\${lower(element(split(\\"/\\", ${vault}), 8))}.vault.azure.net`, '<vault-uri>')
        .replaceAll(`\${${vault}}`, '<key-vault-id>');
    }
    return out.replace(/\b(?:data\.)?azurerm_[a-z0-9_]+\.[A-Za-z0-9_-]+/g, (ref) => refs.get(ref) ?? ref);
  };
  const out: Record<string, unknown> = {};
  for (const [type, blocks] of Object.entries(json.resource ?? {})) {
    for (const block of Object.values(blocks)) {
      const at = workloadPath(block);
      if (at === undefined) continue;
      const body: Record<string, unknown> = { ...block };
      delete body['//'];
      delete body.tags;
      out[`${type} ${at}`] = JSON.parse(normalize(JSON.stringify(body))) as unknown;
    }
  }
  return out;
}

describe.each(['development', 'production'] as const)('Application (%s)', (tier) => {
  const spec = applicationSpec(tier);
  const { stack, application, json } = teamStack(spec);

  test('builds the same workload resources as the platform does for the same spec', () => {
    const outdir = tempDir();
    const full = teamStack(spec, outdir);
    (full.stack.node.scope as App).synth();
    const team = workloadResources(readWritten(outdir, full.stack.node.id));
    const platform = workloadResources(platformStack(platformEnvironment(tier)));
    expect(Object.keys(team).sort()).toEqual(Object.keys(platform).sort());
    expect(Object.keys(team).length).toBeGreaterThan(10);
    expect(team).toEqual(platform);
  });

  test('each service under services/<name> and each job under jobs/<name>, by name', () => {
    expect([...application.services.keys()]).toEqual(['payments-api', 'payments-web']);
    expect([...application.jobs.keys()]).toEqual(['payments-report']);
    expect(application.services.get('payments-api')?.node.path).toBe(`${stack.node.id}/payments/services/payments-api`);
    expect(application.jobs.get('payments-report')?.node.path).toBe(`${stack.node.id}/payments/jobs/payments-report`);
    expect(Object.values(json.resource?.azurerm_container_app ?? {}).map((a) => a.name)).toEqual(
      expect.arrayContaining([`ca-${spec.environment.name}-payments-api`, `ca-${spec.environment.name}-payments-web`]),
    );
  });

  test("every taggable resource carries the application's tags", () => {
    const taggable = stack.node
      .findAll()
      .filter((c): c is TerraformResource => TerraformResource.isTerraformResource(c) && 'tagsInput' in c);
    expect(taggable.length).toBeGreaterThanOrEqual(5);
    for (const resource of taggable) {
      const block = json.resource?.[resource.terraformResourceType]?.[resource.friendlyUniqueId];
      expect([resource.node.path, block?.tags]).toEqual([
        resource.node.path,
        {
          application: 'payments',
          environment: spec.environment.name,
          'managed-by': 'platform-constructs',
          owner: 'payments-team',
        },
      ]);
    }
  });

  test('retains data as the spec protection says', () => {
    expect(Aspects.of(application).all.filter((a) => a instanceof RetainStatefulResources)).toHaveLength(
      spec.protection.retainData ? 1 : 0,
    );
    expect(spec.protection.retainData).toBe(tier === 'production');
  });

  test('passes the Azure rule pack with no unacknowledged finding, and synthesizes', () => {
    const findings = checkTerraform(json as unknown as TerraformJson, { tier, rules: AZURE_RULES, publicPorts: [] });
    expect(blockingFindings(findings)).toEqual([]);
    const outdir = tempDir();
    const full = teamStack(spec, outdir);
    (full.stack.node.scope as App).synth();
    expect(readStackJson(outdir, full.stack.node.id)['//']?.['platform-policy']?.tier).toBe(tier);
  });

  test("the team stack's cdk.tf.json is valid against the azurerm 4.55.0 schema", () => {
    const outdir = tempDir();
    const full = teamStack(spec, outdir);
    (full.stack.node.scope as App).synth();
    const written = readWritten(outdir, full.stack.node.id);
    expect(Object.keys(written.data ?? {}).length).toBeGreaterThanOrEqual(7);
    expect(schemaProblems(written)).toEqual([]);
  });

  test('holds no path of the machine in its synthesized JSON', () => {
    const text = JSON.stringify(json);
    expect(text.includes(root) || text.includes(os.tmpdir())).toBe(false);
  });
});

describe('Application', () => {
  test('the schema check catches an unknown argument, a missing required one and a wrong literal type', () => {
    const { json } = teamStack(applicationSpec('development'));
    const [id, app] = Object.entries(json.resource?.azurerm_container_app ?? {})[0]!;
    const withoutName: Record<string, unknown> = { ...app };
    delete withoutName.name;
    const broken: StackJson = {
      ...json,
      resource: {
        ...json.resource,
        azurerm_container_app: { [id]: { ...withoutName, revison_mode: 'Single', workload_profile_name: ['x'] } },
      },
    };
    expect(schemaProblems(broken)).toEqual([
      `resource.azurerm_container_app.${id}.workload_profile_name: ["x"] is not of type "string"`,
      `resource.azurerm_container_app.${id}.revison_mode: not an argument`,
      `resource.azurerm_container_app.${id}.name: required`,
    ]);
  });

  test("reads the platform's Key Vault only when a workload names secrets, and grants that workload its secrets", () => {
    const without = teamStack(applicationSpec('development', { services: [SERVICES[1]!], jobs: [] })).json;
    expect(without.data?.azurerm_key_vault).toBeUndefined();
    expect(without.resource?.azurerm_role_assignment).toBeUndefined();

    const { json, application } = teamStack(applicationSpec('development'));
    const [vaultId] = Object.keys(json.data?.azurerm_key_vault ?? {});
    const component = application.checkInsights!.component;
    // The internal API's check runs as the probe, which publishes its results to the application's component.
    expect(
      Object.values(json.resource?.azurerm_role_assignment ?? {})
        .map((r) => [r.scope, r.role_definition_name])
        .sort(),
    ).toEqual([
      [`\${azurerm_application_insights.${component.friendlyUniqueId}.id}`, 'Monitoring Metrics Publisher'],
      [`\${data.azurerm_key_vault.${vaultId}.id}`, 'Key Vault Secrets User'],
    ]);
    const api = Object.values(json.resource?.azurerm_container_app ?? {}).find((a) => a.name === 'ca-dev-payments-api');
    expect(api?.secret).toEqual([
      expect.objectContaining({
        key_vault_secret_id: `https://\${lower(element(split("/", data.azurerm_key_vault.${vaultId}.id), 8))}.vault.azure.net/secrets/db-password`,
      }),
    ]);
  });

  test("checks each service: a web test for the public one, the probe in the platform's environment for the internal one", () => {
    const { json, application } = teamStack(applicationSpec('development'));
    expect([...application.checks.keys()]).toEqual(['payments-api', 'payments-web']);
    expect(application.checks.get('payments-api')?.node.path).toBe('payments-dev/payments/checks/payments-api');
    expect([...application.checks.values()].map((c) => c.runner)).toEqual(['probe', 'web-test']);
    const components = Object.values(json.resource?.azurerm_application_insights ?? {});
    expect(components.map((c) => [c.name, c.local_authentication_disabled, c.workspace_id])).toEqual([
      ['appi-platform-dev-payments-weu', true, expect.stringMatching(/^\$\{data\.azurerm_log_analytics_workspace\./)],
    ]);
    const web = application.services.get('payments-web')!.containerApp;
    const tests = Object.values(json.resource?.azurerm_application_insights_standard_web_test ?? {});
    expect(tests.map((t) => [t.name, (t.request as { url: string }).url]).sort()).toEqual([
      ['platform-dev-payments-web', `https://\${azurerm_container_app.${web.friendlyUniqueId}.ingress[0].fqdn}/`],
      ['platform-dev-payments-web-tls', `https://\${azurerm_container_app.${web.friendlyUniqueId}.ingress[0].fqdn}/`],
    ]);
    const jobs = Object.values(json.resource?.azurerm_container_app_job ?? {}).map((j) => [
      j.name,
      j.container_app_environment_id,
    ]);
    expect(jobs).toEqual(
      expect.arrayContaining([
        ['caj-dev-check-payments-api-weu', expect.stringMatching(/^\$\{data\.azurerm_container_app_environment\./)],
      ]),
    );
    const alerts = Object.values(json.resource?.azurerm_monitor_metric_alert ?? {}).map((a) => String(a.name));
    expect(alerts.filter((n) => n.includes('-check.')).sort()).toEqual([
      'platform-dev-check.payments-api.latency',
      'platform-dev-check.payments-api.success',
      'platform-dev-check.payments-api.tls',
      'platform-dev-check.payments-web.latency',
      'platform-dev-check.payments-web.success',
      'platform-dev-check.payments-web.tls',
    ]);
  });

  test('production specs protect what holds data under the application, by an aspect on the application only', () => {
    const spec = applicationSpec('production');
    // A plain stack, so that only the application's own aspect can protect anything.
    const stack = new TerraformStack(Testing.app({ outdir: tempDir() }), 'payments');
    const platform = PlatformEnvironment.join(stack, 'platform', { spec: spec.environment });
    const application = new Application(stack, 'payments', { spec, platform });
    new workspace.LogAnalyticsWorkspace(application, 'logs', {
      name: 'log-in',
      location: 'westeurope',
      resourceGroupName: 'rg',
    });
    new workspace.LogAnalyticsWorkspace(stack, 'logs', {
      name: 'log-out',
      location: 'westeurope',
      resourceGroupName: 'rg',
    });
    const json = JSON.parse(Testing.synth(stack)) as StackJson;
    expect(
      Object.values(json.resource?.azurerm_log_analytics_workspace ?? {})
        .map((w) => [w.name, w.lifecycle?.prevent_destroy])
        .sort(),
    ).toEqual([
      ['log-in', true],
      ['log-out', undefined],
    ]);
  });

  test('an application without workloads reads no Container Apps environment', () => {
    const { json } = teamStack(applicationSpec('development', { services: [], jobs: [] }));
    expect(json.data?.azurerm_container_app_environment).toBeUndefined();
    expect(json.resource ?? {}).toEqual({});
  });

  test("the spec's alarm tuning applies to the application's alerts", () => {
    const { json } = teamStack(
      applicationSpec('development', {
        monitoring: {
          alarms: {
            'service/payments-api/5xx-count': { threshold: 42 },
            'job/payments-report/failed': { enabled: false, reason: 'The report is rerun by hand every morning.' },
          },
        },
      }),
    );
    const alerts = Object.values(json.resource?.azurerm_monitor_metric_alert ?? {});
    const fiveXx = alerts.find((a) => a.name === 'platform-dev-service.payments-api.5xx-count');
    expect(fiveXx?.criteria).toEqual([expect.objectContaining({ threshold: 42 })]);
    const logAlerts = Object.values(json.resource?.azurerm_monitor_scheduled_query_rules_alert_v2 ?? {}).map(
      (a) => a.name,
    );
    expect(logAlerts).not.toContain('platform-dev-job.payments-report.failed');
  });

  test('an alarm override that names none of its alerts fails synthesis', () => {
    const outdir = tempDir();
    const { stack } = teamStack(
      applicationSpec('development', { monitoring: { alarms: { 'service/payments-nope/cpu': { threshold: 1 } } } }),
      outdir,
    );
    expect(() => (stack.node.scope as App).synth()).toThrow(/service\/payments-nope\/cpu/);
  });

  test('refuses a platform joined in another stack, of another environment, or a stack of another tier', () => {
    const spec = applicationSpec('development');
    const app = new App({ outdir: tempDir() });
    const other = new PlatformStack(app, 'other', { tier: 'development' });
    const platform = PlatformEnvironment.join(other, 'platform', {
      spec: { ...spec.environment, name: 'test' },
    });
    const stack = new PlatformStack(app, 'payments', { tier: 'production', backend: BACKEND });
    const error = errorOf(() => new Application(stack, 'payments', { spec, platform }));
    expect(error).toBeInstanceOf(SpecError);
    expect(error.message).toMatch(/Invalid Application props \(payments\/payments\)/);
    expect(error.message).toMatch(/props\.platform: "test" - the environment the spec joins \(dev\)/);
    expect(error.message).toMatch(
      /props\.platform: "other\/platform" - a platform environment joined in this application's stack/,
    );
    expect(error.message).toMatch(
      /props\.spec\.environment\.tier: "development" - the tier of the stack \(production\)/,
    );
  });

  test('refuses a spec without Azure and props of the wrong kind', () => {
    const spec = applicationSpec('development');
    const stack = new TerraformStack(new App({ outdir: tempDir() }), 'payments');
    const platform = PlatformEnvironment.join(stack, 'platform', { spec: spec.environment });
    const awsOnly = { ...spec, environment: { name: 'dev', tier: 'development' as const } };
    expect(errorOf(() => new Application(stack, 'a', { spec: awsOnly, platform })).message).toMatch(
      /props\.spec\.environment\.azure: \(missing\) - the Azure location of the platform environment/,
    );
    expect(
      errorOf(() => new Application(stack, 'b', { spec: 'payments', platform } as unknown as ApplicationProps)).message,
    ).toMatch(/props\.spec: "payments" - the resolved application spec: defineApplication/);
  });
});
