import { ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as synthetics from 'aws-cdk-lib/aws-synthetics';
import { Construct } from 'constructs';
import {
  apiCheckAlarmIds,
  checkProps,
  IssueCollector,
  PLATFORM_PREFIX,
  renderResponseAssertions,
  TIERS,
  apiCheckDefinition,
  type ApiCheckDefinition,
  type CheckSpec,
  type PropRules,
  type Tier,
} from '../core';
import { acknowledge, acknowledgeChange, acknowledgeWildcardGrant } from './acknowledge';
import type { ContainerService } from './container-service';
import type { IMonitoring } from './interfaces';
import { RetainStatefulResources, tierOf } from './protection';

/** Props of {@link ApiCheck}. */
export interface ApiCheckProps {
  /** The resolved check: URL, method, headers, secret headers, expected status and body, budgets, interval. */
  readonly check: ApiCheckDefinition;
  /** The environment name; it goes into the canary name, the metric namespace and the alarm names. */
  readonly environment: string;
  /** The environment's monitoring: the check's alarms go through `addAlarm`. */
  readonly monitoring: IMonitoring;
  /**
   * The VPC whose private subnets an internal check runs in (with a security group of its own). Required when
   * `check.internal`; ignored otherwise (a public check runs outside any VPC).
   * @default - none: only public checks
   */
  readonly vpc?: ec2.IVpc;
  /**
   * The bucket the canary's artifacts (logs, reports) go to, under the prefix of the canary's name. Pass one to
   * share a bucket across stacks; it must block public access and enforce SSL itself.
   * @default - the stack's one artifacts bucket ({@link ApiCheck.artifactsBucketOf}), created by the first check
   */
  readonly artifactsBucket?: s3.IBucket;
  /**
   * Whether an https check verifies that the certificate names the URL's host. Turn it off only for a URL whose
   * host can never be on the certificate, such as a load balancer's own DNS name in front of a certificate for the
   * service's domain: the chain of trust and the expiry are still checked.
   * @default true
   */
  readonly verifyTlsHostname?: boolean;
  /**
   * The tier whose artifact retention applies (30 days in development, 90 in production).
   * @default - the tier of the stack (`tierOf`), production when none is recorded
   */
  readonly tier?: Tier;
}

/** Options of {@link renderCanaryScript}. */
export interface CanaryScriptOptions {
  /**
   * Whether the certificate must name the URL's host (see {@link ApiCheckProps.verifyTlsHostname}).
   * @default true
   */
  readonly verifyTlsHostname?: boolean;
}

/**
 * The runtime every check runs on: `syn-nodejs-3.1` (Lambda Node.js 20), the newest Node.js runtime of aws-cdk-lib
 * 2.276 without a browser. The script speaks HTTP with Node's own `http`/`https`, so a Puppeteer or Playwright
 * runtime would only add a browser to start (slower runs, more memory) and nothing to use.
 */
export const API_CHECK_RUNTIME = synthetics.Runtime.SYNTHETICS_NODEJS_3_1;

/** The metric (namespace `Platform/<env>`, dimension `Check`) with the milliseconds one response took. */
export const API_CHECK_LATENCY_METRIC = 'check-latency';

/** The metric (namespace `Platform/<env>`, dimension `Check`) with the days the TLS certificate has left. */
export const API_CHECK_TLS_METRIC = 'check-tls-days-left';

/** The namespace of the checks' own metrics. */
export function apiCheckNamespace(environment: string): string {
  return `Platform/${environment}`;
}

/** The canary's name, `platform-<env>-<check>` (the canary name limit is 255 lowercase characters). */
export function apiCheckCanaryName(environment: string, check: string): string {
  return `${PLATFORM_PREFIX}-${environment}-${check}`;
}

/** Days an artifacts bucket keeps a run's screenshots, logs and reports: by the tier of the stack. */
export const API_CHECK_ARTIFACT_DAYS = { development: 30, production: 90 } as const;

/**
 * The JavaScript of the function that computes the days a certificate has left: `valid_to` as Node's
 * `getPeerCertificate()` gives it, and the time now. Rounded down; negative once expired.
 */
const TLS_DAYS_LEFT_SOURCE = `function tlsDaysLeft(validTo, now) {
  const expires = Date.parse(validTo);
  if (Number.isNaN(expires)) throw new Error('TLS certificate has an unreadable expiry date: ' + validTo);
  return Math.floor((expires - now.getTime()) / 86400000);
}`;

/**
 * The canary's handler (`index.handler`) for one check, generated from the definition; pure. It runs on the
 * Synthetics Node.js runtime (`Synthetics` for the step, `SyntheticsLogger` for the log, both used when present)
 * with Node's own `http`/`https`, and:
 * - reads each secret header's value at run time from Secrets Manager by the secret's name (`SecretString`);
 *   no secret value is in the script;
 * - sends the request, then fails the run (the canary's SuccessPercent falls) with a message naming what was
 *   wrong: `Status <n>, expected <m>`, `Body does not contain "<text>"`, `Body is not JSON`, `JSON field <path> is
 *   <value>, expected <value>`, `Response took <n> ms, over the budget of <m> ms`;
 * - for https, verifies the certificate (its chain, and its host name unless `verifyTlsHostname` is false), reads its expiry and logs a warning line (`TLS certificate of <host> expires in
 *   <n> days`) once it is within `tlsExpiryWarningDays` - the run does NOT fail for it;
 * - emits, as CloudWatch embedded metric format lines on stdout (Lambda extracts them, no permission needed), in
 *   the namespace the canary's `PLATFORM_METRIC_NAMESPACE` variable names (`Platform/<env>`), with dimension `Check=<name>`: {@link API_CHECK_LATENCY_METRIC} (milliseconds)
 *   and, for https, {@link API_CHECK_TLS_METRIC} (days) - the latency and TLS alarms watch them.
 * It also exports `tlsDaysLeft(validTo, now)`.
 */
export function renderCanaryScript(check: ApiCheckDefinition, options: CanaryScriptOptions = {}): string {
  const config = {
    name: check.name,
    url: check.url,
    method: check.method,
    headers: check.headers,
    secretHeaders: check.secretHeaders,
    expectedStatus: check.expectedStatus,
    body: check.body ?? null,
    latencyBudgetMs: check.latencyBudgetMs,
    tlsExpiryWarningDays: check.tlsExpiryWarningDays,
    latencyMetric: API_CHECK_LATENCY_METRIC,
    tlsMetric: API_CHECK_TLS_METRIC,
    verifyTlsHostname: options.verifyTlsHostname ?? true,
  };
  return `'use strict';
// Generated by platform-constructs renderCanaryScript for the API check ${JSON.stringify(check.name)}: do not edit.
// The Synthetics library of the runtime: its step (step metrics, the run's report) and its logger. Loaded when
// present, so that the check still runs (the handler's outcome is the run's outcome) if a runtime renames them.
function optionalRequire(name) {
  try { return require(name); } catch (error) { if (error && error.code === 'MODULE_NOT_FOUND') return undefined; throw error; }
}
const synthetics = optionalRequire('Synthetics');
const log = optionalRequire('SyntheticsLogger') || { info: (m) => console.log(m), warn: (m) => console.warn(m) };
const http = require('http');
const https = require('https');

const CHECK = ${JSON.stringify(config, null, 2)};

${TLS_DAYS_LEFT_SOURCE}

function emitMetric(name, value, unit) {
  process.stdout.write(JSON.stringify({
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [{ Namespace: process.env.PLATFORM_METRIC_NAMESPACE || 'Platform', Dimensions: [['Check']], Metrics: [{ Name: name, Unit: unit }] }],
    },
    Check: CHECK.name,
    [name]: value,
  }) + '\\n');
}

async function secretHeaders() {
  const names = Object.entries(CHECK.secretHeaders);
  if (names.length === 0) return {};
  const { SecretsManagerClient, GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({});
  const headers = {};
  for (const [header, secretName] of names) {
    const secret = await client.send(new GetSecretValueCommand({ SecretId: secretName }));
    if (typeof secret.SecretString !== 'string') throw new Error('Secret ' + secretName + ' (header ' + header + ') has no string value');
    headers[header] = secret.SecretString;
  }
  return headers;
}

function request(headers) {
  const url = new URL(CHECK.url);
  const client = url.protocol === 'https:' ? https : http;
  const timeout = Math.max(CHECK.latencyBudgetMs * 2, 10000);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const options = { method: CHECK.method, headers, timeout };
    // The chain of trust is always verified; the host name only when the URL's host can be on the certificate.
    if (!CHECK.verifyTlsHostname) options.checkServerIdentity = () => undefined;
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
        host: url.hostname,
      }));
    });
    req.on('timeout', () => req.destroy(new Error('No response within ' + timeout + ' ms')));
    req.on('error', reject);
    req.end();
  });
}

${renderResponseAssertions({ latency: true })}
exports.tlsDaysLeft = tlsDaysLeft;

async function step(name, fn) {
  if (synthetics && typeof synthetics.executeStep === 'function') return synthetics.executeStep(name, fn);
  return fn();
}

exports.handler = async () => {
  return step(CHECK.name, async () => {
    const headers = Object.assign({}, CHECK.headers, await secretHeaders());
    const response = await request(headers);
    emitMetric(CHECK.latencyMetric, response.elapsedMs, 'Milliseconds');
    if (response.validTo !== undefined) {
      const days = tlsDaysLeft(response.validTo, new Date());
      emitMetric(CHECK.tlsMetric, days, 'Count');
      if (days < CHECK.tlsExpiryWarningDays) log.warn('TLS certificate of ' + response.host + ' expires in ' + days + ' days');
    }
    const problems = assertResponse(response);
    if (problems.length > 0) throw new Error(CHECK.method + ' ' + CHECK.url + ': ' + problems.join('; '));
    log.info(CHECK.method + ' ' + CHECK.url + ': status ' + response.status + ' in ' + response.elapsedMs + ' ms');
  });
};
`;
}

/** The shape of an {@link ApiCheckDefinition}, for a definition passed by hand (plain JavaScript, `as` casts). */
const CHECK_DEFINITION_RULES: PropRules = {
  name: { kind: 'string', allowed: 'the check name, kebab-case' },
  url: { kind: 'string', allowed: 'the URL to request' },
  internal: { kind: 'boolean', allowed: 'true or false' },
  method: { kind: 'string', allowed: 'an HTTP method' },
  headers: { kind: 'object', allowed: 'the headers, by name' },
  secretHeaders: { kind: 'object', allowed: 'the secret names of the secret headers, by header name' },
  expectedStatus: { kind: 'number', allowed: 'an HTTP status code' },
  body: { kind: 'object', optional: true, allowed: '{contains} or {jsonPath, equals}' },
  latencyBudgetMs: { kind: 'number', allowed: 'milliseconds' },
  intervalMinutes: { kind: 'number', allowed: 'minutes' },
  tlsExpiryWarningDays: { kind: 'number', allowed: 'days' },
};

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const METHODS: readonly string[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** Every problem of a definition and props, as a SpecError; what `ApiCheck` checks before building anything. */
function validateApiCheck(path: string, props: ApiCheckProps): void {
  const { check } = props;
  const issues = new IssueCollector();
  const at = (field: string): string => `${path}.check.${field}`;
  if (!NAME.test(check.name)) issues.add(at('name'), check.name, 'kebab-case: lowercase letters, digits and hyphens');
  // A service's URL holds its load balancer's DNS name, a token until deployment: only its scheme is known.
  let url: { protocol: string } | undefined;
  if (Token.isUnresolved(check.url)) {
    const scheme = /^(https?:)\/\//.exec(check.url);
    if (scheme) url = { protocol: scheme[1]! };
    else issues.add(at('url'), check.url, 'an absolute http(s) URL');
  } else {
    try {
      url = new URL(check.url);
    } catch {
      issues.add(at('url'), check.url, 'an absolute http(s) URL');
    }
  }
  // Plain HTTP is allowed (a development service without a certificate), but secrets never cross the Internet in
  // clear text.
  const secretCount = Object.keys(check.secretHeaders).length;
  if (url && url.protocol !== 'https:' && url.protocol !== 'http:') {
    issues.add(at('url'), check.url, 'an absolute http(s) URL');
  } else if (url && url.protocol === 'http:' && !check.internal && secretCount > 0) {
    issues.add(
      at('url'),
      check.url,
      'an https:// URL for a public check with secret headers (their values would cross the Internet in clear text)',
    );
  }
  if (!METHODS.includes(check.method)) issues.add(at('method'), check.method, `one of ${METHODS.join(', ')}`);
  if (!Number.isInteger(check.expectedStatus) || check.expectedStatus < 100 || check.expectedStatus > 599) {
    issues.add(at('expectedStatus'), check.expectedStatus, 'an HTTP status code, 100-599');
  }
  if (!Number.isInteger(check.latencyBudgetMs) || check.latencyBudgetMs < 1) {
    issues.add(at('latencyBudgetMs'), check.latencyBudgetMs, 'a whole number of milliseconds, at least 1');
  }
  if (!Number.isInteger(check.intervalMinutes) || check.intervalMinutes < 1 || check.intervalMinutes > 60) {
    issues.add(at('intervalMinutes'), check.intervalMinutes, 'a whole number of minutes, 1-60');
  }
  if (!Number.isInteger(check.tlsExpiryWarningDays) || check.tlsExpiryWarningDays < 1) {
    issues.add(at('tlsExpiryWarningDays'), check.tlsExpiryWarningDays, 'a whole number of days, at least 1');
  }
  for (const [header, secret] of Object.entries(check.secretHeaders)) {
    if (!/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(secret)) {
      issues.add(at(`secretHeaders.${header}`), secret, 'a Secrets Manager secret name (letters, digits, /_+=.@-)');
    }
  }
  if (props.tier !== undefined && !(TIERS as readonly string[]).includes(props.tier)) {
    issues.add(`${path}.tier`, props.tier, `one of ${TIERS.join(', ')}`);
  }
  if (check.internal && props.vpc === undefined) {
    issues.add(`${path}.vpc`, undefined, 'the VPC an internal check runs in (Network.vpc)');
  }
  issues.throwIfAny(`Invalid ApiCheck ${path}`);
}

/**
 * A synthetic API check on AWS: a CloudWatch Synthetics canary (runtime {@link API_CHECK_RUNTIME}) that requests
 * one URL every `intervalMinutes` and asserts its status, body and latency, with its script generated from the
 * definition ({@link renderCanaryScript}).
 *
 * - Internal checks run in the VPC's private subnets with a security group of their own (no inbound; HTTPS out,
 *   and the endpoint's port to the VPC). Public checks run outside any VPC. Unlike Azure's web tests, a canary
 *   runs at any interval from 1 to 60 minutes, from the environment's own region, reads secret headers from
 *   Secrets Manager at run time, and reaches internal endpoints: every check is a canary.
 * - Artifacts (logs, reports) go to the stack's one artifacts bucket ({@link ApiCheck.artifactsBucketOf}), under
 *   the canary's name: SSE-S3, SSL-only, public access blocked, versioned, expiring after 30 days in development
 *   and 90 in production, retained in production.
 * - The canary's role holds a customer-managed policy: its own prefix of the artifacts bucket, its own log group,
 *   the Synthetics metrics, `secretsmanager:GetSecretValue` on exactly the named secrets, and ENI management in a VPC.
 * - Alarms through `monitoring.addAlarm`, with the ids of {@link apiCheckAlarmIds}: `check/<name>/success`
 *   (critical; any failed run, or no run at all), `check/<name>/latency` (warning; the response slower than the
 *   budget) and, for https, `check/<name>/tls` (warning; the certificate within `tlsExpiryWarningDays` of expiry).
 *
 * @example
 * new ApiCheck(stack, 'ApiHealth', {
 *   environment: 'dev',
 *   monitoring,
 *   check: {
 *     name: 'api-health',
 *     url: 'https://api.example.com/health',
 *     internal: false,
 *     method: 'GET',
 *     headers: { Accept: 'application/json' },
 *     secretHeaders: { 'X-Api-Key': 'platform/dev/api-key' },
 *     expectedStatus: 200,
 *     body: { jsonPath: 'status', equals: 'ok' },
 *     latencyBudgetMs: 2000,
 *     intervalMinutes: 5,
 *     tlsExpiryWarningDays: 21,
 *   },
 * });
 */
export class ApiCheck extends Construct {
  /**
   * The artifacts bucket of the stack `scope` is in, created on first use as the stack's child `ApiCheckArtifacts`
   * (one per stack, shared by every check in it): SSE-S3, SSL-only, public access blocked, versioned, objects
   * expiring after 30 days in development and 90 in production, retained where the stack retains data.
   */
  public static artifactsBucketOf(scope: Construct, tier?: Tier): s3.Bucket {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(ARTIFACTS_BUCKET_ID);
    if (existing instanceof s3.Bucket) return existing;
    return ApiCheck.createArtifactsBucket(stack, ARTIFACTS_BUCKET_ID, tier ?? tierOf(stack));
  }

  /**
   * A new artifacts bucket in `scope` (for a construct that keeps its checks' artifacts apart, such as an
   * application): SSE-S3, SSL-only, public access blocked, versioned, objects expiring after the tier's days
   * ({@link API_CHECK_ARTIFACT_DAYS}), retained where `scope` retains data (`RetainStatefulResources`).
   */
  public static createArtifactsBucket(scope: Construct, id: string, tier: Tier): s3.Bucket {
    const days = Duration.days(API_CHECK_ARTIFACT_DAYS[tier]);
    const bucket = new s3.Bucket(scope, id, {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RetainStatefulResources.removalPolicyOf(scope),
      lifecycleRules: [
        {
          id: 'ExpireArtifacts',
          expiration: days,
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
    for (const [rule, reason] of ARTIFACT_BUCKET_ACKNOWLEDGEMENTS) acknowledge(bucket, rule, reason);
    return bucket;
  }

  /** The canary. */
  public readonly canary: synthetics.Canary;
  /** The bucket the canary's artifacts go to (under the prefix of the canary's name). */
  public readonly artifactsBucket: s3.IBucket;
  /** The canary's role. */
  public readonly role: iam.Role;
  /** The canary's security group, for an internal check. */
  public readonly securityGroup?: ec2.SecurityGroup;
  /** The alarm `check/<name>/success` on failed (or missing) runs, unless the spec switched it off. */
  public readonly successAlarm?: cloudwatch.Alarm;
  /** The alarm `check/<name>/latency` on responses over the budget, unless the spec switched it off. */
  public readonly latencyAlarm?: cloudwatch.Alarm;
  /** The alarm `check/<name>/tls` on a certificate close to expiry (https only), unless the spec switched it off. */
  public readonly tlsAlarm?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ApiCheckProps) {
    super(scope, id);
    checkProps('ApiCheck', this.node.path, props, {
      check: {
        kind: 'object',
        allowed: 'the resolved API check definition (ApiCheckDefinition)',
        fields: CHECK_DEFINITION_RULES,
      },
      environment: { kind: 'string', allowed: 'the environment name' },
      monitoring: {
        kind: 'object',
        allowed: "the environment's monitoring (Monitoring, or Monitoring.fromAttributes)",
      },
      vpc: { kind: 'object', optional: true, allowed: 'the VPC an internal check runs in (Network.vpc)' },
      artifactsBucket: { kind: 'object', optional: true, allowed: 'an S3 bucket (s3.IBucket)' },
      verifyTlsHostname: { kind: 'boolean', optional: true, allowed: 'true or false' },
      tier: { kind: 'string', optional: true, allowed: "'development' or 'production'" },
    });
    validateApiCheck(this.node.path, props);
    const { check, environment, monitoring } = props;
    const stack = Stack.of(this);
    const canaryName = apiCheckCanaryName(environment, check.name);
    const tier = props.tier ?? tierOf(this);
    const artifactDays = Duration.days(API_CHECK_ARTIFACT_DAYS[tier]);
    const https = check.url.startsWith('https:');
    this.artifactsBucket = props.artifactsBucket ?? ApiCheck.artifactsBucketOf(this, tier);
    const artifactObjects = this.artifactsBucket.arnForObjects(`${canaryName}/*`);

    const logGroupArn = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: `/aws/lambda/cwsyn-${canaryName}-*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const statements: iam.PolicyStatement[] = [
      new iam.PolicyStatement({ sid: 'WriteArtifacts', actions: ['s3:PutObject'], resources: [artifactObjects] }),
      new iam.PolicyStatement({
        sid: 'LocateArtifacts',
        actions: ['s3:GetBucketLocation'],
        resources: [this.artifactsBucket.bucketArn],
      }),
      new iam.PolicyStatement({ sid: 'ListBuckets', actions: ['s3:ListAllMyBuckets'], resources: ['*'] }),
      new iam.PolicyStatement({
        sid: 'SyntheticsMetrics',
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': 'CloudWatchSynthetics' } },
      }),
      new iam.PolicyStatement({
        sid: 'WriteLogs',
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroupArn],
      }),
    ];
    const secretArns = [...new Set(Object.values(check.secretHeaders))].map((name) =>
      stack.formatArn({
        service: 'secretsmanager',
        resource: 'secret',
        resourceName: `${name}-??????`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    );
    if (secretArns.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'ReadHeaderSecrets',
          actions: ['secretsmanager:GetSecretValue'],
          resources: secretArns,
        }),
      );
    }
    const vpcActions = ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface'];
    if (check.internal) {
      statements.push(new iam.PolicyStatement({ sid: 'VpcNetworkInterfaces', actions: vpcActions, resources: ['*'] }));
    }
    this.role = new iam.Role(this, 'Role', {
      description: `Runs the canary ${canaryName}`,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    });
    const policy = new iam.ManagedPolicy(this, 'Policy', {
      description: `Least privilege of the canary ${canaryName}`,
      roles: [this.role],
      statements,
    });
    acknowledgeWildcardGrant(policy, {
      actions: ['s3:PutObject'],
      resources: [artifactObjects],
      reason:
        'The canary writes each run under a new key (date and run id) below its own prefix of the artifacts bucket, and nowhere else',
    });
    acknowledgeWildcardGrant(policy, {
      actions: ['s3:ListAllMyBuckets', 'cloudwatch:PutMetricData'],
      resources: ['*'],
      reason:
        'Neither action has resource-level permissions; PutMetricData is held to the CloudWatchSynthetics namespace by a condition, ListAllMyBuckets lists names only',
    });
    acknowledgeWildcardGrant(policy, {
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroupArn],
      reason:
        "The canary's Lambda log group name ends in a suffix Synthetics chooses at creation; held to this canary's prefix",
    });
    if (check.internal) {
      acknowledgeWildcardGrant(policy, {
        actions: vpcActions,
        resources: ['*'],
        reason:
          'Lambda manages the network interfaces of a function in a VPC; these actions have no resource-level permissions on create and describe',
      });
    }

    if (check.internal) {
      const vpc = props.vpc!;
      this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
        vpc,
        description: `${canaryName}: no inbound traffic; HTTPS out to AWS APIs, the endpoint port to the VPC`,
        allowAllOutbound: false,
      });
      this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS endpoints and AWS APIs');
      const egress = apiCheckPort(check.url);
      if (egress !== 443) {
        this.securityGroup.addEgressRule(ec2.Peer.ipv4(vpc.vpcCidrBlock), ec2.Port.tcp(egress), 'The checked endpoint');
      }
    }

    this.canary = new synthetics.Canary(this, 'Canary', {
      canaryName,
      runtime: API_CHECK_RUNTIME,
      test: synthetics.Test.custom({
        code: synthetics.Code.fromInline(
          renderCanaryScript(check, { verifyTlsHostname: props.verifyTlsHostname ?? true }),
        ),
        handler: 'index.handler',
      }),
      schedule: synthetics.Schedule.rate(Duration.minutes(check.intervalMinutes)),
      role: this.role,
      artifactsBucketLocation: { bucket: this.artifactsBucket, prefix: canaryName },
      artifactS3EncryptionMode: synthetics.ArtifactsEncryptionMode.S3_MANAGED,
      successRetentionPeriod: artifactDays,
      failureRetentionPeriod: artifactDays,
      startAfterCreation: true,
      environmentVariables: { PLATFORM_METRIC_NAMESPACE: apiCheckNamespace(environment) },
      provisionedResourceCleanup: true,
      ...(check.internal && {
        vpc: props.vpc!,
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        securityGroups: [this.securityGroup!],
      }),
    });
    this.canary.node.addDependency(policy);

    // Alarm texts stay plain strings: a load balancer's DNS name (a token) reads as "the load balancer".
    const shownUrl = Token.isUnresolved(check.url)
      ? check.url.replace(/^(https?:\/\/)[^/?#]*/, '$1<load balancer>')
      : check.url;
    const ids = apiCheckAlarmIds(check.name);
    const period = Duration.minutes(check.intervalMinutes);
    const dimensionsMap = { Check: check.name };
    this.successAlarm = monitoring.addAlarm(this, ids.success, {
      threshold: 100,
      severity: 'critical',
      description: `The API check ${check.name} (${check.method} ${shownUrl}) failed a run, or did not run: wrong status, body or over its latency budget`,
      firstResponse: `Open the canary ${canaryName} in CloudWatch Synthetics and read the failed run's log; then check the endpoint`,
      metric: this.canary.metricSuccessPercent({ period, statistic: cloudwatch.Stats.AVERAGE }),
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    this.latencyAlarm = monitoring.addAlarm(this, ids.latency, {
      threshold: check.latencyBudgetMs,
      severity: 'warning',
      description: (tuned) => `The API check ${check.name} got a response slower than ${tuned.threshold} ms`,
      firstResponse: `Compare the latency of ${shownUrl} with its recent deployments and load`,
      metric: new cloudwatch.Metric({
        namespace: apiCheckNamespace(environment),
        metricName: API_CHECK_LATENCY_METRIC,
        dimensionsMap,
        period,
        statistic: cloudwatch.Stats.MAXIMUM,
        unit: cloudwatch.Unit.MILLISECONDS,
      }),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (https) {
      const rawHost = urlParts(check.url).host;
      const host = Token.isUnresolved(rawHost) ? 'the load balancer (the certificate of the service)' : rawHost;
      this.tlsAlarm = monitoring.addAlarm(this, ids.tls, {
        threshold: check.tlsExpiryWarningDays,
        severity: 'warning',
        description: (tuned) =>
          `The TLS certificate of ${host} (API check ${check.name}) expires in less than ${tuned.threshold} days`,
        firstResponse: `Renew or re-import the certificate of ${host}, or check why its automatic renewal failed`,
        metric: new cloudwatch.Metric({
          namespace: apiCheckNamespace(environment),
          metricName: API_CHECK_TLS_METRIC,
          dimensionsMap,
          period,
          statistic: cloudwatch.Stats.MINIMUM,
          unit: cloudwatch.Unit.COUNT,
        }),
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
  }
}

/** The id of the stack's one artifacts bucket; part of its logical ID, so never to change. */
const ARTIFACTS_BUCKET_ID = 'ApiCheckArtifacts';

/**
 * The TCP port a URL is requested on: its own, else 443 for https and 80 for http. The host may be a token (a
 * load balancer's DNS name).
 */
export function apiCheckPort(url: string): number {
  const { https, port } = urlParts(url);
  return port ?? (https ? 443 : 80);
}

/** Scheme, host and port of an http(s) URL whose host may be an unresolved token, which `new URL` cannot read. */
function urlParts(url: string): { readonly https: boolean; readonly host: string; readonly port?: number } {
  const match = /^(https?):\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)(?::(\d+))?/.exec(url);
  if (!match) throw new Error(`${url}: not an absolute http(s) URL`);
  return {
    https: match[1] === 'https',
    host: match[2]!,
    ...(match[3] !== undefined && { port: Number(match[3]) }),
  };
}

/** What cdk-nag reports on the artifacts bucket that no setting needs to fix, and why each is safe. */
const ARTIFACT_BUCKET_ACKNOWLEDGEMENTS: readonly (readonly [string, string])[] = [
  [
    'AwsSolutions-S1',
    "The bucket holds only the canaries' own run artifacts (logs, reports), written by their roles alone; access logs would record nothing but those writes",
  ],
  [
    'NIST.800.53.R5-S3BucketLoggingEnabled',
    "The bucket holds only the canaries' own run artifacts (logs, reports), written by their roles alone; access logs would record nothing but those writes",
  ],
  [
    'NIST.800.53.R5-S3DefaultEncryptionKMS',
    'The artifacts hold no secret (secret headers are never logged) and are encrypted with S3-managed keys; a KMS key per check would cost more than the data is worth',
  ],
  [
    'NIST.800.53.R5-S3BucketReplicationEnabled',
    'Run artifacts are diagnostics reproduced by every run and expire within 90 days; nothing is restored from them',
  ],
];

/**
 * The API check of a service of the environment (a check whose target is `{service, path}`), in `scope` with the
 * check's name as id: the service's load balancer URL (`ContainerService.url`) plus the path. The load balancer's
 * own DNS name is never on the service's certificate, so an https check verifies the chain of trust and the expiry,
 * not the host name. An internal check's security group is admitted to the load balancer on the URL's port.
 * @param props the props of every check but `check` and `verifyTlsHostname`
 */
export function serviceApiCheck(
  scope: Construct,
  check: CheckSpec,
  service: ContainerService,
  props: Omit<ApiCheckProps, 'check' | 'verifyTlsHostname'>,
): ApiCheck {
  const path = 'service' in check.target ? check.target.path : '/';
  const definition = apiCheckDefinition(check, `${service.url}${path}`);
  const apiCheck = new ApiCheck(scope, check.name, { ...props, check: definition, verifyTlsHostname: false });
  if (apiCheck.securityGroup) {
    const balancer = service.loadBalancerSecurityGroup;
    const before = new Set(balancer.node.children);
    balancer.addIngressRule(
      apiCheck.securityGroup,
      ec2.Port.tcp(apiCheckPort(definition.url)),
      `The API check ${check.name}`,
    );
    // The review reports the new rule as widened access: say, next to it, why it is intended and narrow.
    for (const rule of balancer.node.children.filter((c) => !before.has(c))) {
      if (rule instanceof ec2.CfnSecurityGroupIngress) {
        acknowledgeChange(
          rule,
          'security',
          `Admits only the canary of the API check ${check.name} (its own security group, on the listener port), so it can request the internal service from inside the VPC; nothing else gains access`,
        );
      }
    }
  }
  return apiCheck;
}
