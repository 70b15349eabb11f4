import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { App, TerraformStack } from 'cdktf';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  acknowledge,
  AZURE_RULES,
  checkTerraform,
  ContainerAppsEnvironment,
  ContainerService,
  KeyVault,
  Monitoring,
  PolicyError,
  renderContainerServiceNames,
  renderServiceWorkbookItems,
  type ContainerServiceProps,
} from '../../lib/azure';
import {
  checkName,
  defineEnvironment,
  type Environment,
  type EnvironmentInput,
  type ServiceSpec,
} from '../../lib/core';
import { productionApp as buildProductionApp } from '../util/azure-production';
import { devInput, errorOf, prodInput } from '../util/fixtures';
import { readStackJson, type TfStackJson } from '../util/terraform';

const KEY_VAULT =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-secrets/providers/Microsoft.KeyVault/vaults/kv-Platform-dev';
const CAE_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-dev-weu/providers/Microsoft.App/managedEnvironments/cae-platform-dev-weu';
const rg = { name: 'rg-platform-dev-weu', location: 'westeurope' };

type ServiceInput = NonNullable<EnvironmentInput['services']>[number];

const API: ServiceInput = { name: 'api', image: 'public.ecr.aws/nginx/nginx:1.27', cpu: 0.5, memoryGiB: 1, port: 8080 };

/** An environment with services and the Key Vault their secrets live in; `extra` changes other sections. */
function envWith(
  services: ServiceInput[] = [API],
  base: EnvironmentInput = devInput(),
  extra: Partial<EnvironmentInput> = {},
): Environment {
  return defineEnvironment({ ...base, azure: { ...base.azure, keyVaultId: KEY_VAULT }, services, ...extra });
}

/** A resolved service definition: `api` with the given changes. */
function serviceSpec(input: Partial<ServiceInput> = {}): ServiceSpec {
  return envWith([{ ...API, ...input }]).services[0]!;
}

interface SynthOptions {
  readonly env?: Environment;
  readonly spec?: ServiceSpec;
  readonly monitoring?: boolean;
  readonly props?: Partial<ContainerServiceProps>;
}

/** Synthesizes a stack with one ContainerService (and, if asked, the environment's monitoring). */
function synth(options: SynthOptions = {}): TfStackJson {
  const env = options.env ?? envWith();
  const outdir = mkdtempSync(join(tmpdir(), 'azure-service-'));
  try {
    const app = new App({ outdir });
    const stack = new TerraformStack(app, 'env');
    new AzurermProvider(stack, 'azurerm', { features: [{}] });
    const monitoring = options.monitoring
      ? new Monitoring(stack, 'monitoring', { spec: env.monitoring, name: env.name, resourceGroup: rg })
      : undefined;
    new ContainerService(stack, 'service-api', {
      spec: options.spec ?? env.services[0]!,
      environment: env.name,
      resourceGroup: rg,
      containerAppsEnvironmentId: CAE_ID,
      ...(env.azure.keyVaultId !== undefined && { keyVault: KeyVault.fromKeyVaultId(env.azure.keyVaultId) }),
      ...(monitoring && { monitoring }),
      ...options.props,
    });
    app.synth();
    return readStackJson(outdir, 'env');
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

interface Probe {
  readonly transport: string;
  readonly port: number;
  readonly path: string;
  readonly interval_seconds: number;
  readonly timeout: number;
  readonly failure_count_threshold: number;
  readonly success_count_threshold?: number;
}

interface Container {
  readonly name: string;
  readonly image: string;
  readonly cpu: number;
  readonly memory: string;
  readonly env: { readonly name: string; readonly value?: string; readonly secret_name?: string }[];
  readonly liveness_probe: Probe[];
  readonly readiness_probe: Probe[];
  readonly startup_probe: Probe[];
}

interface Criterion {
  readonly metric_namespace: string;
  readonly metric_name: string;
  readonly aggregation: string;
  readonly operator: string;
  readonly threshold: number;
  readonly dimension?: { readonly name: string; readonly operator: string; readonly values: string[] }[];
}

/** The attributes these tests read, by resource type, as cdktf writes them. */
interface Synthesized {
  azurerm_container_app: {
    readonly name: string;
    readonly resource_group_name: string;
    readonly container_app_environment_id: string;
    readonly workload_profile_name: string;
    readonly revision_mode: string;
    readonly identity: { readonly type: string; readonly identity_ids: string[] };
    readonly ingress: Readonly<Record<string, unknown>>;
    readonly secret?: { readonly name: string; readonly key_vault_secret_id: string; readonly identity: string }[];
    readonly registry?: { readonly server: string; readonly identity: string }[];
    readonly template: {
      readonly min_replicas: number;
      readonly max_replicas: number;
      readonly container: Container[];
      readonly http_scale_rule?: { readonly name: string; readonly concurrent_requests: string }[];
      readonly custom_scale_rule?: {
        readonly name: string;
        readonly custom_rule_type: string;
        readonly metadata: Readonly<Record<string, string>>;
      }[];
    };
    readonly depends_on?: string[];
    readonly tags?: Readonly<Record<string, string>>;
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
    readonly description: string;
  };
  azurerm_monitor_diagnostic_setting: {
    readonly name: string;
    readonly target_resource_id: string;
    readonly log_analytics_workspace_id: string;
    readonly enabled_log?: unknown[];
    readonly enabled_metric: { readonly category: string }[];
  };
  azurerm_monitor_metric_alert: {
    readonly name: string;
    readonly scopes: string[];
    readonly severity: number;
    readonly window_size: string;
    readonly frequency: string;
    readonly description: string;
    readonly criteria: readonly [Criterion];
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

function addressOf(tf: TfStackJson, type: keyof Synthesized): string {
  const [address] = Object.keys(tf.resource[type] ?? {});
  return `${type}.${address ?? '(none)'}`;
}

const container = (tf: TfStackJson): Container => only(tf, 'azurerm_container_app').template.container[0]!;

/** The workbook's items, as the workbook JSON holds them. */
interface WorkbookData {
  readonly items: { readonly content: { readonly title?: string; readonly json?: string; readonly query?: string } }[];
}

describe('ContainerService (Azure)', () => {
  describe('defaults', () => {
    test('a container app ca-<env>-<name> in the environment, one revision at a time, on the Consumption profile, running as its own identity', () => {
      const tf = synth();
      const app = only(tf, 'azurerm_container_app');
      expect([
        app.name,
        app.resource_group_name,
        app.container_app_environment_id,
        app.workload_profile_name,
        app.revision_mode,
      ]).toEqual(['ca-dev-api', 'rg-platform-dev-weu', CAE_ID, 'Consumption', 'Single']);
      expect(app.identity).toEqual({
        type: 'UserAssigned',
        identity_ids: [`\${${addressOf(tf, 'azurerm_user_assigned_identity')}.id}`],
      });
    });

    test('a user-assigned identity id-<env>-<name> in the resource group', () => {
      expect(only(synth(), 'azurerm_user_assigned_identity')).toMatchObject({
        name: 'id-dev-api',
        location: 'westeurope',
        resource_group_name: 'rg-platform-dev-weu',
      });
    });

    test('one container named after the service: the image, its CPU, its memory in Gi and the plain variables', () => {
      const spec = serviceSpec({ environment: { LOG_LEVEL: 'info', APP_MODE: 'web' } });
      expect(container(synth({ spec }))).toMatchObject({
        name: 'api',
        image: 'public.ecr.aws/nginx/nginx:1.27',
        cpu: 0.5,
        memory: '1Gi',
        env: [
          { name: 'APP_MODE', value: 'web' },
          { name: 'LOG_LEVEL', value: 'info' },
        ],
      });
    });

    test('runs from minCount to maxCount replicas', () => {
      const { template } = only(synth({ spec: serviceSpec({ minCount: 2, maxCount: 6 }) }), 'azurerm_container_app');
      expect([template.min_replicas, template.max_replicas]).toEqual([2, 6]);
    });

    test('in development one replica by default, up to four', () => {
      const { template } = only(synth(), 'azurerm_container_app');
      expect([template.min_replicas, template.max_replicas]).toEqual([1, 4]);
    });

    test('in production at least two replicas by default', () => {
      const env = envWith([API], prodInput());
      const { template } = only(synth({ env }), 'azurerm_container_app');
      expect([template.min_replicas, template.max_replicas]).toEqual([2, 8]);
    });

    test('without secrets and with a public image: no secret, no registry and no role assignment', () => {
      const tf = synth();
      const app = only(tf, 'azurerm_container_app');
      expect([app.secret, app.registry, app.depends_on]).toEqual([undefined, undefined, undefined]);
      expect(all(tf, 'azurerm_role_assignment')).toEqual([]);
    });

    test('sets no tags itself: they come from the stack aspect', () => {
      expect(only(synth(), 'azurerm_container_app').tags).toBeUndefined();
    });

    test('names fit Azure limits: a long one is shortened to 32 characters with a hash', () => {
      const long = renderContainerServiceNames({
        spec: { ...serviceSpec(), name: 'abcdefghijklmnopqrst' },
        environment: 'abcdefghijkl',
      });
      expect(long.containerApp).toMatch(/^ca-abcdefghijkl-abcdefghi-[0-9a-f]{6}$/);
      expect(long.containerApp).toHaveLength(32);
      expect(long.identity).toBe('id-abcdefghijkl-abcdefghijklmnopqrst');
      expect(checkName('azureContainerApp', long.containerApp)).toBeUndefined();
      expect(checkName('azureLinuxVirtualMachine', long.identity)).toBeUndefined();
    });
  });

  describe('ingress', () => {
    test('a public service takes traffic from the Internet on its port, HTTPS only, all to the latest revision', () => {
      const { ingress } = only(synth({ spec: serviceSpec({ public: true }) }), 'azurerm_container_app');
      expect(ingress).toEqual({
        external_enabled: true,
        target_port: 8080,
        allow_insecure_connections: false,
        transport: 'auto',
        traffic_weight: [{ latest_revision: true, percentage: 100 }],
      });
    });

    test('an internal service (the default) is reachable only from inside the environment', () => {
      const { ingress } = only(synth(), 'azurerm_container_app');
      expect([ingress.external_enabled, ingress.allow_insecure_connections]).toEqual([false, false]);
    });
  });

  describe('probes', () => {
    test('liveness, readiness and startup probes request the health check path over HTTP on the port', () => {
      const probes = container(synth({ spec: serviceSpec({ healthCheckPath: '/healthz' }) }));
      const http = { transport: 'HTTP', port: 8080, path: '/healthz', interval_seconds: 10, timeout: 5 };
      expect([probes.liveness_probe, probes.readiness_probe, probes.startup_probe]).toEqual([
        [{ ...http, failure_count_threshold: 3 }],
        [{ ...http, failure_count_threshold: 3, success_count_threshold: 1 }],
        [{ ...http, failure_count_threshold: 30 }],
      ]);
    });

    test('the health check path defaults to /', () => {
      expect(container(synth()).liveness_probe[0]!.path).toBe('/');
    });
  });

  describe('scale rules', () => {
    test('by default one rule holds average CPU at 70%', () => {
      const { template } = only(synth(), 'azurerm_container_app');
      expect(template.custom_scale_rule).toEqual([
        { name: 'cpu', custom_rule_type: 'cpu', metadata: { type: 'Utilization', value: '70' } },
      ]);
      expect(template.http_scale_rule).toBeUndefined();
    });

    test('concurrent requests, CPU and memory targets each add a rule', () => {
      const spec = serviceSpec({ autoscaling: { concurrentRequests: 50, cpuPercent: 60, memoryPercent: 80 } });
      const { template } = only(synth({ spec }), 'azurerm_container_app');
      expect(template.http_scale_rule).toEqual([{ name: 'http-requests', concurrent_requests: '50' }]);
      expect(template.custom_scale_rule).toEqual([
        { name: 'cpu', custom_rule_type: 'cpu', metadata: { type: 'Utilization', value: '60' } },
        { name: 'memory', custom_rule_type: 'memory', metadata: { type: 'Utilization', value: '80' } },
      ]);
    });
  });

  describe('secrets', () => {
    const withSecrets = () =>
      serviceSpec({
        environment: { LOG_LEVEL: 'info' },
        secrets: { DB_PASSWORD: 'db-password', API_TOKEN: 'Api-Token', DB_PASSWORD_OLD: 'db-password' },
      });

    test('one app secret per Key Vault secret, a versionless reference read with the identity', () => {
      const tf = synth({ spec: withSecrets() });
      const identity = `\${${addressOf(tf, 'azurerm_user_assigned_identity')}.id}`;
      expect(only(tf, 'azurerm_container_app').secret).toEqual([
        {
          name: 'api-token',
          key_vault_secret_id: 'https://kv-platform-dev.vault.azure.net/secrets/Api-Token',
          identity,
        },
        {
          name: 'db-password',
          key_vault_secret_id: 'https://kv-platform-dev.vault.azure.net/secrets/db-password',
          identity,
        },
      ]);
    });

    test('variables refer to their secret by secret_name, never by value', () => {
      expect(container(synth({ spec: withSecrets() })).env).toEqual([
        { name: 'LOG_LEVEL', value: 'info' },
        { name: 'API_TOKEN', secret_name: 'api-token' },
        { name: 'DB_PASSWORD', secret_name: 'db-password' },
        { name: 'DB_PASSWORD_OLD', secret_name: 'db-password' },
      ]);
    });

    test('the identity gets Key Vault Secrets User on the vault, once for the app', () => {
      const tf = synth({ spec: withSecrets() });
      expect(only(tf, 'azurerm_role_assignment')).toMatchObject({
        scope: KEY_VAULT,
        role_definition_name: 'Key Vault Secrets User',
        principal_id: `\${${addressOf(tf, 'azurerm_user_assigned_identity')}.principal_id}`,
        principal_type: 'ServicePrincipal',
        description: 'ca-dev-api reads the secrets it names',
      });
    });

    test('the app is created after the role assignment, since Azure reads the secrets when it starts a revision', () => {
      const tf = synth({ spec: withSecrets() });
      expect(only(tf, 'azurerm_container_app').depends_on).toEqual([addressOf(tf, 'azurerm_role_assignment')]);
    });

    test('a Key Vault known only at apply time: Terraform cuts its name out of the ID', () => {
      const outdir = mkdtempSync(join(tmpdir(), 'azure-service-'));
      try {
        const app = new App({ outdir });
        const stack = new TerraformStack(app, 'env');
        new AzurermProvider(stack, 'azurerm', { features: [{}] });
        const vault = new ResourceGroup(stack, 'stand-in', rg);
        new ContainerService(stack, 'service-api', {
          spec: serviceSpec({ secrets: { DB_PASSWORD: 'db-password' } }),
          environment: 'dev',
          resourceGroup: rg,
          containerAppsEnvironmentId: CAE_ID,
          keyVault: KeyVault.fromKeyVaultId(vault.id),
        });
        app.synth();
        const tf = readStackJson(outdir, 'env');
        expect(only(tf, 'azurerm_container_app').secret?.[0]?.key_vault_secret_id).toBe(
          'https://${lower(element(split("/", azurerm_resource_group.stand-in.id), 8))}.vault.azure.net/secrets/db-password',
        );
        expect(only(tf, 'azurerm_role_assignment').scope).toBe('${azurerm_resource_group.stand-in.id}');
      } finally {
        rmSync(outdir, { recursive: true, force: true });
      }
    });
  });

  describe('registry', () => {
    test('an image in Azure Container Registry is pulled with the identity', () => {
      const tf = synth({ spec: serviceSpec({ image: 'platformacr.azurecr.io/api:1.4.2' }) });
      expect(only(tf, 'azurerm_container_app').registry).toEqual([
        {
          server: 'platformacr.azurecr.io',
          identity: `\${${addressOf(tf, 'azurerm_user_assigned_identity')}.id}`,
        },
      ]);
    });

    test('an image built from a directory runs from its azureReference', () => {
      const spec = serviceSpec({
        image: { directory: 'services/api', azureReference: 'platformacr.azurecr.io/api:1.4.2' },
      });
      const tf = synth({ spec });
      expect(container(tf).image).toBe('platformacr.azurecr.io/api:1.4.2');
      expect(only(tf, 'azurerm_container_app').registry?.[0]?.server).toBe('platformacr.azurecr.io');
    });

    test('an image from another registry is pulled anonymously: no registry block', () => {
      expect(
        only(synth({ spec: serviceSpec({ image: 'ghcr.io/acme/api:2.0.0' }) }), 'azurerm_container_app').registry,
      ).toBeUndefined();
    });
  });

  describe('alerts', () => {
    const alert = (tf: TfStackJson, kind: string) =>
      all(tf, 'azurerm_monitor_metric_alert').find((a) => a.name === `platform-dev-service.api.${kind}`)!;
    const appId = (tf: TfStackJson) => `\${${addressOf(tf, 'azurerm_container_app')}.id}`;

    test('without monitoring: no alerts and no diagnostic setting', () => {
      const tf = synth();
      expect(all(tf, 'azurerm_monitor_metric_alert')).toEqual([]);
      expect(all(tf, 'azurerm_monitor_diagnostic_setting')).toEqual([]);
    });

    test('5xx-count, unhealthy, cpu, memory and running-below-desired, named platform-<env>-service.<name>.<kind>', () => {
      const names = all(synth({ monitoring: true }), 'azurerm_monitor_metric_alert')
        .map((a) => a.name)
        .filter((n) => n.includes('service.'));
      expect(names.sort()).toEqual([
        'platform-dev-service.api.5xx-count',
        'platform-dev-service.api.cpu',
        'platform-dev-service.api.memory',
        'platform-dev-service.api.running-below-desired',
        'platform-dev-service.api.unhealthy',
      ]);
    });

    test('5xx-count: a critical count of requests answered 5xx within 5 minutes (Container Apps give no rate)', () => {
      const tf = synth({ monitoring: true });
      const found = alert(tf, '5xx-count');
      expect(found).toMatchObject({ scopes: [appId(tf)], severity: 1, window_size: 'PT5M', frequency: 'PT5M' });
      expect(found.criteria).toEqual([
        {
          metric_namespace: 'Microsoft.App/containerApps',
          metric_name: 'Requests',
          aggregation: 'Total',
          operator: 'GreaterThanOrEqual',
          threshold: 10,
          dimension: [{ name: 'statusCodeCategory', operator: 'Include', values: ['5xx'] }],
        },
      ]);
      expect(found.description).toMatch(
        /^\[critical\] 10 or more requests to api were answered with a 5xx status within 5 minutes\. First response: /,
      );
    });

    test('unhealthy: critical when a replica restarted', () => {
      const found = alert(synth({ monitoring: true }), 'unhealthy');
      expect([found.severity, found.window_size]).toEqual([1, 'PT5M']);
      expect(found.criteria).toEqual([
        {
          metric_namespace: 'Microsoft.App/containerApps',
          metric_name: 'RestartCount',
          aggregation: 'Maximum',
          operator: 'GreaterThanOrEqual',
          threshold: 1,
        },
      ]);
    });

    test('cpu: average CpuPercentage above 90% of the CPU limit for 3 windows of 5 minutes, a warning', () => {
      const found = alert(synth({ monitoring: true }), 'cpu');
      expect([found.severity, found.window_size, found.frequency]).toEqual([2, 'PT15M', 'PT5M']);
      expect(found.criteria).toEqual([
        {
          metric_namespace: 'Microsoft.App/containerApps',
          metric_name: 'CpuPercentage',
          aggregation: 'Average',
          operator: 'GreaterThan',
          threshold: 90,
        },
      ]);
      expect(found.description).toMatch(/^\[warning\] A service used more than 90% of its CPU for 15 minutes\./);
    });

    test('memory: average MemoryPercentage above 90% of the memory limit, in percent like AWS', () => {
      const found = alert(synth({ monitoring: true, spec: serviceSpec({ cpu: 1, memoryGiB: 2 }) }), 'memory');
      expect([found.severity, found.window_size]).toEqual([2, 'PT15M']);
      expect(found.criteria).toEqual([
        {
          metric_namespace: 'Microsoft.App/containerApps',
          metric_name: 'MemoryPercentage',
          aggregation: 'Average',
          operator: 'GreaterThan',
          threshold: 90,
        },
      ]);
    });

    test('running-below-desired: critical when the most replicas seen in 5 minutes is below minCount', () => {
      const found = alert(
        synth({ monitoring: true, spec: serviceSpec({ minCount: 3, maxCount: 6 }) }),
        'running-below-desired',
      );
      expect([found.severity, found.window_size]).toEqual([1, 'PT5M']);
      expect(found.criteria).toEqual([
        {
          metric_namespace: 'Microsoft.App/containerApps',
          metric_name: 'Replicas',
          aggregation: 'Maximum',
          operator: 'LessThan',
          threshold: 3,
        },
      ]);
      expect(found.description).toMatch(/^\[critical\] api ran fewer than its minimum of 3 replicas for 5 minutes\./);
    });

    test('latency-p99 exists on AWS only: a spec override of it is accepted, and no alert is made', () => {
      const env = envWith([API], devInput(), {
        monitoring: { alarms: { 'service/api/latency-p99': { threshold: 2 } } },
      });
      const names = all(synth({ env, monitoring: true }), 'azurerm_monitor_metric_alert').map((a) => a.name);
      expect(names).not.toContain('platform-dev-service.api.latency-p99');
    });

    test('the spec tunes the 5xx count and switches the memory alert off', () => {
      const env = envWith([API], devInput(), {
        monitoring: {
          alarms: {
            'service/api/5xx-count': { threshold: 25 },
            'service/api/memory': { enabled: false, reason: 'A cache that fills memory on purpose' },
          },
        },
      });
      const tf = synth({ env, monitoring: true });
      expect(alert(tf, '5xx-count').criteria[0].threshold).toBe(25);
      expect(alert(tf, 'memory')).toBeUndefined();
    });

    test('a diagnostic setting sends the app metrics to the workspace', () => {
      const tf = synth({ monitoring: true });
      const setting = all(tf, 'azurerm_monitor_diagnostic_setting').find((s) => s.target_resource_id === appId(tf));
      expect(setting).toEqual({
        '//': expect.any(Object) as unknown,
        name: 'platform-diagnostics',
        target_resource_id: appId(tf),
        log_analytics_workspace_id: expect.stringMatching(
          /^\$\{azurerm_log_analytics_workspace\.[^.]+\.id\}$/,
        ) as unknown,
        enabled_metric: [{ category: 'AllMetrics' }],
      });
    });

    test('a workbook section charts requests, replicas, CPU and memory against the limits, and console log lines', () => {
      const [book] = all(synth({ monitoring: true }), 'azurerm_application_insights_workbook');
      const data = JSON.parse(book!.data_json) as WorkbookData;
      const start = data.items.findIndex((i) => i.content.json === '## Services: api');
      expect(start).toBeGreaterThan(0);
      const section = data.items.slice(start + 1, start + 6).map((i) => [i.content.title, i.content.query]);
      const metric = (name: string) =>
        `AzureMetrics | where ResourceProvider == "MICROSOFT.APP" and Resource =~ "ca-dev-api" and MetricName == "${name}"`;
      expect(section).toEqual([
        ['Requests', `${metric('Requests')} | summarize requests = sum(Total) by bin(TimeGenerated, 5m)`],
        ['Replicas', `${metric('Replicas')} | summarize replicas = max(Maximum) by bin(TimeGenerated, 5m)`],
        [
          'CPU used (% of limit)',
          `${metric('UsageNanoCores')} | summarize used = round(100.0 * avg(Average) / 500000000, 1) by bin(TimeGenerated, 5m)`,
        ],
        [
          'Memory used (% of limit)',
          `${metric('WorkingSetBytes')} | summarize used = round(100.0 * avg(Average) / 1073741824, 1) by bin(TimeGenerated, 5m)`,
        ],
        [
          'Console log lines',
          'ContainerAppConsoleLogs | where ContainerAppName == "ca-dev-api" | summarize lines = count() by bin(TimeGenerated, 5m)',
        ],
      ]);
    });

    test('the workbook items are a pure rendering of the target', () => {
      const items = renderServiceWorkbookItems({
        name: 'web',
        containerAppId: 'id',
        containerAppName: 'ca-prod-web',
        cpu: 2,
        memoryGiB: 4,
        minCount: 2,
      });
      expect(items.map((i) => (i.type === 'query' ? i.visualization : i.type))).toEqual(Array(5).fill('timechart'));
    });
  });

  describe('guardrails', () => {
    /** A production-tier stack composed like the environment stacks, with a service that has secrets and an ACR image. */
    function productionApp(
      outdir: string,
      skipValidation: boolean,
      customize: (service: ContainerService) => void = () => undefined,
    ): App {
      const env = envWith(
        [
          {
            ...API,
            image: 'platformacr.azurecr.io/api:1.4.2',
            public: true,
            environment: { LOG_LEVEL: 'info' },
            secrets: { DB_PASSWORD: 'db-password' },
          },
        ],
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
          customize(
            new ContainerService(stack, 'service-api', {
              spec: env.services[0]!,
              environment: env.name,
              resourceGroup: prodRg,
              containerAppsEnvironmentId: apps.id,
              monitoring,
              keyVault: KeyVault.fromKeyVaultId(env.azure.keyVaultId!),
            }),
          );
        },
        { skipValidation },
      );
    }

    let outdir: string;
    beforeEach(() => {
      outdir = mkdtempSync(join(tmpdir(), 'azure-service-policy-'));
    });
    afterEach(() => rmSync(outdir, { recursive: true, force: true }));

    test('a production stack with a service has no finding at all', () => {
      productionApp(outdir, true).synth();
      const tf = readStackJson(outdir, 'env');
      expect(checkTerraform(tf, { tier: 'production', rules: AZURE_RULES })).toEqual([]);
      const acknowledged = Object.values(tf.resource).flatMap((byName) =>
        Object.values(byName).filter((block) => block['//']?.acknowledged !== undefined),
      );
      expect(acknowledged).toEqual([]);
      expect(only(tf, 'azurerm_container_app').template.min_replicas).toBe(2);
    });

    test('a public production service that accepts plain HTTP fails synthesis until the team acknowledges it', () => {
      const plainHttp = (service: ContainerService) =>
        service.containerApp.addOverride('ingress.allow_insecure_connections', true);
      const error = errorOf(() => productionApp(outdir, false, plainHttp).synth());
      expect(error).toBeInstanceOf(PolicyError);
      expect(error.message).toMatch(
        /\[error\] PC_AZURE_CONTAINER_APP_HTTPS_ONLY at env\/service-api\/Resource: azurerm_container_app\.\S+ \(container app ca-prod-api\) sets ingress\.allow_insecure_connections = true: set ingress\.allow_insecure_connections = false/,
      );
      expect(readdirSync(join(outdir, 'stacks'))).toEqual([]);

      const reason =
        'Served only to the health prober of the load balancer in front, which speaks HTTP inside the VNet';
      productionApp(outdir, false, (service) => {
        plainHttp(service);
        acknowledge(service, 'PC_AZURE_CONTAINER_APP_HTTPS_ONLY', reason);
      }).synth();
      const apps = Object.values(readStackJson(outdir, 'env').resource.azurerm_container_app ?? {});
      expect(apps.map((app) => app['//']?.acknowledged)).toEqual([{ PC_AZURE_CONTAINER_APP_HTTPS_ONLY: reason }]);
    });

    test('PolicyChecks lets the production synthesis through, and the environment tags reach the app', () => {
      productionApp(outdir, false).synth();
      const tags = only(readStackJson(outdir, 'env'), 'azurerm_container_app').tags;
      expect(tags).toMatchObject({ environment: 'prod', owner: 'platform-team', 'managed-by': 'platform-constructs' });
    });
  });

  describe('validation', () => {
    const build =
      (spec: Partial<ServiceSpec>, props: Partial<ContainerServiceProps> = {}) =>
      () =>
        new ContainerService(new TerraformStack(new App(), 'env'), 'service-api', {
          spec: { ...serviceSpec(), ...spec },
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
      expect(build({}, { keyVault })).toThrow(
        /keyVault\.keyVaultId: "kv-platform-dev" - a Key Vault resource ID: \/subscriptions\/<id>/,
      );
    });

    test('a secret name a container app cannot hold is refused', () => {
      expect(
        build({ secrets: { DB_PASSWORD: '-db-password' } }, { keyVault: KeyVault.fromKeyVaultId(KEY_VAULT) }),
      ).toThrow(
        /spec\.secrets\.DB_PASSWORD: "-db-password" - a secret name of letters, digits and hyphens that starts and ends with a letter or digit/,
      );
    });

    test('a variable both plain and secret is refused', () => {
      expect(
        build(
          { environment: { DB_PASSWORD: 'x' }, secrets: { DB_PASSWORD: 'db-password' } },
          { keyVault: KeyVault.fromKeyVaultId(KEY_VAULT) },
        ),
      ).toThrow(/spec\.secrets\.DB_PASSWORD: "DB_PASSWORD" - a variable that is not also in environment/);
    });

    test('a CPU and memory pair Container Apps do not run is refused', () => {
      expect(build({ cpu: 0.5, memoryGiB: 2 })).toThrow(
        /spec\.memoryGiB: \{"cpu":0\.5,"memoryGiB":2\} - Azure Container Apps need memory = 2 x cpu/,
      );
    });

    test('a port outside 1-65535 is refused', () => {
      expect(build({ port: 70000 })).toThrow(/spec\.port: 70000 - a port from 1 to 65535/);
    });

    test('a health check path that is not absolute is refused', () => {
      expect(build({ healthCheckPath: 'healthz' })).toThrow(/spec\.healthCheckPath: "healthz" - an absolute URL path/);
    });

    test('fewer than one replica is refused', () => {
      expect(build({ minCount: 0, desiredCount: 1 })).toThrow(/spec\.minCount: 0 - at least 1$/m);
    });

    test('more than 100 replicas are refused, as the spec refuses them', () => {
      expect(build({ maxCount: 101 })).toThrow(/spec\.maxCount: 101 - at most 100$/m);
      expect(() => defineEnvironment({ ...devInput(), services: [{ ...API, maxCount: 101 }] })).toThrow(
        /services\[0\]\.maxCount: 101 - at most 100/,
      );
    });

    test('100 replicas, the most the spec takes, are accepted', () => {
      expect(build({ maxCount: 100 })).not.toThrow();
    });

    test('minCount above maxCount is refused', () => {
      expect(build({ minCount: 3, maxCount: 2 })).toThrow(/spec\.minCount: 3 - at most maxCount \(2\)$/m);
    });

    test('a desired count outside minCount to maxCount is refused', () => {
      expect(build({ minCount: 1, desiredCount: 5, maxCount: 4 })).toThrow(
        /spec\.desiredCount: 5 - from minCount \(1\) to maxCount \(4\)$/m,
      );
    });

    test('an image reference without tag or digest is refused', () => {
      expect(build({ image: { reference: 'nginx' } })).toThrow(/spec\.image: "nginx" - an image reference/);
    });

    test('an azureReference without tag or digest is refused at its path', () => {
      expect(build({ image: { directory: 'services/api', azureReference: 'platformacr.azurecr.io/api' } })).toThrow(
        /spec\.image\.azureReference: "platformacr\.azurecr\.io\/api" - an image reference/,
      );
    });

    test('autoscaling targets outside the ranges the spec takes are refused, in its words', () => {
      const message = errorOf(
        build({ autoscaling: { concurrentRequests: 0, cpuPercent: 96, memoryPercent: 5 } }),
      ).message;
      expect(message).toMatch(/^Invalid ContainerService props \(api\) \(3 problems\):/);
      expect(message).toContain('  - spec.autoscaling.cpuPercent: 96 - a target from 10 to 95 percent\n');
      expect(message).toContain('  - spec.autoscaling.memoryPercent: 5 - a target from 10 to 95 percent\n');
      expect(message).toContain('  - spec.autoscaling.concurrentRequests: 0 - at least 1');
      expect(() =>
        defineEnvironment({ ...devInput(), services: [{ ...API, autoscaling: { cpuPercent: 96 } }] }),
      ).toThrow(/services\[0\]\.autoscaling\.cpuPercent: 96 - a target from 10 to 95 percent/);
    });

    test('autoscaling targets at the edges of the ranges are accepted', () => {
      expect(build({ autoscaling: { cpuPercent: 10, memoryPercent: 95, concurrentRequests: 10000 } })).not.toThrow();
    });

    test('a name that is no environment name is refused', () => {
      expect(build({}, { environment: 'Prod' })).toThrow(/environment: "Prod" - an environment name/);
    });

    test('a service name that is not kebab-case is refused', () => {
      expect(build({ name: 'API_1' })).toThrow(/spec\.name: "API_1" - a kebab-case name of 2-20/);
    });

    test('an empty Container Apps environment ID is refused', () => {
      expect(build({}, { containerAppsEnvironmentId: '' })).toThrow(
        /containerAppsEnvironmentId: "" - a Container Apps environment resource ID/,
      );
    });

    test('a Container Apps environment ID that names no environment is refused', () => {
      expect(build({}, { containerAppsEnvironmentId: 'cae-platform-dev' })).toThrow(
        /containerAppsEnvironmentId: "cae-platform-dev" - a Container Apps environment resource ID \(\/subscriptions\/\.\.\.\/providers\/Microsoft\.App\/managedEnvironments\/<name>\)/,
      );
    });

    test('every problem is reported at once, titled with the service', () => {
      const message = errorOf(build({ port: 0, minCount: 0 })).message;
      expect(message).toMatch(/^Invalid ContainerService props \(api\) \(2 problems\):/);
    });
  });
});
