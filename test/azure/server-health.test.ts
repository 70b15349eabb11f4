import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { App, TerraformStack } from 'cdktf';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import {
  AZURE_RULES,
  AZURE_SERVER_HEALTH_LOG,
  checkTerraform,
  decideProtection,
  Monitoring,
  renderHealthReport,
  renderServerHealthQuery,
  renderServerUserData,
  Server,
  SERVER_SYSLOG,
  serverHealthWindowMinutes,
} from '../../lib/azure';
import {
  configurationFor,
  defineEnvironment,
  HEALTH_PROBE_PATH,
  HEALTH_PROBE_UNITS,
  renderCloudInit,
  SERVER_HEALTH_ALARM,
  type Environment,
  type EnvironmentInput,
  type ServerHealthCheck,
  type ServerSpec,
} from '../../lib/core';
import { productionApp } from '../util/azure-production';
import { devInput, errorOf, prodInput } from '../util/fixtures';
import { readStackJson, type TfStackJson } from '../util/terraform';
import { schemaProblems, type StackJson } from '../util/provider-schema';

const run = promisify(execFile);

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq1Hbr4i1J9wY0l3hZ6pYc3c2hQ5JbW8B9m3v3kq5p0 break-glass';
const SUBNET =
  '/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/snet-workloads';
const rg = { name: 'rg-platform-dev-weu', location: 'westeurope' };
const HEALTHZ: ServerHealthCheck = { port: 80, path: '/healthz' };
const WEB_VMS = ['vm-platform-dev-web-1', 'vm-platform-dev-web-2'];

type ServerInput = NonNullable<EnvironmentInput['servers']>[number];
const WEB: ServerInput = { name: 'web', size: 'medium', count: 2, configuration: { packages: ['nginx'] } };
const OPS: ServerInput = { name: 'ops', size: 'small', count: 1 };

function envWith(servers: ServerInput[], extra: Partial<EnvironmentInput> = {}, base = devInput()): Environment {
  return defineEnvironment({ ...base, azure: { ...base.azure, adminSshPublicKey: KEY }, servers, ...extra });
}

/** The environment's server definitions, with `check` on the named ones (ServerSpec objects built directly). */
function specsOf(env: Environment, healthy: readonly string[], check: ServerHealthCheck = HEALTHZ): ServerSpec[] {
  return env.servers.map((s): ServerSpec => (healthy.includes(s.name) ? { ...s, healthCheck: check } : s));
}

/** Synthesizes the environment's monitoring and one Server per given definition. */
function synth(env: Environment, specs: readonly ServerSpec[] = env.servers): TfStackJson {
  const outdir = fs.mkdtempSync(path.join(tmpdir(), 'azure-server-health-'));
  try {
    const app = new App({ outdir });
    const stack = new TerraformStack(app, 'env');
    new AzurermProvider(stack, 'azurerm', { features: [{}] });
    decideProtection(stack, env.tier);
    const monitoring = new Monitoring(stack, 'monitoring', { spec: env.monitoring, name: env.name, resourceGroup: rg });
    for (const spec of specs) {
      new Server(stack, `server-${spec.name}`, {
        spec,
        environment: env.name,
        resourceGroup: rg,
        subnetId: SUBNET,
        zones: 2,
        adminSshPublicKey: KEY,
        monitoring,
      });
    }
    app.synth();
    return readStackJson(outdir, 'env');
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

type Resource = Record<string, unknown>;
const resources = (tf: TfStackJson, type: string): Record<string, Resource> =>
  (tf.resource[type] ?? {}) as Record<string, Resource>;

interface QueryAlert {
  readonly name: string;
  readonly severity: number;
  readonly scopes: string[];
  readonly evaluation_frequency: string;
  readonly window_duration: string;
  readonly auto_mitigation_enabled: boolean;
  readonly description: string;
  readonly query_time_range_override?: string;
  readonly action: { readonly action_groups: string[] };
  readonly criteria: readonly {
    readonly query: string;
    readonly time_aggregation_method: string;
    readonly operator: string;
    readonly threshold: number;
    readonly metric_measure_column?: string;
    readonly dimension?: readonly { readonly name: string; readonly operator: string; readonly values: string[] }[];
    readonly failing_periods: {
      readonly minimum_failing_periods_to_trigger_alert: number;
      readonly number_of_evaluation_periods: number;
    };
  }[];
}

function alertsOf(tf: TfStackJson): Record<string, QueryAlert> {
  const all = resources(tf, 'azurerm_monitor_scheduled_query_rules_alert_v2') as unknown as Record<string, QueryAlert>;
  return Object.fromEntries(Object.values(all).map((a) => [a.name, a]));
}

function healthAlert(tf: TfStackJson, server = 'web'): QueryAlert {
  const alert = alertsOf(tf)[`platform-dev-server.${server}.health`];
  if (!alert) throw new Error(`no health alert for ${server}`);
  return alert;
}

interface CloudConfig {
  readonly packages?: string[];
  readonly write_files?: {
    readonly path: string;
    readonly content: string;
    readonly encoding?: string;
    readonly permissions?: string;
  }[];
  readonly runcmd?: string[][];
}

/** The decoded user_data of the VMs of a definition (all VMs of one definition carry the same). */
function userDataOf(tf: TfStackJson, server: string): string[] {
  return Object.values(resources(tf, 'azurerm_linux_virtual_machine'))
    .filter((vm) => String(vm.name).startsWith(`vm-platform-dev-${server}-`))
    .map((vm) => Buffer.from(String(vm.user_data), 'base64').toString('utf8'));
}

/** The files the cloud-config writes, by path, their content decoded (the Azure rendering encodes it in base64). */
function filesOf(config: CloudConfig): Record<string, { content: string; permissions?: string }> {
  return Object.fromEntries(
    (config.write_files ?? []).map((f) => [
      f.path,
      { ...f, content: f.encoding === 'b64' ? Buffer.from(f.content, 'base64').toString('utf8') : f.content },
    ]),
  );
}

/** The health probe script in a definition's user data. */
function probeOf(tf: TfStackJson, server: string): string {
  return filesOf(parse(userDataOf(tf, server)[0]!) as CloudConfig)[HEALTH_PROBE_PATH]?.content ?? '(no probe)';
}

/** Everything a Server construct synthesized, by address, for the server named `server`. */
function resourcesOfServer(tf: TfStackJson, server: string): Record<string, Resource> {
  const out: Record<string, Resource> = {};
  for (const [type, byName] of Object.entries(tf.resource)) {
    for (const [name, block] of Object.entries(byName as Record<string, Resource>)) {
      const pathOf = (block['//'] as { metadata?: { path?: string } } | undefined)?.metadata?.path ?? '';
      if (pathOf.includes(`/server-${server}/`)) out[`${type}.${name}`] = block;
    }
  }
  return out;
}

describe('Server health check (Azure)', () => {
  let endpoint: http.Server;
  let status = 200;
  let check: ServerHealthCheck;
  let env: Environment;
  let plain: TfStackJson;
  let built: TfStackJson;

  beforeAll(async () => {
    // The endpoint the probe in the synthesized user data requests, on the test machine.
    endpoint = http.createServer((request, response) => {
      response.writeHead(request.url === '/healthz' ? status : 404).end();
    });
    await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
    check = { port: (endpoint.address() as AddressInfo).port, path: '/healthz' };
    env = envWith([WEB, OPS]);
    plain = synth(env);
    built = synth(env, specsOf(env, ['web'], check));
  });
  afterAll(async () => {
    await new Promise((resolve) => endpoint.close(resolve));
  });

  describe('the probe in the user data', () => {
    test('the cloud-config installs curl and writes the probe script, its service and a one-minute timer', () => {
      const texts = userDataOf(built, 'web');
      expect(texts).toHaveLength(2);
      expect(new Set(texts).size).toBe(1);
      const config = parse(texts[0]!) as CloudConfig;
      const files = filesOf(config);
      expect(config.packages).toEqual(['curl', 'nginx']);
      expect(Object.keys(files)).toEqual([
        HEALTH_PROBE_PATH,
        `/etc/systemd/system/${HEALTH_PROBE_UNITS.service}`,
        `/etc/systemd/system/${HEALTH_PROBE_UNITS.timer}`,
      ]);
      expect(files[HEALTH_PROBE_PATH]!.permissions).toBe('0755');
      expect(files[HEALTH_PROBE_PATH]!.content).toContain(`'http://127.0.0.1:${check.port}/healthz'`);
      expect(files[`/etc/systemd/system/${HEALTH_PROBE_UNITS.timer}`]!.content).toContain('OnUnitActiveSec=1min\n');
      expect(config.runcmd).toEqual([
        ['sh', '-c', '--', 'systemctl daemon-reload'],
        ['systemctl', 'enable', '--now', '--', HEALTH_PROBE_UNITS.timer],
      ]);
    });

    test('the probe reports health=$HEALTH to syslog with logger, tag platform-health, at user.notice', () => {
      const probe = probeOf(built, 'web');
      expect(probe.startsWith('#!/bin/bash\n')).toBe(true);
      expect(probe.split('\n').slice(-2)).toEqual(['logger -t platform-health -p user.notice "health=$HEALTH"', '']);
      expect(renderHealthReport()).toEqual(['logger -t platform-health -p user.notice "health=$HEALTH"']);
    });

    test('the synthesized probe logs health=1 while the endpoint answers and health=0 once it fails', async () => {
      const probe = probeOf(built, 'web');
      const bin = fs.mkdtempSync(path.join(tmpdir(), 'fake-logger-'));
      try {
        // A logger that records its arguments, one per line, instead of writing to syslog.
        const log = path.join(bin, 'calls');
        fs.writeFileSync(path.join(bin, 'logger'), `#!/bin/bash\nprintf '%s\\n' "$@" >> '${log}'\n`, { mode: 0o755 });
        const once = async (): Promise<string[]> => {
          fs.rmSync(log, { force: true });
          await run('bash', ['-c', probe], { env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` } });
          return fs.readFileSync(log, 'utf8').trim().split('\n');
        };
        status = 200;
        expect(await once()).toEqual(['-t', 'platform-health', '-p', 'user.notice', 'health=1']);
        status = 503;
        expect(await once()).toEqual(['-t', 'platform-health', '-p', 'user.notice', 'health=0']);
      } finally {
        status = 200;
        fs.rmSync(bin, { recursive: true, force: true });
      }
    });

    test('renderServerUserData adds the probe exactly when the definition has a health check', () => {
      const [web] = specsOf(env, ['web']);
      const configuration = configurationFor(web!.configuration, web!.ansible, 'azure');
      expect(renderServerUserData({ ...web!, healthCheck: undefined })).toBe(
        renderCloudInit(configuration, web!.os.azure),
      );
      expect(renderServerUserData(web!)).toContain(HEALTH_PROBE_PATH);
    });
  });

  describe('the data collection rule', () => {
    test('collects the reports: user from Info up, which holds notice, into the Syslog stream to the workspace', () => {
      const rule = Object.values(resources(built, 'azurerm_monitor_data_collection_rule')).find((r) =>
        String(r.name).includes('-web'),
      )!;
      const syslog = (rule.data_sources as { syslog: { facility_names: string[]; log_levels: string[] }[] }).syslog;
      const collecting = syslog.filter(
        (s) => s.facility_names.includes(AZURE_SERVER_HEALTH_LOG.facility) && s.log_levels.includes('Notice'),
      );
      expect(collecting).toHaveLength(1);
      expect(collecting[0]).toMatchObject({ streams: ['Microsoft-Syslog'] });
      expect(rule.data_flow).toContainEqual({ streams: ['Microsoft-Syslog'], destinations: ['workspace'] });
      expect(SERVER_SYSLOG.find((s) => s.name === 'services')?.logLevels).toContain('Notice');
    });
  });

  describe('the health alert', () => {
    test('one critical log alert per definition with a health check, evaluated every minute over a 5-minute window', () => {
      const alert = healthAlert(built);
      expect(alert).toMatchObject({
        severity: 1,
        evaluation_frequency: 'PT1M',
        window_duration: 'PT5M',
        auto_mitigation_enabled: true,
      });
      expect('query_time_range_override' in alert).toBe(false);
      expect(Object.keys(alertsOf(built)).filter((n) => n.endsWith('.health'))).toEqual([
        'platform-dev-server.web.health',
      ]);
    });

    test('per computer: the best minute of healthy probes below 1, in one failing window', () => {
      expect(healthAlert(built).criteria[0]).toMatchObject({
        time_aggregation_method: 'Maximum',
        operator: 'LessThan',
        threshold: 1,
        metric_measure_column: 'Health',
        dimension: [{ name: 'Computer', operator: 'Include', values: ['*'] }],
        failing_periods: { minimum_failing_periods_to_trigger_alert: 1, number_of_evaluation_periods: 1 },
      });
    });

    test('the query names every computer of the definition and gives one that reported nothing a Health of 0', () => {
      const query = healthAlert(built).criteria[0]!.query;
      expect(query).toBe(renderServerHealthQuery(WEB_VMS, SERVER_HEALTH_ALARM.evaluationMinutes));
      const lines = query.split('\n');
      // The computers come from the definition, not from the data: a silent server still has a row.
      expect(lines[0]).toBe(`let computers = dynamic(${JSON.stringify(WEB_VMS).replaceAll(',', ', ')});`);
      expect(lines.slice(-4)).toEqual([
        'print Computer = computers',
        '| mv-expand Computer to typeof(string)',
        '| join kind=leftouter health on Computer',
        '| project TimeGenerated = ago(150s), Computer, Health = coalesce(Health, 0.0)',
      ]);
    });

    test('the query judges the 3 minutes that ended a minute ago, by the probe reports of the Syslog table', () => {
      const query = healthAlert(built).criteria[0]!.query;
      expect(query).toContain(
        [
          'let health = Syslog',
          '    | where TimeGenerated >= ago(4m) and TimeGenerated < ago(1m)',
          '    | where Computer in (computers) and Facility == "user" and ProcessName == "platform-health"',
          '    | extend Healthy = toint(extract("health=([01])", 1, SyslogMessage))',
          '    | where isnotnull(Healthy)',
          '    | summarize Share = avg(Healthy) by Computer, Minute = bin_at(TimeGenerated, 1m, ago(1m))',
          '    | summarize Health = max(Share) by Computer;',
        ].join('\n'),
      );
    });

    test('the query runs in a rule evaluated every minute: no union, search, take or ingestion_time()', () => {
      const query = healthAlert(built).criteria[0]!.query;
      expect(query).not.toMatch(/\b(union|search|take|limit)\b|ingestion_time\(/);
      // Balanced brackets and quotes: a cheap guard against a broken template.
      expect((query.match(/\(/g) ?? []).length).toBe((query.match(/\)/g) ?? []).length);
      expect((query.match(/\[/g) ?? []).length).toBe((query.match(/]/g) ?? []).length);
      expect((query.match(/"/g) ?? []).length % 2).toBe(0);
    });

    test('it runs over the workspace and notifies the critical action group', () => {
      const alert = healthAlert(built);
      const workspace = Object.keys(resources(built, 'azurerm_log_analytics_workspace'));
      expect(alert.scopes).toEqual([`\${azurerm_log_analytics_workspace.${workspace[0] ?? '(none)'}.id}`]);
      const critical = Object.entries(resources(built, 'azurerm_monitor_action_group')).find(([, group]) =>
        String(group.name).endsWith('-critical'),
      );
      expect(alert.action.action_groups).toEqual([`\${azurerm_monitor_action_group.${critical?.[0] ?? '(none)'}.id}`]);
    });

    test('its description names the endpoint and the first response', () => {
      expect(healthAlert(built).description).toBe(
        `[critical] ${SERVER_HEALTH_ALARM.description('web', check.port, '/healthz')} First response: ${SERVER_HEALTH_ALARM.firstResponse}`,
      );
    });

    test('the workbook charts the healthy share of probes per computer for the definition with a health check', () => {
      const workbook = Object.values(resources(built, 'azurerm_application_insights_workbook'))[0]!;
      const data = String(workbook.data_json);
      expect(data).toContain('Healthy share of probes (0-1)');
      expect(data.match(/Healthy share of probes/g)).toHaveLength(1);
      const plainData = String(Object.values(resources(plain, 'azurerm_application_insights_workbook'))[0]!.data_json);
      expect(plainData).not.toContain('Healthy share of probes');
    });
  });

  describe('a definition without healthCheck', () => {
    test('is synthesized exactly as before: the same resources, no probe, no health alert', () => {
      const before = resourcesOfServer(plain, 'ops');
      expect(Object.keys(before).length).toBeGreaterThan(5);
      expect(resourcesOfServer(built, 'ops')).toEqual(before);
      expect(userDataOf(built, 'ops').join('\n')).not.toContain('platform-health');
      expect(Object.keys(alertsOf(plain)).filter((n) => n.endsWith('.health'))).toEqual([]);
      expect(Object.keys(alertsOf(built))).not.toContain('platform-dev-server.ops.health');
    });
  });
});

describe('Server health alert tuning (Azure)', () => {
  test('a spec override of the periods changes the judged minutes, the window and nothing else', () => {
    const env = envWith([WEB], { monitoring: { alarms: { 'server/web/health': { evaluationPeriods: 5 } } } });
    const alert = healthAlert(synth(env, specsOf(env, ['web'])));
    expect(alert.criteria[0]!.query).toBe(renderServerHealthQuery(WEB_VMS, 5));
    expect(alert.criteria[0]!.query).toContain('TimeGenerated >= ago(6m) and TimeGenerated < ago(1m)');
    expect([alert.window_duration, alert.evaluation_frequency]).toEqual(['PT10M', 'PT1M']);
    expect(alert.criteria[0]!.failing_periods).toEqual({
      minimum_failing_periods_to_trigger_alert: 1,
      number_of_evaluation_periods: 1,
    });
  });

  test('a spec override of the threshold and severity reaches the alert', () => {
    const env = envWith([WEB], {
      monitoring: { alarms: { 'server/web/health': { threshold: 0.5, severity: 'warning' } } },
    });
    const alert = healthAlert(synth(env, specsOf(env, ['web'])));
    expect([alert.criteria[0]!.threshold, alert.severity]).toEqual([0.5, 2]);
  });

  test('the spec may switch the health alert off with a reason', () => {
    const env = envWith([WEB], {
      monitoring: {
        alarms: { 'server/web/health': { enabled: false, reason: 'The endpoint is probed by the balancer' } },
      },
    });
    const tf = synth(env, specsOf(env, ['web']));
    expect(Object.keys(alertsOf(tf)).filter((n) => n.endsWith('.health'))).toEqual([]);
    expect(probeOf(tf, 'web')).toContain('logger -t platform-health');
  });

  test('the spec refuses more than 6 periods (Azure evaluates at most 6), so the window always fits', () => {
    expect(
      errorOf(() => envWith([WEB], { monitoring: { alarms: { 'server/web/health': { evaluationPeriods: 7 } } } }))
        .message,
    ).toMatch(/server\/web\/health\.evaluationPeriods: 7 - at most 6/);
    expect(serverHealthWindowMinutes(6)).toBe(10);
  });

  test('a monitoring spec built by hand with more minutes than a window holds is refused, naming the alarm', () => {
    const env = envWith([WEB]);
    const hand: Environment = {
      ...env,
      monitoring: { ...env.monitoring, alarms: { 'server/web/health': { evaluationPeriods: 60 } } },
    };
    expect(errorOf(() => synth(hand, specsOf(hand, ['web']))).message).toMatch(
      /server\/web\/health\.evaluationPeriods: 60 - at most 59 minutes/,
    );
  });

  test('serverHealthWindowMinutes: the shortest window Azure accepts for the minutes and the allowance', () => {
    expect([1, 3, 4, 5, 9, 14, 59, 60].map(serverHealthWindowMinutes)).toEqual([5, 5, 5, 10, 10, 15, 60, undefined]);
  });
});

describe('Server health check from the spec (Azure)', () => {
  test('a healthCheck written in the spec reaches the probe and the alert', () => {
    const env = envWith([{ ...WEB, healthCheck: { port: 8080, path: '/status' } }]);
    const tf = synth(env);
    expect(probeOf(tf, 'web')).toContain(`'http://127.0.0.1:8080/status'`);
    expect(healthAlert(tf).description).toContain('http://127.0.0.1:8080/status');
  });
});

describe('Server health check validation (Azure)', () => {
  const env = envWith([WEB]);
  const serverWith = (healthCheck: ServerHealthCheck) => (): TfStackJson =>
    synth(env, [{ ...env.servers[0]!, healthCheck }]);

  test('a port outside 1-65535 is refused, naming spec.healthCheck.port', () => {
    expect(errorOf(serverWith({ port: 0, path: '/healthz' })).message).toMatch(/spec\.healthCheck\.port: 0 - .*65535/);
  });

  test('a path not starting with / or holding a space is refused, naming spec.healthCheck.path', () => {
    expect(errorOf(serverWith({ port: 80, path: 'healthz' })).message).toMatch(
      /spec\.healthCheck\.path: "healthz" - an absolute URL path such as \/healthz/,
    );
    expect(errorOf(serverWith({ port: 80, path: '/health z' })).message).toMatch(/spec\.healthCheck\.path/);
  });

  test('every problem is reported at once', () => {
    const message = errorOf(serverWith({ port: 70000, path: '' })).message;
    expect(message).toMatch(/healthCheck\.port: 70000/);
    expect(message).toMatch(/healthCheck\.path: ""/);
  });
});

describe.each(['development', 'production'] as const)('Server health check guardrails and schema (%s)', (tier) => {
  let tf: TfStackJson;
  let json: StackJson;
  let name: string;
  beforeAll(() => {
    const env = envWith([WEB, OPS], {}, tier === 'production' ? prodInput() : devInput());
    const outdir = fs.mkdtempSync(path.join(tmpdir(), 'azure-server-health-policy-'));
    try {
      productionApp(
        env,
        outdir,
        ({ stack, resourceGroup, monitoring, network }) => {
          for (const spec of specsOf(env, ['web', 'ops'])) {
            new Server(stack, `server-${spec.name}`, {
              spec,
              environment: env.name,
              resourceGroup,
              subnetId: network.subnets.workloads.id,
              zones: env.network.zones,
              adminSshPublicKey: KEY,
              monitoring,
            });
          }
        },
        { skipValidation: true },
      ).synth();
      name = env.name;
      tf = readStackJson(outdir, 'env');
      json = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'env', 'cdk.tf.json'), 'utf8')) as StackJson;
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test(`the rule pack finds nothing in ${tier} but, in production, the VM backups that issue 7 brings`, () => {
    const findings = checkTerraform(tf, { tier, rules: AZURE_RULES }).map((f) => `${f.ruleId} ${f.address}`);
    const vms = Object.keys(resources(tf, 'azurerm_linux_virtual_machine'));
    expect(vms).toHaveLength(3);
    expect(findings).toEqual(
      tier === 'production' ? vms.map((vm) => `PC_AZURE_VM_BACKUP azurerm_linux_virtual_machine.${vm}`) : [],
    );
    const alerts = Object.values(resources(tf, 'azurerm_monitor_scheduled_query_rules_alert_v2'))
      .map((a) => String(a.name))
      .filter((n) => n.endsWith('.health'));
    expect(alerts.sort()).toEqual([`platform-${name}-server.ops.health`, `platform-${name}-server.web.health`]);
  });

  test('the cdk.tf.json is valid against the azurerm 4.55.0 provider schema', () => {
    expect(schemaProblems(json)).toEqual([]);
  });
});

// --- The azurerm 4.55.0 schema check, as test/azure/application.test.ts does it ---------------------------------
