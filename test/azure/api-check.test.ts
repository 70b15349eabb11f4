import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { App, TerraformStack, type TerraformResource } from 'cdktf';
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';
import {
  ApiCheck,
  ApiCheckInsights,
  apiCheckRunner,
  applicationInsightsRetention,
  availabilityTestLocations,
  AZURE_RULES,
  checkTerraform,
  ContainerAppsEnvironment,
  DATA_SAFE_FEATURES,
  decideProtection,
  KeyVault,
  Monitoring,
  Network,
  PolicyChecks,
  renderProbeSchedule,
  renderProbeScript,
  SendDiagnostics,
  TagResources,
  webTestFrequencySeconds,
  webTestTimeoutSeconds,
  type ApiCheckProps,
} from '../../lib/azure';
import { defineEnvironment, type ApiCheckDefinition, type EnvironmentInput, type Tier } from '../../lib/core';
import { devInput, errorOf, prodInput } from '../util/fixtures';
import { temporaryFolders } from '../util/temp';
import { schemaProblems } from '../util/provider-schema';

const tempDir = temporaryFolders('azure-api-check-');
const run = promisify(execFile);

const KEY_VAULT_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-secrets/providers/Microsoft.KeyVault/vaults/kv-checks';
const SECRET_VALUE = 's3cr3t-header-value-never-in-json';

/** A public check of a text the body contains: a web test. */
const PUBLIC: ApiCheckDefinition = {
  name: 'api-health',
  url: 'https://api.example.com/health',
  internal: false,
  method: 'GET',
  headers: { Accept: 'application/json' },
  secretHeaders: {},
  expectedStatus: 200,
  body: { contains: '"ok"' },
  latencyBudgetMs: 2000,
  intervalMinutes: 1,
  tlsExpiryWarningDays: 30,
};

/** An internal check with a secret header and a JSON field: the probe. */
const INTERNAL: ApiCheckDefinition = {
  name: 'orders',
  url: 'https://ca-dev-orders.internal.example.azurecontainerapps.io/healthz',
  internal: true,
  method: 'GET',
  headers: { Accept: 'application/json' },
  secretHeaders: { 'X-Api-Key': 'orders-api-key' },
  expectedStatus: 200,
  body: { jsonPath: 'status', equals: 'ok' },
  latencyBudgetMs: 5000,
  intervalMinutes: 5,
  tlsExpiryWarningDays: 14,
};

type Block = Record<string, unknown>;
interface StackJson {
  readonly provider?: { readonly azurerm?: Block[] };
  readonly resource: Record<string, Record<string, Block>>;
  readonly data?: Record<string, Record<string, Block>>;
}

function envInput(tier: Tier): EnvironmentInput {
  const base = tier === 'production' ? prodInput() : devInput();
  return { ...base, azure: { ...base.azure, keyVaultId: KEY_VAULT_ID } };
}

interface Built {
  readonly json: StackJson;
  readonly checks: ApiCheck[];
  /** References to what the stack built, as they appear in the JSON. */
  readonly refs: {
    readonly component: string;
    readonly connectionString: string;
    readonly workspace: string;
    readonly containerApps: string;
  };
}

/** `${<type>.<logical id>.<attribute>}`: how the JSON refers to a resource's attribute. */
function ref(resource: TerraformResource, attribute: string): string {
  return `\${${resource.terraformResourceType}.${resource.friendlyUniqueId}.${attribute}}`;
}

/**
 * An environment-like stack of `tier` (provider, monitoring, network, Container Apps environment, the API check
 * component) with the given checks, synthesized the way `cdktf synth` writes it, guardrails included.
 */
function build(
  tier: Tier,
  checks: readonly ApiCheckDefinition[],
  extra: Partial<ApiCheckProps> = {},
  alarms: NonNullable<EnvironmentInput['monitoring']>['alarms'] = {},
): Built {
  const input = envInput(tier);
  const env = defineEnvironment({ ...input, monitoring: { ...input.monitoring, alarms } });
  const outdir = tempDir();
  const app = new App({ outdir });
  const stack = new TerraformStack(app, 'env');
  new AzurermProvider(stack, 'azurerm', { features: [DATA_SAFE_FEATURES] });
  decideProtection(stack, tier);
  const resourceGroup = { name: `rg-platform-${env.name}-weu`, location: 'westeurope' };
  const monitoring = new Monitoring(stack, 'monitoring', { spec: env.monitoring, name: env.name, resourceGroup });
  const network = new Network(stack, 'network', { spec: env.network, name: env.name, resourceGroup, monitoring });
  const apps = new ContainerAppsEnvironment(stack, 'container-apps', {
    name: env.name,
    resourceGroup,
    subnetId: network.subnets.apps.id,
    workspaceId: monitoring.workspaceId,
  });
  const insights = new ApiCheckInsights(stack, 'api-checks', {
    name: env.name,
    resourceGroup,
    workspaceId: monitoring.workspaceId,
  });
  const made = checks.map(
    (check) =>
      new ApiCheck(stack, `check-${check.name}`, {
        check,
        environment: env.name,
        resourceGroup,
        monitoring,
        insights,
        azureLocation: 'westeurope',
        containerAppsEnvironmentId: apps.id,
        keyVault: KeyVault.fromKeyVaultId(KEY_VAULT_ID),
        ...extra,
      }),
  );
  SendDiagnostics.applyTo(stack, monitoring.workspaceId);
  TagResources.applyTo(stack, env.tags);
  PolicyChecks.applyTo(stack, { tier });
  app.synth();
  const json = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'env', 'cdk.tf.json'), 'utf8')) as StackJson;
  return {
    json,
    checks: made,
    refs: {
      component: ref(insights.component, 'id'),
      connectionString: ref(insights.component, 'connection_string'),
      workspace: ref(monitoring.logAnalysis.workspace, 'id'),
      containerApps: ref(apps.resource, 'id'),
    },
  };
}

function blocksOf(json: StackJson, type: string): Block[] {
  return Object.values(json.resource[type] ?? {});
}

function only(json: StackJson, type: string, match: (b: Block) => boolean = () => true): Block {
  const found = blocksOf(json, type).filter(match);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0]!;
}

const named = (name: string) => (b: Block) => b.name === name;

/** The metric alert named `platform-<env>-<id>` (slashes as dots). */
function alert(json: StackJson, env: string, id: string): Block {
  return only(json, 'azurerm_monitor_metric_alert', named(`platform-${env}-${id.replaceAll('/', '.')}`));
}

describe('ApiCheckInsights', () => {
  test.each([
    ['development', 30, undefined],
    ['production', 365, true],
  ] as const)(
    'in %s: workspace-based, local authentication disabled, %i days, prevent_destroy %s',
    (tier, days, preventDestroy) => {
      const { json, refs } = build(tier, []);
      const component = only(json, 'azurerm_application_insights');
      const env = tier === 'production' ? 'prod' : 'dev';
      expect(component).toMatchObject({
        name: `appi-platform-${env}-weu`,
        application_type: 'other',
        location: 'westeurope',
        resource_group_name: `rg-platform-${env}-weu`,
        workspace_id: refs.workspace,
        local_authentication_disabled: true,
        retention_in_days: days,
      });
      expect((component.lifecycle as { prevent_destroy?: boolean } | undefined)?.prevent_destroy).toBe(preventDestroy);
    },
  );

  test('rounds a retention up to one Application Insights takes', () => {
    expect([30, 60, 150, 365, 400, 545, 730].map(applicationInsightsRetention)).toEqual([
      30, 60, 180, 365, 550, 550, 730,
    ]);
  });
});

describe('ApiCheck as a standard web test', () => {
  const { json, checks, refs } = build('development', [PUBLIC]);

  test('runs a public check without secret headers or JSON assertion as a web test', () => {
    expect(checks[0]!.runner).toBe('web-test');
    expect(blocksOf(json, 'azurerm_container_app_job')).toEqual([]);
    expect(blocksOf(json, 'azurerm_application_insights_standard_web_test')).toHaveLength(2);
  });

  test('requests the URL with the method and headers, following no redirect', () => {
    const test = only(json, 'azurerm_application_insights_standard_web_test', named('platform-dev-api-health'));
    expect(test.request).toEqual({
      url: 'https://api.example.com/health',
      http_verb: 'GET',
      follow_redirects_enabled: false,
      parse_dependent_requests_enabled: false,
      header: [{ name: 'Accept', value: 'application/json' }],
    });
    expect(test).toMatchObject({
      application_insights_id: refs.component,
      location: 'westeurope',
      enabled: true,
      retry_enabled: true,
      timeout: 30,
    });
  });

  test('asserts the status, the body text and the certificate', () => {
    const test = only(json, 'azurerm_application_insights_standard_web_test', named('platform-dev-api-health'));
    expect(test.validation_rules).toEqual({
      expected_status_code: 200,
      ssl_check_enabled: true,
      content: { content_match: '"ok"', ignore_case: false, pass_if_text_found: true },
    });
  });

  test('runs every 5 minutes for a 1-minute interval from the five locations nearest westeurope', () => {
    const test = only(json, 'azurerm_application_insights_standard_web_test', named('platform-dev-api-health'));
    expect(test.frequency).toBe(300);
    expect(test.geo_locations).toEqual([
      'emea-nl-ams-azr',
      'emea-ru-msa-edge',
      'emea-fr-pra-edge',
      'emea-se-sto-edge',
      'emea-gb-db3-azr',
    ]);
  });

  test('checks the certificate lifetime in a test of its own, every 15 minutes, any status below 400', () => {
    const tls = only(json, 'azurerm_application_insights_standard_web_test', named('platform-dev-api-health-tls'));
    expect(tls).toMatchObject({ frequency: 900, request: { url: 'https://api.example.com/health' } });
    expect(tls.validation_rules).toEqual({
      expected_status_code: 0,
      ssl_check_enabled: true,
      ssl_cert_remaining_lifetime: 30,
    });
  });

  test('the frequency is the slowest of 300, 600 and 900 seconds not slower than the interval', () => {
    expect([1, 4, 5, 9, 10, 12, 15, 30, 60].map(webTestFrequencySeconds)).toEqual([
      300, 300, 300, 300, 600, 600, 900, 900, 900,
    ]);
  });

  test('the timeout is at least twice the latency budget; over 60 seconds the probe runs it', () => {
    expect([100, 15_000, 20_000, 45_000, 60_000, 60_001].map(webTestTimeoutSeconds)).toEqual([
      30,
      30,
      60,
      90,
      120,
      undefined,
    ]);
    expect(apiCheckRunner({ ...PUBLIC, latencyBudgetMs: 61_000 })).toEqual({
      runner: 'probe',
      reasons: ['a latency budget over 60 seconds'],
    });
  });

  test('chooses the test locations nearest the environment', () => {
    expect(availabilityTestLocations('eastus')).toEqual([
      'us-va-ash-azr',
      'us-il-ch1-azr',
      'us-fl-mia-edge',
      'us-tx-sn1-azr',
      'us-ca-sjc-azr',
    ]);
    expect(availabilityTestLocations('southeastasia')?.slice(0, 3)).toEqual([
      'apac-sg-sin-azr',
      'apac-hk-hkn-azr',
      'apac-jp-kaw-edge',
    ]);
    expect(availabilityTestLocations('mars')).toBeUndefined();
  });

  test('an http-free check has no certificate test and no tls alert', () => {
    const internalHttp = build('development', [
      { ...PUBLIC, name: 'plain', url: 'http://10.0.0.4/health', internal: true, body: undefined },
    ]);
    expect(blocksOf(internalHttp.json, 'azurerm_application_insights_standard_web_test')).toEqual([]);
    expect(
      blocksOf(internalHttp.json, 'azurerm_monitor_metric_alert')
        .map((a) => a.name)
        .filter((n) => String(n).includes('check.plain'))
        .sort(),
    ).toEqual(['platform-dev-check.plain.latency', 'platform-dev-check.plain.success']);
  });
});

describe('ApiCheck as the in-network probe', () => {
  const { json, checks, refs } = build('development', [INTERNAL]);
  const probe = checks[0]!.probe!;
  const job = only(json, 'azurerm_container_app_job');

  test('runs an internal check with secret headers and a JSON field as the probe', () => {
    expect(checks[0]!.runner).toBe('probe');
    expect(apiCheckRunner(INTERNAL).reasons).toEqual(['internal', 'secret headers', 'a JSON field assertion']);
    expect(blocksOf(json, 'azurerm_application_insights_standard_web_test')).toEqual([]);
  });

  test('a Container Apps job in the environment, on the interval, one replica per run, no retry', () => {
    expect(job).toMatchObject({
      name: 'caj-dev-check-orders-weu',
      location: 'westeurope',
      container_app_environment_id: refs.containerApps,
      workload_profile_name: 'Consumption',
      replica_timeout_in_seconds: 90,
      replica_retry_limit: 0,
      schedule_trigger_config: { cron_expression: '*/5 * * * *', parallelism: 1, replica_completion_count: 1 },
    });
  });

  test('the schedule is the interval, or the closest one dividing an hour that is not slower', () => {
    expect([1, 2, 5, 7, 10, 15, 20, 25, 30, 45, 60].map(renderProbeSchedule)).toEqual([
      '* * * * *',
      '*/2 * * * *',
      '*/5 * * * *',
      '*/6 * * * *',
      '*/10 * * * *',
      '*/15 * * * *',
      '*/20 * * * *',
      '*/20 * * * *',
      '*/30 * * * *',
      '*/30 * * * *',
      '0 * * * *',
    ]);
  });

  test('reads the secret header through a Key Vault reference and the connection string from a secret', () => {
    const identityRef = ref(probe.identity, 'id');
    expect(job.secret).toEqual([
      {
        name: 'orders-api-key',
        key_vault_secret_id: 'https://kv-checks.vault.azure.net/secrets/orders-api-key',
        identity: identityRef,
      },
      {
        name: 'appinsights-connection-string',
        value: refs.connectionString,
      },
    ]);
    const container = (job.template as { container: Block[] }).container[0]!;
    expect(container).toMatchObject({ name: 'probe', image: 'public.ecr.aws/docker/library/node:22.12-alpine' });
    expect(container.env).toEqual([
      { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', secret_name: 'appinsights-connection-string' },
      { name: 'AZURE_CLIENT_ID', value: ref(probe.identity, 'client_id') },
      { name: 'PROBE_RUN_LOCATION', value: 'westeurope (in-network probe)' },
      { name: 'PROBE_SECRET_HEADER_0', secret_name: 'orders-api-key' },
    ]);
    expect(job.identity).toEqual({ type: 'UserAssigned', identity_ids: [identityRef] });
  });

  test('its identity reads the vault and publishes to the component, before the job exists', () => {
    const roles = blocksOf(json, 'azurerm_role_assignment').map((r) => [r.role_definition_name, r.scope]);
    expect(roles).toEqual(
      expect.arrayContaining([
        ['Key Vault Secrets User', KEY_VAULT_ID],
        ['Monitoring Metrics Publisher', refs.component],
      ]),
    );
    expect(job.depends_on).toEqual([
      `azurerm_role_assignment.${probe.keyVaultAccess!.friendlyUniqueId}`,
      `azurerm_role_assignment.${probe.metricsPublisher.friendlyUniqueId}`,
    ]);
  });

  test('no secret value is in the JSON: a secret header is never a web test header, only a Key Vault reference', () => {
    const publicWithSecret = build('development', [
      { ...PUBLIC, name: 'partner', secretHeaders: { Authorization: 'partner-token' } },
    ]);
    expect(publicWithSecret.checks[0]!.runner).toBe('probe');
    expect(blocksOf(publicWithSecret.json, 'azurerm_application_insights_standard_web_test')).toEqual([]);
    const container = (only(publicWithSecret.json, 'azurerm_container_app_job').template as { container: Block[] })
      .container[0]!;
    const command = container.command as string[];
    expect(command.slice(0, 2)).toEqual(['node', '-e']);
    expect(command[2]).toContain('"secretHeaderVariables": {\n    "Authorization": "PROBE_SECRET_HEADER_0"\n  }');
    expect((container.env as Block[]).filter((e) => String(e.name).startsWith('PROBE_SECRET_HEADER_'))).toEqual([
      { name: 'PROBE_SECRET_HEADER_0', secret_name: 'partner-token' },
    ]);
  });
});

describe('ApiCheck alerts', () => {
  const { json, refs } = build('development', [PUBLIC, INTERNAL]);
  const component = refs.component;

  function criteria(a: Block): Block {
    return (a.criteria as Block[])[0]!;
  }

  test('success: critical, availability below 100 for the test, in a window holding one run', () => {
    const web = alert(json, 'dev', 'check/api-health/success');
    expect(web).toMatchObject({ scopes: [component], severity: 1, window_size: 'PT5M' });
    expect(criteria(web)).toEqual({
      metric_namespace: 'microsoft.insights/components',
      metric_name: 'availabilityResults/availabilityPercentage',
      aggregation: 'Average',
      operator: 'LessThan',
      threshold: 100,
      dimension: [{ name: 'availabilityResult/name', operator: 'Include', values: ['platform-dev-api-health'] }],
    });
    expect(String((web.action as Block[])[0]!.action_group_id)).toMatch(/action-group-critical/);
    expect(alert(json, 'dev', 'check/orders/success')).toMatchObject({ window_size: 'PT5M' });
  });

  test('latency: warning, the slowest duration over the budget', () => {
    const latency = alert(json, 'dev', 'check/orders/latency');
    expect(latency).toMatchObject({ severity: 2 });
    expect(criteria(latency)).toMatchObject({
      metric_name: 'availabilityResults/duration',
      aggregation: 'Maximum',
      operator: 'GreaterThan',
      threshold: 5000,
      dimension: [{ name: 'availabilityResult/name', operator: 'Include', values: ['platform-dev-orders'] }],
    });
    expect(String((latency.action as Block[])[0]!.action_group_id)).toMatch(/action-group-warning/);
  });

  test('tls: warning, most certificate tests of an hour failed', () => {
    const tls = alert(json, 'dev', 'check/api-health/tls');
    expect(tls).toMatchObject({ severity: 2, window_size: 'PT1H' });
    expect(criteria(tls)).toMatchObject({
      aggregation: 'Average',
      operator: 'LessThan',
      threshold: 50,
      dimension: [{ name: 'availabilityResult/name', operator: 'Include', values: ['platform-dev-api-health-tls'] }],
    });
    expect(String(tls.description)).toContain('less than 30 days left');
  });

  test('every alert notifies the action group of its severity', () => {
    const checkAlerts = blocksOf(json, 'azurerm_monitor_metric_alert').filter((a) =>
      String(a.name).includes('-check.'),
    );
    expect(checkAlerts).toHaveLength(6);
    for (const a of checkAlerts) {
      const group = String((a.action as Block[])[0]!.action_group_id);
      expect([a.name, group.includes(a.severity === 1 ? 'critical' : 'warning')]).toEqual([a.name, true]);
    }
  });

  test('the spec tunes or switches off a check alert by its id', () => {
    const tuned = build(
      'development',
      [PUBLIC],
      {},
      {
        'check/api-health/latency': { threshold: 1500 },
        'check/api-health/tls': { enabled: false, reason: 'the certificate is renewed by the edge, monitored there' },
      },
    );
    expect(criteria(alert(tuned.json, 'dev', 'check/api-health/latency')).threshold).toBe(1500);
    expect(blocksOf(tuned.json, 'azurerm_monitor_metric_alert').map((a) => a.name)).not.toContain(
      'platform-dev-check.api-health.tls',
    );
    expect(Object.keys(tuned.checks[0]!.alerts).sort()).toEqual([
      'check/api-health/latency',
      'check/api-health/success',
    ]);
  });

  test('adds a workbook section per check over AppAvailabilityResults', () => {
    const workbook = only(json, 'azurerm_application_insights_workbook');
    const data = JSON.parse(String(workbook.data_json)) as { items: { content: { json?: string; query?: string } }[] };
    const texts = data.items.map((i) => i.content.json ?? i.content.query ?? '');
    expect(texts).toEqual(expect.arrayContaining(['## API check: api-health', '## API check: orders']));
    expect(texts).toContain(
      'AppAvailabilityResults | where Name in ("platform-dev-api-health", "platform-dev-api-health-tls") | where Success == false | project TimeGenerated, Name, Location, Message | top 50 by TimeGenerated desc',
    );
  });
});

describe('ApiCheck validation', () => {
  test('reports every problem at once, with path, value and what is allowed', () => {
    const error = errorOf(() =>
      build(
        'development',
        [
          {
            ...INTERNAL,
            name: 'Bad_Name',
            url: 'http://api.example.com',
            internal: false,
            method: 'FETCH' as ApiCheckDefinition['method'],
            expectedStatus: 99,
            intervalMinutes: 61,
            tlsExpiryWarningDays: 400,
            secretHeaders: { 'X-Api-Key': 'bad name!' },
          },
        ],
        { keyVault: undefined, containerAppsEnvironmentId: undefined },
      ),
    );
    expect(error.message).toMatch(/^Invalid ApiCheck props \(env\/check-Bad_Name\) \(9 problems\):/);
    for (const line of [
      'check.name: "Bad_Name" - kebab-case',
      'check.url: "http://api.example.com" - an https:// URL (http:// only for an internal check)',
      'check.method: "FETCH" - one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
      'check.expectedStatus: 99 - an HTTP status code, 100-599',
      'check.intervalMinutes: 61 - a whole number of minutes, 1-60',
      'check.tlsExpiryWarningDays: 400 - a whole number of days, 1-365',
      'check.secretHeaders.X-Api-Key: "bad name!" - a Key Vault secret name',
      "keyVault: (missing) - the Key Vault holding the secrets bad name! (the environment's azure.keyVaultId)",
      'containerAppsEnvironmentId: (missing) - the Container Apps environment the probe runs in',
    ]) {
      expect(error.message).toContain(line);
    }
  });

  test('a web test needs its locations: a known Azure location or explicit ones', () => {
    expect(() => build('development', [PUBLIC], { azureLocation: 'moon' })).toThrow(
      /azureLocation: "moon" - an Azure location of AZURE_LOCATIONS to choose the web test locations near \(or give geoLocations\)/,
    );
    expect(() => build('development', [PUBLIC], { geoLocations: ['emea-nl-ams-azr', 'nowhere'] })).toThrow(
      /geoLocations\[1\]: "nowhere" - a web test location: emea-au-syd-edge, /,
    );
    const explicit = build('development', [PUBLIC], { geoLocations: ['us-va-ash-azr'] });
    expect(
      only(explicit.json, 'azurerm_application_insights_standard_web_test', named('platform-dev-api-health'))
        .geo_locations,
    ).toEqual(['us-va-ash-azr']);
  });

  test('a missing prop is named before anything is built', () => {
    const app = new App({ outdir: tempDir() });
    const stack = new TerraformStack(app, 'env');
    expect(() => new ApiCheck(stack, 'check', { check: PUBLIC } as unknown as ApiCheckProps)).toThrow(
      /props\.environment: \(missing\) - required: the environment name/,
    );
  });
});

describe.each(['development', 'production'] as const)('ApiCheck guardrails and schema (%s)', (tier) => {
  const { json } = build(tier, [PUBLIC, INTERNAL]);

  test('the Azure rule pack finds nothing, and nothing is acknowledged', () => {
    expect(checkTerraform(json as never, { tier, rules: AZURE_RULES })).toEqual([]);
    const acknowledged = Object.values(json.resource).flatMap((byName) =>
      Object.values(byName).filter((b) => (b['//'] as { acknowledged?: unknown } | undefined)?.acknowledged),
    );
    expect(acknowledged).toEqual([]);
  });

  test('the cdk.tf.json is valid against the azurerm 4.55.0 provider schema', () => {
    expect(schemaProblems(json)).toEqual([]);
  });
});

describe('the probe script', () => {
  interface Envelope {
    readonly iKey: string;
    readonly name: string;
    readonly data: {
      readonly baseType: string;
      readonly baseData: {
        readonly name: string;
        readonly success: boolean;
        readonly message: string;
        readonly duration: string;
        readonly runLocation: string;
      };
    };
  }

  /** Local stand-ins: the checked endpoint, the managed identity endpoint and the ingestion endpoint. */
  async function withServers(
    answer: (req: http.IncomingMessage, res: http.ServerResponse) => void,
    test: (
      ports: { target: number; identity: number; ingestion: number },
      sent: Envelope[][],
      auth: string[],
    ) => Promise<void>,
    tlsKey?: { key: string; cert: string },
  ): Promise<void> {
    const sent: Envelope[][] = [];
    const auth: string[] = [];
    const target = tlsKey ? https.createServer(tlsKey, answer) : http.createServer(answer);
    const identity = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const ok =
        req.headers['x-identity-header'] === 'identity-secret' &&
        url.searchParams.get('resource') === 'https://monitor.azure.com/' &&
        url.searchParams.get('client_id') === 'client-1';
      res.writeHead(ok ? 200 : 401, { 'Content-Type': 'application/json' });
      res.end(ok ? JSON.stringify({ access_token: 'token-1' }) : '{}');
    });
    const ingestion = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        auth.push(String(req.headers.authorization));
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Envelope[];
        sent.push(body);
        res.writeHead(req.url === '/v2.1/track' ? 200 : 404, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ itemsReceived: body.length, itemsAccepted: body.length, errors: [] }));
      });
    });
    const servers = [target, identity, ingestion];
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))));
    const port = (s: http.Server | https.Server): number => (s.address() as AddressInfo).port;
    try {
      await test({ target: port(target), identity: port(identity), ingestion: port(ingestion) }, sent, auth);
    } finally {
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    }
  }

  async function runProbe(
    check: ApiCheckDefinition,
    ports: { identity: number; ingestion: number },
    env: Record<string, string> = {},
  ): Promise<{ stdout: string; stderr: string }> {
    const script = renderProbeScript(check, {
      testName: `platform-dev-${check.name}`,
      ...(check.url.startsWith('https:') && { tlsTestName: `platform-dev-${check.name}-tls` }),
    });
    return run(process.execPath, ['-e', script], {
      env: {
        PATH: process.env.PATH ?? '',
        IDENTITY_ENDPOINT: `http://127.0.0.1:${ports.identity}/msi/token`,
        IDENTITY_HEADER: 'identity-secret',
        AZURE_CLIENT_ID: 'client-1',
        APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=00000000-1111-2222-3333-444444444444;IngestionEndpoint=http://127.0.0.1:${ports.ingestion}/`,
        PROBE_RUN_LOCATION: 'westeurope (in-network probe)',
        PROBE_SECRET_HEADER_0: SECRET_VALUE,
        ...env,
      },
    });
  }

  const jsonCheck = (url: string): ApiCheckDefinition => ({ ...INTERNAL, url });

  test('sends the secret header, asserts the JSON field and reports a success with Entra ID auth', async () => {
    const seen: string[] = [];
    await withServers(
      (req, res) => {
        seen.push(String(req.headers['x-api-key']));
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ status: 'ok' }));
      },
      async (ports, sent, auth) => {
        const { stdout } = await runProbe(jsonCheck(`http://127.0.0.1:${ports.target}/healthz`), ports);
        expect(seen).toEqual([SECRET_VALUE]);
        expect(auth).toEqual(['Bearer token-1']);
        expect(sent).toHaveLength(1);
        const [result] = sent[0]!;
        expect(result).toMatchObject({
          iKey: '00000000-1111-2222-3333-444444444444',
          name: 'Microsoft.ApplicationInsights.00000000111122223333444444444444.Availability',
          data: {
            baseType: 'AvailabilityData',
            baseData: { name: 'platform-dev-orders', success: true, runLocation: 'westeurope (in-network probe)' },
          },
        });
        expect(result!.data.baseData.duration).toMatch(/^00:00:\d\d\.\d{3}$/);
        expect(stdout).toContain('PASS platform-dev-orders');
        expect(stdout).not.toContain(SECRET_VALUE);
      },
    );
  });

  test.each([
    [200, '{"status":"degraded"}', 'JSON field status is "degraded", expected "ok"'],
    [200, 'not json', 'Body is not JSON'],
    [503, '{"status":"ok"}', 'Status 503, expected 200'],
  ])('reports a failure: %i %s', async (status, body, problem) => {
    await withServers(
      (_req, res) => {
        res.writeHead(status);
        res.end(body);
      },
      async (ports, sent) => {
        await runProbe(jsonCheck(`http://127.0.0.1:${ports.target}/healthz`), ports);
        const [result] = sent[0]!;
        expect(result!.data.baseData.success).toBe(false);
        expect(result!.data.baseData.message).toBe(`GET http://127.0.0.1:${ports.target}/healthz: ${problem}`);
      },
    );
  });

  test('a body text assertion and an unreachable endpoint fail the result', async () => {
    await withServers(
      (_req, res) => res.end('all good'),
      async (ports, sent) => {
        await runProbe({ ...PUBLIC, url: `http://127.0.0.1:${ports.target}/`, internal: true }, ports);
        expect(sent[0]![0]!.data.baseData).toMatchObject({
          success: false,
          message: expect.stringContaining('Body does not contain "\\"ok\\""'),
        });
        await runProbe({ ...PUBLIC, url: 'http://127.0.0.1:1/', internal: true }, ports);
        expect(sent[1]![0]!.data.baseData).toMatchObject({
          success: false,
          message: expect.stringMatching(/ECONNREFUSED/),
        });
      },
    );
  });

  test('fails the job when the results cannot be reported', async () => {
    await withServers(
      (_req, res) => res.end('{"status":"ok"}'),
      async (ports, sent) => {
        const failed = runProbe(jsonCheck(`http://127.0.0.1:${ports.target}/`), ports, { IDENTITY_HEADER: 'wrong' });
        await expect(failed).rejects.toMatchObject({
          code: 1,
          stderr: expect.stringContaining('Could not report the API check orders: Managed identity token: status 401'),
        });
        expect(sent).toEqual([]);
      },
    );
  });

  test('reports the certificate result: failing within the warning days, passing before', async () => {
    const dir = tempDir();
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
        '-days',
        '10',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const tlsKey = {
      key: fs.readFileSync(path.join(dir, 'key.pem'), 'utf8'),
      cert: fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
    };
    await withServers(
      (_req, res) => res.end('{"status":"ok"}'),
      async (ports, sent) => {
        const env = { NODE_EXTRA_CA_CERTS: path.join(dir, 'cert.pem') };
        const check = jsonCheck(`https://127.0.0.1:${ports.target}/`);
        await runProbe(check, ports, env);
        await runProbe({ ...check, tlsExpiryWarningDays: 5 }, ports, env);
        const tls = sent.map(
          (batch) => batch.find((r) => r.data.baseData.name === 'platform-dev-orders-tls')!.data.baseData,
        );
        expect(tls.map((r) => [r.success, /expires in (9|10) days/.test(r.message)])).toEqual([
          [false, true],
          [true, true],
        ]);
        expect(sent.map((batch) => batch[0]!.data.baseData.success)).toEqual([true, true]);
      },
      tlsKey,
    );
  });
});

// --- The azurerm 4.55.0 schema check, as test/azure/application.test.ts does it ---------------------------------
