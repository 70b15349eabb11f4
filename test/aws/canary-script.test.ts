import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_CHECK_LATENCY_METRIC, API_CHECK_TLS_METRIC, renderCanaryScript } from '../../lib/aws';
import type { ApiCheckDefinition } from '../../lib/core';

/**
 * Runs the generated canary script in a child Node.js process, against a local HTTP server of this process, with
 * stub modules in place of the runtime's Synthetics library and the AWS SDK.
 */

const SECRET_VALUE = 's3cr3t-value-never-logged';

/** Stub modules, as the Synthetics runtime would resolve them from the script's folder. */
const STUBS: Record<string, string> = {
  Synthetics: `const fs = require('fs');
exports.executeStep = async (name, fn) => {
  fs.appendFileSync(process.env.STUB_LOG, 'STEP ' + name + '\\n');
  return fn();
};`,
  SyntheticsLogger: `const fs = require('fs');
const write = (level) => (message) => fs.appendFileSync(process.env.STUB_LOG, level + ' ' + message + '\\n');
module.exports = { info: write('INFO'), warn: write('WARN'), error: write('ERROR'), debug: write('DEBUG') };`,
  '@aws-sdk/client-secrets-manager': `const fs = require('fs');
class GetSecretValueCommand { constructor(input) { this.input = input; } }
class SecretsManagerClient {
  async send(command) {
    fs.appendFileSync(process.env.STUB_LOG, 'SECRET-REQUESTED ' + command.input.SecretId + '\\n');
    const values = JSON.parse(process.env.STUB_SECRETS);
    if (!(command.input.SecretId in values)) throw new Error('ResourceNotFoundException');
    return { SecretString: values[command.input.SecretId] };
  }
}
module.exports = { SecretsManagerClient, GetSecretValueCommand };`,
};

/** The runner: calls the handler, and reports the outcome on stderr (stdout carries only what the script writes). */
const RUNNER = `const script = require('./index.js');
script.handler().then(
  () => process.stderr.write('RESULT ' + JSON.stringify({ ok: true }) + '\\n'),
  (error) => process.stderr.write('RESULT ' + JSON.stringify({ ok: false, message: error.message }) + '\\n'),
);`;

interface Received {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly headers: IncomingHttpHeaders;
}

interface Reply {
  readonly status: number;
  readonly body: string;
  readonly delayMs?: number;
}

interface Outcome {
  readonly ok: boolean;
  readonly message?: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly log: string;
  readonly received: readonly Received[];
}

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'canary-script-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function definition(url: string, overrides: Partial<ApiCheckDefinition> = {}): ApiCheckDefinition {
  return {
    name: 'public-api',
    url,
    internal: true,
    method: 'GET',
    headers: { Accept: 'application/json' },
    secretHeaders: { 'X-Api-Key': 'platform/dev/api-key' },
    expectedStatus: 200,
    body: { jsonPath: 'data.status', equals: 'ok' },
    latencyBudgetMs: 2000,
    intervalMinutes: 5,
    tlsExpiryWarningDays: 14,
    ...overrides,
  };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

let runs = 0;

/** A self-signed certificate: key and certificate PEM files. */
interface Certificate {
  readonly keyFile: string;
  readonly certFile: string;
}

interface RunOptions {
  /** Serve https with this certificate, instead of http. */
  readonly tls?: Certificate;
  /** Whether the child process trusts the certificate (as a CA of its own). */
  readonly trusted?: boolean;
  /** Rendered into the script. */
  readonly verifyTlsHostname?: boolean;
}

/** Serves `reply` once per request, runs the check against it and returns what happened. */
async function run(
  reply: Reply,
  overrides: Partial<ApiCheckDefinition> = {},
  options: RunOptions = {},
): Promise<Outcome> {
  const received: Received[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    received.push({ method: req.method, url: req.url, headers: req.headers });
    setTimeout(() => {
      res.writeHead(reply.status, { 'Content-Type': 'application/json' });
      res.end(reply.body);
    }, reply.delayMs ?? 0);
  };
  const server = options.tls
    ? createTlsServer({ key: readFileSync(options.tls.keyFile), cert: readFileSync(options.tls.certFile) }, handler)
    : createServer(handler);
  const port = await listen(server);
  const scheme = options.tls ? 'https' : 'http';
  const folder = join(dir, `run-${++runs}`);
  for (const [name, source] of Object.entries(STUBS)) {
    mkdirSync(join(folder, 'node_modules', name), { recursive: true });
    writeFileSync(join(folder, 'node_modules', name, 'index.js'), source);
  }
  writeFileSync(
    join(folder, 'index.js'),
    renderCanaryScript(definition(`${scheme}://127.0.0.1:${port}/health?deep=1`, overrides), {
      ...(options.verifyTlsHostname !== undefined && { verifyTlsHostname: options.verifyTlsHostname }),
    }),
  );
  writeFileSync(join(folder, 'runner.js'), RUNNER);
  const logFile = join(folder, 'log.txt');
  writeFileSync(logFile, '');
  try {
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile(
        process.execPath,
        ['runner.js'],
        {
          cwd: folder,
          timeout: 20_000,
          env: {
            PATH: process.env.PATH ?? '',
            STUB_LOG: logFile,
            STUB_SECRETS: JSON.stringify({ 'platform/dev/api-key': SECRET_VALUE }),
            PLATFORM_METRIC_NAMESPACE: 'Platform/dev',
            ...(options.tls && options.trusted !== false && { NODE_EXTRA_CA_CERTS: options.tls.certFile }),
          },
        },
        (error, out, err) => (error ? reject(error) : resolve({ stdout: out, stderr: err })),
      );
    });
    const line = stderr.split('\n').find((l) => l.startsWith('RESULT '));
    if (!line) throw new Error(`the runner reported no result: ${stderr}`);
    const result = JSON.parse(line.slice('RESULT '.length)) as { ok: boolean; message?: string };
    return { ...result, stdout, stderr, log: readFileSync(logFile, 'utf8'), received };
  } finally {
    await close(server);
  }
}

interface MetricLine {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: readonly {
      readonly Namespace: string;
      readonly Dimensions: readonly (readonly string[])[];
      readonly Metrics: readonly { readonly Name: string; readonly Unit: string }[];
    }[];
  };
  readonly Check: string;
  readonly [metric: string]: unknown;
}

function metricLines(stdout: string): MetricLine[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as MetricLine);
}

const HEALTHY = JSON.stringify({ data: { status: 'ok' } });

describe('canary script', () => {
  test('passes on the expected status and body, sending the method, path, headers and the secret header', async () => {
    const outcome = await run({ status: 200, body: HEALTHY });
    expect(outcome).toMatchObject({ ok: true });
    expect(outcome.received).toHaveLength(1);
    const [request] = outcome.received;
    expect(request!.method).toBe('GET');
    expect(request!.url).toBe('/health?deep=1');
    expect(request!.headers.accept).toBe('application/json');
    expect(request!.headers['x-api-key']).toBe(SECRET_VALUE);
    expect(outcome.log).toContain('SECRET-REQUESTED platform/dev/api-key');
    expect(outcome.log).toContain('STEP public-api');
    expect(outcome.log).toMatch(/INFO GET http:\/\/127\.0\.0\.1:\d+\/health\?deep=1: status 200 in \d+ ms/);
  });

  test('never logs the secret header value, on success or failure', async () => {
    for (const reply of [
      { status: 200, body: HEALTHY },
      { status: 401, body: 'denied' },
    ]) {
      const outcome = await run(reply);
      expect(outcome.received[0]!.headers['x-api-key']).toBe(SECRET_VALUE);
      expect(outcome.log).not.toContain(SECRET_VALUE);
      expect(outcome.stdout).not.toContain(SECRET_VALUE);
      expect(outcome.stderr).not.toContain(SECRET_VALUE);
      expect(outcome.message ?? '').not.toContain(SECRET_VALUE);
    }
  });

  test('emits the latency as an embedded metric: namespace, Check dimension, milliseconds', async () => {
    const outcome = await run({ status: 200, body: HEALTHY });
    const lines = metricLines(outcome.stdout);
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line!._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'Platform/dev',
        Dimensions: [['Check']],
        Metrics: [{ Name: API_CHECK_LATENCY_METRIC, Unit: 'Milliseconds' }],
      },
    ]);
    expect(line!.Check).toBe('public-api');
    expect(typeof line![API_CHECK_LATENCY_METRIC]).toBe('number');
    expect(line![API_CHECK_LATENCY_METRIC] as number).toBeGreaterThanOrEqual(0);
    expect(line![API_CHECK_LATENCY_METRIC] as number).toBeLessThan(2000);
    expect(line![API_CHECK_TLS_METRIC]).toBeUndefined();
    expect(Math.abs(line!._aws.Timestamp - Date.now())).toBeLessThan(60_000);
  });

  test('fails on a wrong status', async () => {
    const outcome = await run({ status: 503, body: HEALTHY });
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/health\?deep=1: Status 503, expected 200$/);
    // The latency is recorded whatever the outcome.
    expect(metricLines(outcome.stdout)).toHaveLength(1);
  });

  test('fails when the body lacks the text', async () => {
    const outcome = await run({ status: 200, body: 'all systems degraded' }, { body: { contains: 'healthy' } });
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toMatch(/: Body does not contain "healthy"$/);
  });

  test('passes when the body contains the text', async () => {
    const outcome = await run({ status: 200, body: 'healthy' }, { body: { contains: 'healthy' } });
    expect(outcome.ok).toBe(true);
  });

  test('fails when the body is not JSON', async () => {
    const outcome = await run({ status: 200, body: '<html>ok</html>' });
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toMatch(/: Body is not JSON$/);
  });

  test('fails when the JSON field has another value, or is missing', async () => {
    const wrong = await run({ status: 200, body: JSON.stringify({ data: { status: 'degraded' } }) });
    expect(wrong.ok).toBe(false);
    expect(wrong.message).toMatch(/: JSON field data\.status is "degraded", expected "ok"$/);
    const missing = await run({ status: 200, body: JSON.stringify({ data: {} }) });
    expect(missing.message).toMatch(/: JSON field data\.status is missing, expected "ok"$/);
  });

  test('fails over the latency budget, and reports every problem of the run at once', async () => {
    const slow = await run({ status: 200, body: HEALTHY, delayMs: 400 }, { latencyBudgetMs: 150 });
    expect(slow.ok).toBe(false);
    expect(slow.message).toMatch(/: Response took \d+ ms, over the budget of 150 ms$/);
    expect(metricLines(slow.stdout)[0]![API_CHECK_LATENCY_METRIC] as number).toBeGreaterThanOrEqual(400);
    const both = await run({ status: 500, body: HEALTHY, delayMs: 400 }, { latencyBudgetMs: 150 });
    expect(both.message).toMatch(/: Status 500, expected 200; Response took \d+ ms, over the budget of 150 ms$/);
  });

  test('sends the method and no secret lookups when the check has no secret headers', async () => {
    const outcome = await run(
      { status: 204, body: '' },
      { method: 'HEAD', secretHeaders: {}, expectedStatus: 204, body: undefined },
    );
    expect(outcome.ok).toBe(true);
    expect(outcome.received[0]!.method).toBe('HEAD');
    expect(outcome.received[0]!.headers['x-api-key']).toBeUndefined();
    expect(outcome.log).not.toContain('SECRET-REQUESTED');
  });
});

describe('canary script over https', () => {
  /** A self-signed certificate for service.example.com, valid 10 days, made with openssl. */
  function certificate(): Certificate {
    const folder = mkdtempSync(join(dir, 'certificate-'));
    const keyFile = join(folder, 'key.pem');
    const certFile = join(folder, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '10',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-subj',
        '/CN=service.example.com',
        '-addext',
        'subjectAltName=DNS:service.example.com',
      ],
      { stdio: 'ignore' },
    );
    return { keyFile, certFile };
  }

  test("reports the certificate's days left as a metric, and warns within tlsExpiryWarningDays", async () => {
    const tls = certificate();
    // The URL's host (127.0.0.1) is not on the certificate, as a load balancer's DNS name is not on a service's.
    const outcome = await run(
      { status: 200, body: HEALTHY },
      { tlsExpiryWarningDays: 14 },
      { tls, verifyTlsHostname: false },
    );
    expect(outcome).toMatchObject({ ok: true });
    const lines = metricLines(outcome.stdout);
    expect(lines.map((l) => l._aws.CloudWatchMetrics[0]!.Metrics[0])).toEqual([
      { Name: API_CHECK_LATENCY_METRIC, Unit: 'Milliseconds' },
      { Name: API_CHECK_TLS_METRIC, Unit: 'Count' },
    ]);
    expect(lines[1]).toMatchObject({ Check: 'public-api', [API_CHECK_TLS_METRIC]: 9 });
    expect(lines[1]!._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'Platform/dev', Dimensions: [['Check']] });
    expect(outcome.log).toContain('WARN TLS certificate of 127.0.0.1 expires in 9 days');
    const calm = await run(
      { status: 200, body: HEALTHY },
      { tlsExpiryWarningDays: 5 },
      { tls, verifyTlsHostname: false },
    );
    expect(calm.ok).toBe(true);
    expect(calm.log).not.toContain('WARN');
  });

  test('verifies by default that the certificate names the host', async () => {
    const outcome = await run({ status: 200, body: HEALTHY }, {}, { tls: certificate() });
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toMatch(/Hostname\/IP does not match certificate's altnames/);
    expect(outcome.received).toHaveLength(0);
  });

  test('never trusts a certificate outside the trust store, even without the host name check', async () => {
    const outcome = await run(
      { status: 200, body: HEALTHY },
      {},
      { tls: certificate(), trusted: false, verifyTlsHostname: false },
    );
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toMatch(/self[- ]signed certificate/);
    expect(outcome.received).toHaveLength(0);
  });
});

describe('tlsDaysLeft', () => {
  function tlsDaysLeft(validTo: string, now: Date): number {
    const folder = join(dir, 'tls');
    mkdirSync(folder, { recursive: true });
    const file = join(folder, 'index.js');
    writeFileSync(file, renderCanaryScript(definition('https://api.example.com/health')));
    // The script is plain CommonJS; it requires the Synthetics stubs only when present.
    const module = { exports: {} as { tlsDaysLeft?: (v: string, n: Date) => number } };
    const source = readFileSync(file, 'utf8');
    new Function('require', 'module', 'exports', source)(require, module, module.exports);
    if (!module.exports.tlsDaysLeft) throw new Error('the script exports no tlsDaysLeft');
    return module.exports.tlsDaysLeft(validTo, now);
  }

  test('counts whole days until the expiry Node reports, rounded down', () => {
    const now = new Date('2026-12-04T12:00:00Z');
    expect(tlsDaysLeft('Dec 14 12:00:00 2026 GMT', now)).toBe(10);
    expect(tlsDaysLeft('Dec 14 11:59:59 2026 GMT', now)).toBe(9);
    expect(tlsDaysLeft('Mar  4 12:00:00 2027 GMT', now)).toBe(90);
  });

  test('is negative once the certificate has expired', () => {
    expect(tlsDaysLeft('Dec  1 12:00:00 2026 GMT', new Date('2026-12-04T12:00:00Z'))).toBe(-3);
  });

  test('refuses an unreadable date', () => {
    expect(() => tlsDaysLeft('not a date', new Date())).toThrow(/unreadable expiry date: not a date/);
  });
});
