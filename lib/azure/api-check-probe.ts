import type * as containerAppJob from '@cdktf/provider-azurerm/lib/container-app-job';
import { renderResponseAssertions, type ApiCheckDefinition } from '../core';
import { CONSUMPTION_WORKLOAD_PROFILE } from './container-apps-environment';
import { appSecretNameOf } from './container-definition';
import type { IKeyVault } from './interfaces';

// The in-network probe of an API check on Azure: a Container Apps job that requests the URL with the check's
// assertions and reports availability results to Application Insights, for what a standard web test cannot do
// (an internal endpoint, a secret header, a JSON field). Its logic follows lib/aws/api-check.ts's canary script,
// read, not imported: lib/azure never imports lib/aws.

/**
 * The image the probe runs: Node.js 22 LTS on Alpine, pinned to its minor version as the example workloads pin
 * theirs (`nginx:1.27`), from the public registry they use, so it is pulled anonymously with no registry access
 * to grant. The script needs nothing but Node's own modules.
 */
export const API_CHECK_PROBE_IMAGE = 'public.ecr.aws/docker/library/node:22.12-alpine';

/** The app secret the probe reads the Application Insights connection string from. */
export const PROBE_CONNECTION_STRING_SECRET = 'appinsights-connection-string';

/** The variable of the probe's container holding the value of the secret header at `index` (by header name order). */
export function probeSecretHeaderVariable(index: number): string {
  return `PROBE_SECRET_HEADER_${index}`;
}

/** The entry (audience) of the Entra ID token the probe sends its results with: Azure Monitor's ingestion. */
export const MONITOR_INGESTION_AUDIENCE = 'https://monitor.azure.com/';

/**
 * Milliseconds the probe waits for a response: twice the latency budget, at least 30 seconds (a standard web
 * test's shortest timeout), so a slow answer is measured (and raises the latency alert) rather than cut off.
 */
export function probeTimeoutMs(check: Pick<ApiCheckDefinition, 'latencyBudgetMs'>): number {
  return Math.max(30_000, check.latencyBudgetMs * 2);
}

/**
 * The probe's schedule (a Container Apps job's five-field cron, UTC): every `intervalMinutes`, or, where the
 * interval does not divide an hour, the closest interval that does and is not slower (7 minutes runs every 6,
 * 45 every 30), since a cron step restarts at every hour; 60 runs hourly; pure.
 */
export function renderProbeSchedule(intervalMinutes: number): string {
  const step = [60, 30, 20, 15, 12, 10, 6, 5, 4, 3, 2, 1].find((m) => m <= intervalMinutes) ?? 1;
  if (step === 60) return '0 * * * *';
  return step === 1 ? '* * * * *' : `*/${step} * * * *`;
}

/** What the probe script needs besides the check. */
export interface ProbeScriptOptions {
  /** The availability test name the results are reported under (the success and latency alerts filter on it). */
  readonly testName: string;
  /**
   * The availability test name of the certificate result, for an https URL.
   * @default - no certificate result
   */
  readonly tlsTestName?: string;
}

/**
 * The Node.js script the probe's container runs (`node -e <script>`), generated from the definition; pure. It:
 * - reads each secret header's value from its container variable ({@link probeSecretHeaderVariable}, a Key Vault
 *   reference the job resolves); no secret value is in the script, the job or the Terraform JSON, and none is
 *   logged;
 * - sends the request (no redirects followed, timeout {@link probeTimeoutMs}) and judges the response as the
 *   check says: `Status <n>, expected <m>`, `Body does not contain "<text>"`, `Body is not JSON`,
 *   `JSON field <path> is <value>, expected <value>`; a request error or timeout is a failure too. The latency is
 *   not part of success (as for a web test): the latency alert judges the reported duration;
 * - for https, reads the peer certificate's expiry and reports a second result, `tlsTestName`, that fails when
 *   the certificate has fewer than `tlsExpiryWarningDays` left;
 * - reports the results as Application Insights availability telemetry (`AvailabilityData`, the kind standard
 *   web tests write) to the ingestion endpoint of `APPLICATIONINSIGHTS_CONNECTION_STRING`, with an Entra ID token
 *   of the job's managed identity (`IDENTITY_ENDPOINT`, `IDENTITY_HEADER`, `AZURE_CLIENT_ID`), run location
 *   `PROBE_RUN_LOCATION`;
 * - exits 0 when the results were accepted, whatever they say, and 1 when they could not be reported (the job's
 *   execution then fails).
 */
export function renderProbeScript(check: ApiCheckDefinition, options: ProbeScriptOptions): string {
  const secretHeaderVariables = Object.fromEntries(
    Object.keys(check.secretHeaders)
      .sort()
      .map((header, i) => [header, probeSecretHeaderVariable(i)]),
  );
  const config = {
    name: check.name,
    testName: options.testName,
    tlsTestName: options.tlsTestName ?? null,
    url: check.url,
    method: check.method,
    headers: check.headers,
    secretHeaderVariables,
    expectedStatus: check.expectedStatus,
    body: check.body ?? null,
    tlsExpiryWarningDays: check.tlsExpiryWarningDays,
    timeoutMs: probeTimeoutMs(check),
    audience: MONITOR_INGESTION_AUDIENCE,
  };
  return `'use strict';
// Generated by platform-constructs renderProbeScript for the API check ${JSON.stringify(check.name)}: do not edit.
const http = require('http');
const https = require('https');
const crypto = require('crypto');

const CHECK = ${JSON.stringify(config, null, 2)};

function tlsDaysLeft(validTo, now) {
  const expires = Date.parse(validTo);
  if (Number.isNaN(expires)) throw new Error('TLS certificate has an unreadable expiry date: ' + validTo);
  return Math.floor((expires - now.getTime()) / 86400000);
}

function send(url, options, body) {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const req = client.request(url, options, (res) => {
      let validTo;
      if (url.protocol === 'https:' && res.socket && typeof res.socket.getPeerCertificate === 'function') {
        validTo = res.socket.getPeerCertificate().valid_to;
      }
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => resolve({
        status: res.statusCode,
        body: Buffer.concat(chunks).toString('utf8'),
        elapsedMs: Date.now() - started,
        validTo,
      }));
    });
    req.on('timeout', () => req.destroy(new Error('No response within ' + options.timeout + ' ms')));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function secretHeaders() {
  const headers = {};
  for (const [header, variable] of Object.entries(CHECK.secretHeaderVariables)) {
    const value = process.env[variable];
    if (typeof value !== 'string' || value === '') throw new Error('The secret of header ' + header + ' is not in ' + variable);
    headers[header] = value;
  }
  return headers;
}

${renderResponseAssertions({ latency: false })}
function timeSpan(ms) {
  const whole = Math.max(0, Math.round(ms));
  const pad = (n, width) => String(n).padStart(width, '0');
  const hours = Math.floor(whole / 3600000);
  const minutes = Math.floor(whole / 60000) % 60;
  const seconds = Math.floor(whole / 1000) % 60;
  return pad(hours, 2) + ':' + pad(minutes, 2) + ':' + pad(seconds, 2) + '.' + pad(whole % 1000, 3);
}

function ingestion() {
  const parts = {};
  for (const part of (process.env.APPLICATIONINSIGHTS_CONNECTION_STRING || '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) parts[part.slice(0, at).trim().toLowerCase()] = part.slice(at + 1).trim();
  }
  if (!parts.instrumentationkey || !parts.ingestionendpoint) {
    throw new Error('APPLICATIONINSIGHTS_CONNECTION_STRING has no InstrumentationKey or IngestionEndpoint');
  }
  const base = parts.ingestionendpoint.endsWith('/') ? parts.ingestionendpoint : parts.ingestionendpoint + '/';
  return { iKey: parts.instrumentationkey, url: new URL('v2.1/track', base) };
}

async function accessToken() {
  const endpoint = process.env.IDENTITY_ENDPOINT;
  const secret = process.env.IDENTITY_HEADER;
  if (!endpoint || !secret) throw new Error('No managed identity endpoint (IDENTITY_ENDPOINT, IDENTITY_HEADER)');
  const url = new URL(endpoint);
  url.searchParams.set('resource', CHECK.audience);
  url.searchParams.set('api-version', '2019-08-01');
  if (process.env.AZURE_CLIENT_ID) url.searchParams.set('client_id', process.env.AZURE_CLIENT_ID);
  const res = await send(url, { method: 'GET', headers: { 'X-IDENTITY-HEADER': secret }, timeout: 10000 });
  if (res.status !== 200) throw new Error('Managed identity token: status ' + res.status);
  const token = JSON.parse(res.body).access_token;
  if (typeof token !== 'string') throw new Error('Managed identity token: no access_token');
  return token;
}

function envelope(iKey, result) {
  return {
    name: 'Microsoft.ApplicationInsights.' + iKey.replace(/-/g, '') + '.Availability',
    time: new Date().toISOString(),
    iKey,
    tags: { 'ai.cloud.role': 'platform-api-check', 'ai.cloud.roleInstance': CHECK.name },
    data: {
      baseType: 'AvailabilityData',
      baseData: {
        ver: 2,
        id: crypto.randomUUID(),
        name: result.name,
        duration: timeSpan(result.durationMs),
        success: result.success,
        runLocation: process.env.PROBE_RUN_LOCATION || 'in-network',
        message: result.message,
        properties: { check: CHECK.name, url: CHECK.url },
      },
    },
  };
}

async function report(results) {
  const target = ingestion();
  const token = await accessToken();
  const body = JSON.stringify(results.map((result) => envelope(target.iKey, result)));
  const res = await send(target.url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Authorization: 'Bearer ' + token },
    timeout: 30000,
  }, body);
  if (res.status !== 200) throw new Error('Application Insights refused the results: status ' + res.status + ' ' + res.body);
}

async function probe() {
  const url = new URL(CHECK.url);
  let response;
  let problems;
  try {
    response = await send(url, { method: CHECK.method, headers: Object.assign({}, CHECK.headers, secretHeaders()), timeout: CHECK.timeoutMs });
    problems = assertResponse(response);
  } catch (error) {
    problems = [error && error.message ? error.message : String(error)];
  }
  const durationMs = response ? response.elapsedMs : CHECK.timeoutMs;
  const results = [{
    name: CHECK.testName,
    success: problems.length === 0,
    durationMs,
    message: problems.length > 0
      ? CHECK.method + ' ' + CHECK.url + ': ' + problems.join('; ')
      : CHECK.method + ' ' + CHECK.url + ': status ' + response.status + ' in ' + durationMs + ' ms',
  }];
  if (CHECK.tlsTestName && response && response.validTo !== undefined) {
    const days = tlsDaysLeft(response.validTo, new Date());
    results.push({
      name: CHECK.tlsTestName,
      success: days >= CHECK.tlsExpiryWarningDays,
      durationMs: 0,
      message: 'TLS certificate of ' + url.hostname + ' expires in ' + days + ' days (warning at ' + CHECK.tlsExpiryWarningDays + ')',
    });
  }
  return results;
}

probe()
  .then(async (results) => {
    await report(results);
    for (const result of results) console.log((result.success ? 'PASS ' : 'FAIL ') + result.name + ': ' + result.message);
  })
  .catch((error) => {
    console.error('Could not report the API check ' + CHECK.name + ': ' + (error && error.message ? error.message : String(error)));
    process.exitCode = 1;
  });
`;
}

/** What {@link renderProbeJobConfig} needs besides the check. */
export interface ProbeJobOptions {
  /** The Container Apps job's name. */
  readonly name: string;
  /** The resource group's name. */
  readonly resourceGroupName: string;
  /** The job's location (the Container Apps environment's). */
  readonly location: string;
  /** The Container Apps environment's ID. */
  readonly containerAppsEnvironmentId: string;
  /** The job's user-assigned identity: its resource ID and client ID. */
  readonly identity: { readonly id: string; readonly clientId: string };
  /** The Application Insights connection string (kept in a job secret). */
  readonly connectionString: string;
  /**
   * The Key Vault the secret headers are read from; required when the check has secret headers.
   * @default - none: the check has no secret headers
   */
  readonly keyVault?: IKeyVault;
  /** The image to run. */
  readonly image: string;
  /** The location reported as the results' run location. */
  readonly runLocation: string;
  /** The availability test names the script reports under. */
  readonly script: ProbeScriptOptions;
}

/**
 * Maps a check to the provider's Container Apps job config of its probe; pure. One replica per run (parallelism
 * 1, completion count 1, no retry: the next run is the retry), on {@link renderProbeSchedule}, 0.25 vCPU and
 * 0.5 GiB, running `node -e <renderProbeScript(...)>`. Secrets: each secret header a versionless Key Vault
 * reference read with the job's identity, and the connection string as a value; the container refers to both
 * by `secret_name`.
 */
export function renderProbeJobConfig(
  check: ApiCheckDefinition,
  options: ProbeJobOptions,
): containerAppJob.ContainerAppJobConfig {
  const headers = Object.keys(check.secretHeaders).sort();
  const keyVaultSecrets = new Map<string, string>();
  for (const header of headers) {
    const secretName = check.secretHeaders[header]!;
    keyVaultSecrets.set(appSecretNameOf(secretName), secretName);
  }
  const secrets: containerAppJob.ContainerAppJobSecret[] = [
    ...[...keyVaultSecrets.keys()].sort().map((name) => ({
      name,
      keyVaultSecretId: `${options.keyVault?.vaultUri ?? ''}/secrets/${keyVaultSecrets.get(name)!}`,
      identity: options.identity.id,
    })),
    { name: PROBE_CONNECTION_STRING_SECRET, value: options.connectionString },
  ];
  return {
    name: options.name,
    location: options.location,
    // ForceNew, like the name and location: a change replaces the job (it holds no data).
    resourceGroupName: options.resourceGroupName,
    containerAppEnvironmentId: options.containerAppsEnvironmentId,
    workloadProfileName: CONSUMPTION_WORKLOAD_PROFILE,
    identity: { type: 'UserAssigned', identityIds: [options.identity.id] },
    replicaTimeoutInSeconds: Math.ceil(probeTimeoutMs(check) / 1000) + 60,
    replicaRetryLimit: 0,
    scheduleTriggerConfig: {
      cronExpression: renderProbeSchedule(check.intervalMinutes),
      parallelism: 1,
      replicaCompletionCount: 1,
    },
    secret: secrets,
    template: {
      container: [
        {
          name: 'probe',
          image: options.image,
          cpu: 0.25,
          memory: '0.5Gi',
          command: ['node', '-e', renderProbeScript(check, options.script)],
          env: [
            { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', secretName: PROBE_CONNECTION_STRING_SECRET },
            { name: 'AZURE_CLIENT_ID', value: options.identity.clientId },
            { name: 'PROBE_RUN_LOCATION', value: options.runLocation },
            ...headers.map((header, i) => ({
              name: probeSecretHeaderVariable(i),
              secretName: appSecretNameOf(check.secretHeaders[header]!),
            })),
          ],
        },
      ],
    },
  };
}
