import { execFile } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { App, type CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, NIST80053R5Checks, type NagPack } from 'cdk-nag';
import { parse } from 'yaml';
import {
  AWS_SERVER_HEALTH_METRIC,
  Monitoring,
  Network,
  PlatformChecks,
  PlatformStack,
  renderHealthReport,
  Server,
  withStatsdListener,
} from '../../lib/aws';
import {
  configurationFor,
  defineEnvironment,
  HEALTH_PROBE_PATH,
  HEALTH_PROBE_UNITS,
  MAX_USER_DATA_BYTES,
  renderCloudInit,
  SERVER_HEALTH_ALARM,
  withHealthProbe,
  type Environment,
  type EnvironmentInput,
  type ServerHealthCheck,
  type ServerSpec,
  type Tier,
} from '../../lib/core';
import { EnvironmentStage } from '../../stacks/aws';
import { loadEnvironments } from '../../stacks/environments';
import { EXAMPLE_ADMIN_SSH_KEY } from '../../stacks/environments/workloads';
import { withTemporaryFolder } from '../util/temp';
import { devInput, errorOf, prodInput } from '../util/fixtures';

type ServerInput = NonNullable<EnvironmentInput['servers']>[number];
type Properties = Record<string, unknown>;

const run = promisify(execFile);

const WEB: ServerInput = { name: 'web', size: 'medium', count: 2, diskGiB: 64, configuration: { packages: ['nginx'] } };
const OPS: ServerInput = { name: 'ops', size: 'small', os: { aws: 'amazon-linux-2023', azure: 'ubuntu-24.04' } };
const HEALTHZ: ServerHealthCheck = { port: 80, path: '/healthz' };

function envWith(servers: ServerInput[], base: EnvironmentInput = devInput()): Environment {
  return defineEnvironment({ ...base, azure: { ...base.azure, adminSshPublicKey: EXAMPLE_ADMIN_SSH_KEY }, servers });
}

/** The environment with `check` on the named server definitions (ServerSpec objects built directly). */
function withHealth(env: Environment, names: readonly string[], check: ServerHealthCheck = HEALTHZ): Environment {
  return {
    ...env,
    servers: env.servers.map((s): ServerSpec => (names.includes(s.name) ? { ...s, healthCheck: check } : s)),
  };
}

interface Built {
  readonly stack: PlatformStack;
  readonly template: Template;
  readonly monitoring: Monitoring;
  readonly servers: readonly Server[];
}

/** The environment's network, monitoring and servers in one stack of its tier, wired like ComputeStack. */
function build(env: Environment): Built {
  return withTemporaryFolder('platform-server-health-', (outdir) => {
    const stack = new PlatformStack(new App({ outdir }), 'Test', {
      env: { account: env.aws.account, region: env.aws.region },
      availabilityZones: env.aws.availabilityZones,
      tier: env.tier,
    });
    const monitoring = new Monitoring(stack, 'Monitoring', { spec: env.monitoring, name: env.name });
    const network = new Network(stack, 'Network', {
      spec: env.network,
      name: env.name,
      availabilityZones: env.aws.availabilityZones,
    });
    const servers = env.servers.map(
      (spec) => new Server(stack, spec.name, { spec, environment: env.name, vpc: network.vpc, monitoring }),
    );
    return { stack, template: Template.fromStack(stack), monitoring, servers };
  });
}

function propertiesOf(built: Built, resource: CfnResource): Properties {
  const resources = built.template.toJSON().Resources as Record<string, { Properties: Properties }>;
  return resources[built.stack.getLogicalId(resource)]!.Properties;
}

/** A synthesized value with its tokens (Ref, Fn::Join) replaced by a placeholder, as text. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map((part) => (typeof part === 'string' ? part : 'TOKEN')).join(join[0]);
  throw new Error(`not text: ${JSON.stringify(value)}`);
}

interface CloudConfig {
  packages?: string[];
  write_files?: { path: string; content: string; encoding: string; permissions: string }[];
  runcmd?: string[][];
}

/** The cloud-config the server's configuration document writes and applies, decoded and parsed. */
function cloudConfigOf(built: Built, server: Server): { text: string; parsed: CloudConfig } {
  const content = propertiesOf(built, server.configuration.document).Content as {
    mainSteps: { name: string; inputs: { runCommand?: string[] } }[];
  };
  const lines = content.mainSteps.find((s) => s.name === 'applyConfiguration')!.inputs.runCommand!;
  const written = lines
    .map((line) => /^echo '([A-Za-z0-9+/=]+)' \| base64 -d > (\S+)$/.exec(line))
    .filter((m) => m?.[2] === '/var/lib/platform/cloud-config.yaml');
  expect(written).toHaveLength(1);
  const text = Buffer.from(written[0]![1]!, 'base64').toString('utf8');
  return { text, parsed: parse(text) as CloudConfig };
}

/** The files of a cloud-config, by path, decoded. */
function filesOf(config: CloudConfig): Record<string, { content: string; permissions: string }> {
  return Object.fromEntries(
    (config.write_files ?? []).map((f) => [
      f.path,
      { content: Buffer.from(f.content, 'base64').toString('utf8'), permissions: f.permissions },
    ]),
  );
}

interface AgentConfig {
  agent: Record<string, unknown>;
  metrics: { namespace: string; append_dimensions: Record<string, string>; metrics_collected: Properties };
  logs: unknown;
}

function agentConfigOf(built: Built, server: Server): AgentConfig {
  return JSON.parse(textOf(propertiesOf(built, server.configuration.agentConfiguration).Value)) as AgentConfig;
}

function alarmsNamed(template: Template, pattern: RegExp): Record<string, Properties> {
  return Object.fromEntries(
    Object.values(template.findResources('AWS::CloudWatch::Alarm'))
      .map((a) => a.Properties as Properties)
      .filter((p) => pattern.test(String(p.AlarmName)))
      .map((p) => [String(p.AlarmName), p]),
  );
}

/** The search expressions of the dashboard's graphs. */
function dashboardSearches(template: Template): string[] {
  const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  const body = JSON.parse(textOf(dashboard!.Properties.DashboardBody)) as {
    widgets: { properties: { metrics?: unknown[][] } }[];
  };
  return body.widgets.flatMap((w) =>
    (w.properties.metrics ?? [])
      .flat()
      .flatMap((m) => (typeof m === 'object' && m && 'expression' in m ? [String(m.expression)] : [])),
  );
}

/** Receives the UDP datagrams sent to the agent's StatsD address while `action` runs. */
async function statsdDatagrams(action: () => Promise<unknown>): Promise<string[]> {
  const socket = dgram.createSocket('udp4');
  const received: string[] = [];
  socket.on('message', (message) => received.push(message.toString('utf8')));
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(AWS_SERVER_HEALTH_METRIC.statsdPort, AWS_SERVER_HEALTH_METRIC.statsdHost, resolve);
  });
  try {
    await action();
    // Datagrams on the loopback arrive at once; give the event loop a turn to deliver them.
    await new Promise((resolve) => setTimeout(resolve, 200));
  } finally {
    socket.close();
  }
  return received;
}

describe('Server health check (AWS)', () => {
  let endpoint: http.Server;
  let status = 200;
  let check: ServerHealthCheck;
  let plain: Built;
  let built: Built;
  let web: Server;
  let ops: Server;

  beforeAll(async () => {
    // The endpoint the probe in the synthesized configuration requests, on the test machine.
    endpoint = http.createServer((request, response) => {
      response.writeHead(request.url === '/healthz' ? status : 404).end();
    });
    await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
    check = { port: (endpoint.address() as AddressInfo).port, path: '/healthz' };
    const env = envWith([WEB, OPS]);
    plain = build(env);
    built = build(withHealth(env, ['web'], check));
    [web, ops] = built.servers as [Server, Server];
  });
  afterAll(async () => {
    await new Promise((resolve) => endpoint.close(resolve));
  });

  test('the cloud-config installs curl and writes the probe script, its service and a one-minute timer', () => {
    const { parsed } = cloudConfigOf(built, web);
    const files = filesOf(parsed);
    expect(parsed.packages).toEqual(['curl', 'nginx']);
    expect(Object.keys(files)).toEqual([
      HEALTH_PROBE_PATH,
      `/etc/systemd/system/${HEALTH_PROBE_UNITS.service}`,
      `/etc/systemd/system/${HEALTH_PROBE_UNITS.timer}`,
    ]);
    expect(files[HEALTH_PROBE_PATH]!.permissions).toBe('0755');
    expect(files[HEALTH_PROBE_PATH]!.content).toContain(`'http://127.0.0.1:${check.port}/healthz'`);
    expect(files[`/etc/systemd/system/${HEALTH_PROBE_UNITS.service}`]!.content).toContain(
      `ExecStart=${HEALTH_PROBE_PATH}\n`,
    );
    expect(files[`/etc/systemd/system/${HEALTH_PROBE_UNITS.timer}`]!.content).toContain('OnUnitActiveSec=1min\n');
    expect(parsed.runcmd).toEqual([
      ['sh', '-c', '--', 'systemctl daemon-reload'],
      ['systemctl', 'enable', '--now', '--', HEALTH_PROBE_UNITS.timer],
    ]);
  });

  test('the probe reports with bash /dev/udp to the StatsD listener, with neither netcat nor the AWS CLI', () => {
    const probe = filesOf(cloudConfigOf(built, web).parsed)[HEALTH_PROBE_PATH]!.content;
    expect(probe.split('\n').slice(-3)).toEqual([
      'echo "health: $HEALTH"',
      `printf 'health:%s|g\\n' "$HEALTH" > /dev/udp/127.0.0.1/8125`,
      '',
    ]);
    expect(probe.startsWith('#!/bin/bash\n')).toBe(true);
    expect(probe).not.toMatch(/\b(nc|ncat|netcat|aws)\b/);
    expect(renderHealthReport()).toEqual(probe.split('\n').slice(-3, -1));
  });

  test('the synthesized probe sends health:1 while the endpoint answers and health:0 once it fails', async () => {
    const probe = filesOf(cloudConfigOf(built, web).parsed)[HEALTH_PROBE_PATH]!.content;
    const once = (): Promise<unknown> => run('bash', ['-c', probe]);
    status = 200;
    expect(await statsdDatagrams(once)).toEqual(['health:1|g\n']);
    status = 503;
    expect(await statsdDatagrams(once)).toEqual(['health:0|g\n']);
    status = 200;
  });

  test('the agent listens for StatsD on the loopback, collecting and aggregating every minute, in the namespace of the definition', () => {
    const agent = agentConfigOf(built, web);
    expect(agent.metrics.metrics_collected.statsd).toEqual({
      service_address: '127.0.0.1:8125',
      metrics_collection_interval: 60,
      metrics_aggregation_interval: 60,
    });
    expect(agent.metrics.namespace).toBe('Platform/dev/server/web');
    expect(agent.metrics.append_dimensions).toEqual({ InstanceId: '${aws:InstanceId}' });
    // The rest of the agent's configuration stays as ConfigurationManagement rendered it.
    const before = agentConfigOf(plain, plain.servers[0]!);
    const others = Object.fromEntries(
      Object.entries(agent.metrics.metrics_collected).filter(([section]) => section !== 'statsd'),
    );
    expect(Object.keys(others)).toEqual(['cpu', 'mem', 'disk']);
    expect({ ...agent, metrics: { ...agent.metrics, metrics_collected: others } }).toEqual(before);
  });

  test('withStatsdListener keeps tokens in the text and adds only the statsd section', () => {
    const text = JSON.stringify({
      logs: { group: '${Token[TOKEN.42]}' },
      metrics: { namespace: 'n', metrics_collected: { mem: { measurement: ['mem_used_percent'] } } },
    });
    expect(JSON.parse(withStatsdListener(text))).toEqual({
      logs: { group: '${Token[TOKEN.42]}' },
      metrics: {
        namespace: 'n',
        metrics_collected: {
          mem: { measurement: ['mem_used_percent'] },
          statsd: {
            service_address: '127.0.0.1:8125',
            metrics_collection_interval: 60,
            metrics_aggregation_interval: 60,
          },
        },
      },
    });
  });

  test('one critical health alarm per instance: Average of health below 1 for 3 one-minute periods, missing data breaching', () => {
    const critical = built.stack.resolve(built.monitoring.topics.critical.topicArn);
    const alarms = alarmsNamed(built.template, /\.health\./);
    expect(Object.keys(alarms).sort()).toEqual([
      'platform-dev-server.web.health.1',
      'platform-dev-server.web.health.2',
    ]);
    web.instances.forEach((instance, i) => {
      expect(alarms[`platform-dev-server.web.health.${i + 1}`]).toMatchObject({
        Namespace: 'Platform/dev/server/web',
        MetricName: 'health',
        Dimensions: [
          { Name: 'InstanceId', Value: built.stack.resolve(instance.instanceId) },
          { Name: 'metric_type', Value: 'gauge' },
        ],
        Statistic: 'Average',
        Period: 60,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        EvaluationPeriods: SERVER_HEALTH_ALARM.evaluationMinutes,
        TreatMissingData: 'breaching',
        AlarmActions: [critical],
        OKActions: [critical],
      });
    });
    expect(SERVER_HEALTH_ALARM.evaluationMinutes).toBe(3);
    expect(alarms['platform-dev-server.web.health.1']!.DatapointsToAlarm).toBeUndefined();
  });

  test("the alarm's description names the endpoint and says what to do first", () => {
    const description = String(
      alarmsNamed(built.template, /web\.health\.1$/)['platform-dev-server.web.health.1']!.AlarmDescription,
    );
    expect(description).toMatch(/^\[critical\] /);
    expect(description).toContain(
      `A server of web failed its health probe (http://127.0.0.1:${check.port}/healthz) or reported none for 3 minutes.`,
    );
    expect(description).toContain(SERVER_HEALTH_ALARM.firstResponse);
  });

  test('the dashboard graphs the healthy share of probes of the definitions with a health check only', () => {
    const health = dashboardSearches(built.template).filter((e) => e.includes('MetricName="health"'));
    expect(health).toEqual([
      `SEARCH('{Platform/dev/server/web,InstanceId,metric_type} MetricName="health"', 'Average', 60)`,
    ]);
    expect(dashboardSearches(plain.template).filter((e) => e.includes('MetricName="health"'))).toEqual([]);
  });

  test('a definition without healthCheck is synthesized exactly as before: no probe, no listener, no alarm', () => {
    const resources = (b: Built, server: Server): Record<string, unknown> => {
      const all = b.template.toJSON().Resources as Record<string, unknown>;
      return Object.fromEntries(
        server.node
          .findAll()
          .filter((c): c is CfnResource => (c as CfnResource).cfnResourceType !== undefined)
          .map((c) => [b.stack.getLogicalId(c), all[b.stack.getLogicalId(c)]]),
      );
    };
    const before = resources(plain, plain.servers[1]!);
    expect(Object.keys(before).length).toBeGreaterThan(5);
    expect(resources(built, ops)).toEqual(before);
    expect(agentConfigOf(built, ops).metrics.metrics_collected).not.toHaveProperty('statsd');
    expect(cloudConfigOf(built, ops).text).not.toContain('platform-health');
    expect(Object.keys(alarmsNamed(plain.template, /\.health\./))).toEqual([]);
  });

  test("the web definition's cloud-config stays within EC2's user data limit", () => {
    const bytes = Buffer.byteLength(cloudConfigOf(built, web).text, 'utf8');
    expect(bytes).toBeGreaterThan(Buffer.byteLength(cloudConfigOf(plain, plain.servers[0]!).text, 'utf8'));
    expect(bytes).toBeLessThan(MAX_USER_DATA_BYTES);
  });
});

describe('Server health check from the spec (AWS)', () => {
  test('a healthCheck written in the spec reaches the probe and the alarm', () => {
    const fromSpec = build(envWith([{ ...WEB, healthCheck: { port: 8080, path: '/status' } }]));
    const probe = filesOf(cloudConfigOf(fromSpec, fromSpec.servers[0]!).parsed)[HEALTH_PROBE_PATH]!.content;
    expect(probe).toContain(`'http://127.0.0.1:8080/status'`);
    expect(Object.keys(alarmsNamed(fromSpec.template, /\.health\./)).sort()).toEqual([
      'platform-dev-server.web.health.1',
      'platform-dev-server.web.health.2',
    ]);
  });
});

describe('Server health check: example environments (AWS)', () => {
  test("every example server, with its health check (or /healthz on port 80), renders its AWS cloud-config within EC2's user data limit", () => {
    const sizes = loadEnvironments().flatMap((env) =>
      env.servers.map((server) => {
        const configuration = configurationFor(server.configuration, server.ansible, 'aws');
        const check = server.healthCheck ?? HEALTHZ;
        const text = renderCloudInit(withHealthProbe(configuration, check, renderHealthReport()), server.os.aws);
        return { at: `${env.name}.${server.name}`, bytes: Buffer.byteLength(text, 'utf8') };
      }),
    );
    expect(sizes.length).toBeGreaterThanOrEqual(3);
    for (const { at, bytes } of sizes) expect([at, bytes < MAX_USER_DATA_BYTES]).toEqual([at, true]);
  });
});

describe('Server health check guardrails (AWS)', () => {
  function packsFor(tier: Tier): NagPack[] {
    return [
      new AwsSolutionsChecks(),
      new PlatformChecks(undefined, { tier }),
      ...(tier === 'production' ? [new NIST80053R5Checks()] : []),
    ];
  }

  function computeFindings(stage: EnvironmentStage, tier: Tier): string[] {
    return packsFor(tier).flatMap((pack) =>
      pack
        .validateScope(stage.compute)
        .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`)),
    );
  }

  test.each([
    ['production', prodInput()],
    ['development', devInput()],
  ] as const)('a %s environment with health checks has no unacknowledged finding on its servers', (tier, input) => {
    const stage = new EnvironmentStage(new App(), withHealth(envWith([WEB, OPS], input), ['web', 'ops']));
    expect(computeFindings(stage, tier)).toEqual([]);
    const alarms = alarmsNamed(Template.fromStack(stage.compute), /\.health\./);
    // Production: two web servers and the production default of two ops servers; development: two and one.
    expect(Object.keys(alarms)).toHaveLength(tier === 'production' ? 4 : 3);
  });
});

describe('Server health check validation (AWS)', () => {
  const env = envWith([WEB]);

  function serverWith(check: ServerHealthCheck): () => Server {
    const spec: ServerSpec = { ...env.servers[0]!, healthCheck: check };
    return () => {
      const stack = new PlatformStack(new App(), 'Test', {
        env: { account: env.aws.account, region: env.aws.region },
        availabilityZones: env.aws.availabilityZones,
        tier: env.tier,
      });
      const monitoring = new Monitoring(stack, 'Monitoring', { spec: env.monitoring, name: env.name });
      const network = new Network(stack, 'Network', {
        spec: env.network,
        name: env.name,
        availabilityZones: env.aws.availabilityZones,
      });
      return new Server(stack, 'web', { spec, environment: env.name, vpc: network.vpc, monitoring });
    };
  }

  test('a port outside 1-65535 is refused, naming servers.<name>.healthCheck.port', () => {
    expect(errorOf(serverWith({ port: 0, path: '/healthz' })).message).toMatch(
      /servers\.web\.healthCheck\.port: 0 - .*65535/,
    );
  });

  test('a path not starting with / or holding a space is refused, naming servers.<name>.healthCheck.path', () => {
    expect(errorOf(serverWith({ port: 80, path: 'healthz' })).message).toMatch(
      /servers\.web\.healthCheck\.path: "healthz" - an absolute URL path such as \/healthz/,
    );
    expect(errorOf(serverWith({ port: 80, path: '/health z' })).message).toMatch(/servers\.web\.healthCheck\.path/);
  });

  test('every problem is reported at once', () => {
    const message = errorOf(serverWith({ port: 70000, path: '' })).message;
    expect(message).toMatch(/healthCheck\.port: 70000/);
    expect(message).toMatch(/healthCheck\.path: ""/);
  });
});
