import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as aps from 'aws-cdk-lib/aws-aps';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { checkProps, IssueCollector, PLATFORM_PREFIX, SEVERITIES, type Severity } from '../core';
import type { PrometheusRuleSpec, PrometheusSpec } from '../core/kubernetes';
import type { IMonitoring } from './interfaces';
import { RetainStatefulResources } from './protection';
import { logRetentionOf } from './retention';

/** The cluster a {@link ManagedPrometheus} scrapes: `KubernetesCluster` is one. */
export interface IScrapedCluster {
  /** The cluster name (`platform-<env>`): the `cluster` label of every series. */
  readonly clusterName: string;
  /** The cluster's ARN. */
  readonly clusterArn: string;
  /** The private subnets the scraper's network interfaces go into. */
  readonly subnetIds: readonly string[];
  /** The security groups of the scraper's network interfaces: they must reach the API server and the pods. */
  readonly scraperSecurityGroupIds: readonly string[];
}

/** How often the scraper collects the cluster's metrics (the agentless scraper's shortest interval). */
export const PROMETHEUS_SCRAPE_INTERVAL = '30s';

/** The service account token and CA the agentless scraper presents to the API server. */
const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Props of {@link ManagedPrometheus}. */
export interface ManagedPrometheusProps {
  /** The environment's resolved `prometheus` section: the rules and their evaluation interval. */
  readonly spec: PrometheusSpec;
  /** The environment name: the workspace, rule namespace and scraper are `platform-<env>`. */
  readonly environment: string;
  /** The cluster to scrape. */
  readonly cluster: IScrapedCluster;
  /** The environment's monitoring: its key encrypts the workspace's log group (`/platform/<env>/prometheus`). */
  readonly monitoring: IMonitoring;
  /**
   * The SNS topic of each severity the alert manager sends to. Their policy and key must admit
   * `aps.amazonaws.com` (`Monitoring.allowPrometheusAlerts()`).
   * @default - the environment's topics by their names, `platform-<env>-critical` and `platform-<env>-warning`
   *   in this account and region, so that this stack references nothing of the foundation for them
   */
  readonly topicArns?: Readonly<Record<Severity, string>>;
  /**
   * How long the workspace's logs are kept, in days (a retention CloudWatch Logs offers).
   * @default - what the tier of its PlatformStack decides: 365 days in production, 30 in development
   */
  readonly logRetentionDays?: number;
}

/**
 * Amazon Managed Service for Prometheus for an environment's cluster:
 * - a workspace `platform-<env>` encrypted with its own key (retained in production: the key cannot change
 *   without replacing the workspace and its metrics), logging to `/platform/<env>/prometheus`;
 * - the spec's rules (the default rule set as tuned, then the environment's own) in one rule groups namespace,
 *   evaluated every `spec.interval` ({@link renderPrometheusRulesYaml});
 * - an alert manager that routes each alert by its `severity` label to the environment's topic of that
 *   severity, like the alarms ({@link renderAlertManagerDefinition});
 * - an agentless scraper of the cluster (no agent, no kubectl: EKS gives it an access entry itself) with the jobs
 *   `apiserver`, `kubelet`, `cadvisor` and `kube-state-metrics`, the job names the rules select on both clouds
 *   ({@link renderScrapeConfiguration}).
 *
 * @example
 * foundation.monitoring.allowPrometheusAlerts();
 * new ManagedPrometheus(stack, 'Prometheus', {
 *   spec: env.prometheus,
 *   environment: env.name,
 *   cluster,
 *   monitoring: foundation.monitoring,
 * });
 */
export class ManagedPrometheus extends Construct {
  /** The workspace. */
  public readonly workspace: aps.CfnWorkspace;
  /** The key encrypting the workspace's metrics, rules and alert manager definition. */
  public readonly encryptionKey: kms.Key;
  /** The workspace's log group, `/platform/<env>/prometheus`. */
  public readonly logGroup: logs.LogGroup;
  /** The namespace holding the rules. */
  public readonly rules: aps.CfnRuleGroupsNamespace;
  /** The agentless scraper of the cluster. */
  public readonly scraper: aps.CfnScraper;

  constructor(scope: Construct, id: string, props: ManagedPrometheusProps) {
    super(scope, id);
    checkProps('ManagedPrometheus', this.node.path, props, {
      spec: {
        kind: 'object',
        allowed: "the environment's resolved prometheus section: defineEnvironment(...).prometheus",
        fields: {
          interval: { kind: 'string', allowed: 'a Prometheus duration from 1m to 15m' },
          rules: { kind: 'array', allowed: 'the rules ([] for none)' },
        },
      },
      environment: { kind: 'string', allowed: 'the environment name' },
      cluster: {
        kind: 'object',
        allowed: 'the cluster to scrape (KubernetesCluster)',
        fields: {
          clusterName: { kind: 'string', allowed: 'the cluster name' },
          clusterArn: { kind: 'string', allowed: 'the cluster ARN' },
          subnetIds: { kind: 'array', allowed: 'the private subnet ids' },
          scraperSecurityGroupIds: { kind: 'array', allowed: 'the security group ids of the scraper' },
        },
      },
      monitoring: {
        kind: 'object',
        allowed: "the environment's monitoring (Monitoring, or Monitoring.fromAttributes)",
      },
      topicArns: { kind: 'object', optional: true, allowed: 'the topic ARN of each severity, { critical, warning }' },
      logRetentionDays: { kind: 'number', optional: true, allowed: 'a retention CloudWatch Logs offers, in days' },
    });
    validatePrometheusProps(props);
    const stack = Stack.of(this);
    const name = `${PLATFORM_PREFIX}-${props.environment}`;
    const removalPolicy = RetainStatefulResources.removalPolicyOf(this);
    const workspaces = stack.formatArn({
      service: 'aps',
      resource: 'workspace',
      resourceName: '*',
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });

    this.encryptionKey = new kms.Key(this, 'Key', {
      description: `Encrypts the Prometheus workspace of ${name}`,
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      removalPolicy,
    });
    // The workspace creator's grant (through the account's IAM, the key's default statement) is how AMP uses the
    // key; the service itself may use it for this account's workspaces only.
    this.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowPrometheusWorkspaces',
        principals: [new iam.ServicePrincipal('aps.amazonaws.com')],
        actions: [
          'kms:Encrypt',
          'kms:Decrypt',
          'kms:ReEncrypt*',
          'kms:GenerateDataKey*',
          'kms:DescribeKey',
          'kms:CreateGrant',
        ],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': workspaces },
        },
      }),
    );

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/${PLATFORM_PREFIX}/${props.environment}/prometheus`,
      retention: logRetentionOf(this, props.logRetentionDays),
      encryptionKey: props.monitoring.encryptionKey,
      removalPolicy,
    });

    const topicArns =
      props.topicArns ??
      (Object.fromEntries(
        SEVERITIES.map((severity) => [
          severity,
          stack.formatArn({ service: 'sns', resource: `${name}-${severity}`, arnFormat: ArnFormat.NO_RESOURCE_NAME }),
        ]),
      ) as Record<Severity, string>);

    this.workspace = new aps.CfnWorkspace(this, 'Resource', {
      alias: name,
      kmsKeyArn: this.encryptionKey.keyArn,
      alertManagerDefinition: renderAlertManagerDefinition(topicArns, stack.region),
      loggingConfiguration: { logGroupArn: this.logGroup.logGroupArn },
    });
    this.workspace.applyRemovalPolicy(removalPolicy);

    this.rules = new aps.CfnRuleGroupsNamespace(this, 'Rules', {
      workspace: this.workspace.attrArn,
      name,
      data: renderPrometheusRulesYaml(name, props.spec),
    });

    this.scraper = new aps.CfnScraper(this, 'Scraper', {
      alias: name,
      source: {
        eksConfiguration: {
          clusterArn: props.cluster.clusterArn,
          subnetIds: [...props.cluster.subnetIds],
          securityGroupIds: [...props.cluster.scraperSecurityGroupIds],
        },
      },
      destination: { ampConfiguration: { workspaceArn: this.workspace.attrArn } },
      scrapeConfiguration: { configurationBlob: renderScrapeConfiguration(props.cluster.clusterName) },
    });
  }
}

/** One rule of a Prometheus rules file, as AMP reads it. */
type RenderedRule =
  | {
      alert: string;
      expr: string;
      for: string;
      labels: Record<string, string>;
      annotations: Record<string, string>;
    }
  | { record: string; expr: string; labels?: Record<string, string> };

function renderRule(rule: PrometheusRuleSpec): RenderedRule {
  if (rule.kind === 'record') {
    return {
      record: rule.name,
      expr: rule.expr,
      ...(Object.keys(rule.labels).length > 0 && { labels: { ...rule.labels } }),
    };
  }
  return {
    alert: rule.name,
    expr: rule.expr,
    for: rule.for,
    // The severity routes the alert; a label of the spec cannot override it.
    labels: { ...rule.labels, severity: rule.severity },
    annotations: { summary: rule.summary, ...rule.annotations },
  };
}

/**
 * The rules of the spec as a Prometheus rules file (the `data` of an AMP rule groups namespace): one group named
 * after the environment, evaluated every `spec.interval`. Alert rules carry their severity as the `severity`
 * label (what the alert manager routes on) and their summary as the `summary` annotation. Templates such as
 * `{{ $labels.node }}` stay as they are: the YAML emitter quotes every string that needs it.
 */
export function renderPrometheusRulesYaml(group: string, spec: PrometheusSpec): string {
  return stringify(
    { groups: [{ name: group, interval: spec.interval, rules: spec.rules.map(renderRule) }] },
    { lineWidth: 0 },
  );
}

/**
 * The AMP alert manager definition: alerts grouped by name and cluster, sent to the topic of their `severity`
 * label (critical, else warning), each message with a `severity` message attribute. `repeat_interval` stays under
 * AMP's five-day cap.
 */
export function renderAlertManagerDefinition(topicArns: Readonly<Record<Severity, string>>, region: string): string {
  const receiver = (severity: Severity): Record<string, unknown> => ({
    name: severity,
    sns_configs: [{ topic_arn: topicArns[severity], sigv4: { region }, attributes: { severity } }],
  });
  const config = {
    route: {
      receiver: 'warning',
      group_by: ['alertname', 'cluster'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: [{ matchers: ['severity="critical"'], receiver: 'critical' }],
    },
    receivers: SEVERITIES.map(receiver),
  };
  return stringify({ alertmanager_config: stringify(config, { lineWidth: 0 }) }, { lineWidth: 0 });
}

/** A job that reaches the API server with the scraper's service account. */
function apiJob(jobName: string, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    job_name: jobName,
    scheme: 'https',
    authorization: { type: 'Bearer', credentials_file: `${SERVICE_ACCOUNT}/token` },
    tls_config: { ca_file: `${SERVICE_ACCOUNT}/ca.crt`, insecure_skip_verify: true },
    ...extra,
  };
}

/** A job over the nodes, through the API server's node proxy (`/api/v1/nodes/<node>/proxy<path>`). */
function nodeProxyJob(jobName: string, path: string): Record<string, unknown> {
  return apiJob(jobName, {
    kubernetes_sd_configs: [{ role: 'node' }],
    relabel_configs: [
      { action: 'labelmap', regex: '__meta_kubernetes_node_label_(.+)' },
      { source_labels: ['__meta_kubernetes_node_name'], target_label: 'node' },
      { target_label: '__address__', replacement: 'kubernetes.default.svc:443' },
      {
        source_labels: ['__meta_kubernetes_node_name'],
        regex: '(.+)',
        target_label: '__metrics_path__',
        replacement: `/api/v1/nodes/$1/proxy${path}`,
      },
    ],
  });
}

/**
 * The scraper's configuration: every 30 seconds, the jobs the rules select on both clouds (`apiserver`,
 * `kubelet`, `cadvisor`, `kube-state-metrics`), every series labelled with the cluster name. The kubelets are
 * scraped through the API server's node proxy, the only way the scraper reaches them by name.
 */
export function renderScrapeConfiguration(clusterName: string): string {
  return stringify(
    {
      global: { scrape_interval: PROMETHEUS_SCRAPE_INTERVAL, external_labels: { cluster: clusterName } },
      scrape_configs: [
        apiJob('apiserver', {
          kubernetes_sd_configs: [{ role: 'endpoints' }],
          relabel_configs: [
            {
              source_labels: [
                '__meta_kubernetes_namespace',
                '__meta_kubernetes_service_name',
                '__meta_kubernetes_endpoint_port_name',
              ],
              action: 'keep',
              regex: 'default;kubernetes;https',
            },
          ],
        }),
        nodeProxyJob('kubelet', '/metrics'),
        nodeProxyJob('cadvisor', '/metrics/cadvisor'),
        {
          job_name: 'kube-state-metrics',
          honor_labels: true,
          kubernetes_sd_configs: [{ role: 'endpoints' }],
          relabel_configs: [
            { source_labels: ['__meta_kubernetes_service_name'], action: 'keep', regex: 'kube-state-metrics' },
            // Its own telemetry port describes kube-state-metrics, not the cluster.
            { source_labels: ['__meta_kubernetes_endpoint_port_name'], action: 'drop', regex: 'telemetry' },
          ],
        },
      ],
    },
    { lineWidth: 0 },
  );
}

function validatePrometheusProps(props: ManagedPrometheusProps): void {
  const issues = new IssueCollector();
  const at = 'prometheus';
  if (!/^\d+[smh]$/.test(props.spec.interval)) {
    issues.add(`${at}.interval`, props.spec.interval, 'a Prometheus duration such as 1m');
  }
  // Two alert rules may share a name (one alert, two conditions), as the default rule set's do.
  props.spec.rules.forEach((rule, i) => {
    if (rule.expr.trim() === '') issues.add(`${at}.rules[${i}].expr`, rule.expr, 'a PromQL expression');
  });
  if (props.cluster.subnetIds.length === 0) {
    issues.add('cluster.subnetIds', props.cluster.subnetIds, 'at least one private subnet');
  }
  issues.throwIfAny('Invalid managed Prometheus');
}
