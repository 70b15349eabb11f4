import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { parse } from 'yaml';
import {
  KubernetesCluster,
  ManagedPrometheus,
  Monitoring,
  Network,
  PlatformChecks,
  PlatformStack,
  renderAlertManagerDefinition,
  renderPrometheusRulesYaml,
  type ManagedPrometheusProps,
} from '../../lib/aws';
import type { KubernetesSpec, PrometheusSpec } from '../../lib/core/kubernetes';
import { errorOf, prodEnvironment } from '../util/fixtures';

const KUBERNETES: KubernetesSpec = {
  version: '1.35',
  pools: [{ name: 'system', size: 'medium', minCount: 2, maxCount: 4, zones: 2, system: true, diskGiB: 50 }],
  publicApiCidrs: [],
  egress: [],
  admins: { aws: [], azure: [] },
};

const PROMETHEUS: PrometheusSpec = {
  interval: '1m',
  rules: [
    {
      kind: 'alert',
      name: 'KubeNodeNotReady',
      expr: 'kube_node_status_condition{job="kube-state-metrics",condition="Ready",status="true"} == 0',
      for: '15m',
      severity: 'warning',
      summary: 'Node is not ready.',
      labels: {},
      annotations: { description: '{{ $labels.node }} has been unready for more than 15 minutes.' },
    },
    {
      kind: 'alert',
      name: 'KubePersistentVolumeFillingUp',
      expr: 'kubelet_volume_stats_available_bytes{job="kubelet"} / kubelet_volume_stats_capacity_bytes{job="kubelet"} < 0.03',
      for: '1m',
      severity: 'critical',
      summary: 'PersistentVolume is filling up.',
      labels: { team: 'platform', severity: 'warning' },
      annotations: {},
    },
    {
      kind: 'record',
      name: 'namespace:container_cpu:sum',
      expr: 'sum by (namespace) (rate(container_cpu_usage_seconds_total[5m]))',
      labels: {},
    },
  ],
  disabledDefaults: {},
};

interface Built {
  readonly stack: Stack;
  readonly template: Template;
  readonly cluster: KubernetesCluster;
  readonly prometheus: ManagedPrometheus;
  readonly monitoring: Monitoring;
}

function build(spec: PrometheusSpec = PROMETHEUS, extra: Partial<ManagedPrometheusProps> = {}): Built {
  const stack = new PlatformStack(new App(), 'Kubernetes', {
    env: { account: '333333333333', region: 'eu-west-1' },
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    tier: 'production',
  });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1, restrictDefaultSecurityGroup: false });
  const monitoring = new Monitoring(stack, 'Monitoring', { spec: prodEnvironment().monitoring, name: 'prod' });
  const cluster = new KubernetesCluster(stack, 'Cluster', {
    spec: KUBERNETES,
    environment: 'prod',
    network: Network.fromVpc(stack, 'Network', vpc),
    monitoring,
  });
  monitoring.allowPrometheusAlerts();
  const prometheus = new ManagedPrometheus(stack, 'Prometheus', {
    spec,
    environment: 'prod',
    cluster,
    monitoring,
    ...extra,
  });
  return { stack, template: Template.fromStack(stack), cluster, prometheus, monitoring };
}

/** A string property as deployed: a `Fn::Join` of literals and the partition, resolved for `aws`. */
function deployed(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  return join[1]
    .map((part) => {
      if (typeof part === 'string') return part;
      if ((part as { Ref?: string }).Ref === 'AWS::Partition') return 'aws';
      throw new Error(`unexpected token in ${JSON.stringify(value)}`);
    })
    .join(join[0]);
}

function workspaceProperties(built: Built): Record<string, unknown> {
  const workspaces = Object.values(built.template.findResources('AWS::APS::Workspace'));
  expect(workspaces).toHaveLength(1);
  return (workspaces[0] as { Properties: Record<string, unknown> }).Properties;
}

describe('ManagedPrometheus (AWS)', () => {
  let built: Built;
  beforeAll(() => {
    built = build();
  });

  test('a workspace platform-<env> encrypted with its own key, logging to /platform/<env>/prometheus, retained', () => {
    const props = workspaceProperties(built);
    expect(props.Alias).toBe('platform-prod');
    expect(props.KmsKeyArn).toEqual(built.stack.resolve(built.prometheus.encryptionKey.keyArn));
    expect(props.LoggingConfiguration).toEqual({
      LogGroupArn: built.stack.resolve(built.prometheus.logGroup.logGroupArn),
    });
    built.template.hasResource('AWS::APS::Workspace', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    built.template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/platform/prod/prometheus',
      KmsKeyId: built.stack.resolve(built.monitoring.encryptionKey.keyArn),
    });
  });

  test("the workspace key admits aps.amazonaws.com for this account's workspaces only", () => {
    built.template.hasResourceProperties('AWS::KMS::Key', {
      Description: 'Encrypts the Prometheus workspace of platform-prod',
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowPrometheusWorkspaces',
            Principal: { Service: 'aps.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': '333333333333' },
              ArnLike: { 'aws:SourceArn': Match.anyValue() },
            },
          }),
        ]),
      },
    });
  });

  test('the alert manager routes critical alerts to the critical topic and the rest to the warning topic', () => {
    const definition = parse(deployed(workspaceProperties(built).AlertManagerDefinition)) as {
      alertmanager_config: string;
    };
    const config = parse(definition.alertmanager_config) as {
      route: { receiver: string; routes: { matchers: string[]; receiver: string }[] };
      receivers: { name: string; sns_configs: { topic_arn: string; sigv4: { region: string } }[] }[];
    };
    expect(config.route.receiver).toBe('warning');
    expect(config.route.routes).toEqual([{ matchers: ['severity="critical"'], receiver: 'critical' }]);
    const topicOf = Object.fromEntries(config.receivers.map((r) => [r.name, r.sns_configs[0]!.topic_arn]));
    expect(topicOf).toEqual({
      critical: 'arn:aws:sns:eu-west-1:333333333333:platform-prod-critical',
      warning: 'arn:aws:sns:eu-west-1:333333333333:platform-prod-warning',
    });
    expect(config.receivers.map((r) => r.sns_configs[0]!.sigv4.region)).toEqual(['eu-west-1', 'eu-west-1']);
    // The topics the names point at are the monitoring's.
    built.template.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'platform-prod-critical' });
    built.template.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'platform-prod-warning' });
  });

  test('the topics and their key admit aps.amazonaws.com from workspaces of this account by pattern', () => {
    for (const topic of Object.values(built.monitoring.topics)) {
      built.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [built.stack.resolve(topic.topicArn)],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Sid: 'AllowPrometheusAlertManagerToPublish',
              Principal: { Service: 'aps.amazonaws.com' },
              Action: ['sns:Publish', 'sns:GetTopicAttributes'],
              Condition: {
                StringEquals: { 'aws:SourceAccount': '333333333333' },
                ArnLike: {
                  'aws:SourceArn': {
                    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':aps:eu-west-1:333333333333:workspace/*']],
                  },
                },
              },
            }),
          ]),
        },
      });
    }
    built.template.hasResourceProperties('AWS::KMS::Key', {
      Description: 'Encrypts the alert topics and log groups of prod',
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowPrometheusAlertManagerToPublish',
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
  });

  test('allowing Prometheus alerts twice adds its statements once', () => {
    built.monitoring.allowPrometheusAlerts();
    const statements = Template.fromStack(built.stack).findResources('AWS::SNS::TopicPolicy') as Record<
      string,
      { Properties: { PolicyDocument: { Statement: { Sid?: string }[] } } }
    >;
    for (const policy of Object.values(statements)) {
      expect(
        policy.Properties.PolicyDocument.Statement.filter((s) => s.Sid === 'AllowPrometheusAlertManagerToPublish'),
      ).toHaveLength(1);
    }
    expect(Object.keys(statements)).toHaveLength(2);
  });

  test('the rules namespace holds the spec rules as a Prometheus rules file that parses back to the spec', () => {
    const namespaces = Object.values(built.template.findResources('AWS::APS::RuleGroupsNamespace')) as {
      Properties: { Name: string; Workspace: unknown; Data: string };
    }[];
    expect(namespaces).toHaveLength(1);
    const ns = namespaces[0]!.Properties;
    expect(ns.Name).toBe('platform-prod');
    expect(ns.Workspace).toEqual(built.stack.resolve(built.prometheus.workspace.attrArn));
    expect(parse(ns.Data)).toEqual({
      groups: [
        {
          name: 'platform-prod',
          interval: '1m',
          rules: [
            {
              alert: 'KubeNodeNotReady',
              expr: PROMETHEUS.rules[0]!.expr,
              for: '15m',
              labels: { severity: 'warning' },
              annotations: {
                summary: 'Node is not ready.',
                description: '{{ $labels.node }} has been unready for more than 15 minutes.',
              },
            },
            {
              alert: 'KubePersistentVolumeFillingUp',
              expr: PROMETHEUS.rules[1]!.expr,
              for: '1m',
              // The severity of the rule wins over a label of the same name.
              labels: { team: 'platform', severity: 'critical' },
              annotations: { summary: 'PersistentVolume is filling up.' },
            },
            { record: 'namespace:container_cpu:sum', expr: PROMETHEUS.rules[2]!.expr },
          ],
        },
      ],
    });
    // Templates are quoted, not read as YAML flow mappings.
    expect(ns.Data).toContain(`description: "{{ $labels.node }} has been unready for more than 15 minutes."`);
  });

  test('the scraper reads the cluster from its private subnets with the node security group, into the workspace', () => {
    built.template.hasResourceProperties('AWS::APS::Scraper', {
      Alias: 'platform-prod',
      Source: {
        EksConfiguration: {
          ClusterArn: built.stack.resolve(built.cluster.clusterArn),
          SubnetIds: built.stack.resolve(built.cluster.subnetIds),
          SecurityGroupIds: [built.stack.resolve(built.cluster.nodeSecurityGroup.securityGroupId)],
        },
      },
      Destination: { AmpConfiguration: { WorkspaceArn: built.stack.resolve(built.prometheus.workspace.attrArn) } },
    });
  });

  test('the scrape configuration has the jobs the rules select, every 30 seconds, labelled with the cluster', () => {
    const scraper = Object.values(built.template.findResources('AWS::APS::Scraper'))[0] as {
      Properties: { ScrapeConfiguration: { ConfigurationBlob: string } };
    };
    const config = parse(scraper.Properties.ScrapeConfiguration.ConfigurationBlob) as {
      global: { scrape_interval: string; external_labels: Record<string, string> };
      scrape_configs: {
        job_name: string;
        kubernetes_sd_configs: { role: string }[];
        relabel_configs: { target_label?: string; replacement?: string; regex?: string; action?: string }[];
      }[];
    };
    expect(config.global).toEqual({ scrape_interval: '30s', external_labels: { cluster: 'platform-prod' } });
    expect(config.scrape_configs.map((j) => [j.job_name, j.kubernetes_sd_configs[0]!.role])).toEqual([
      ['apiserver', 'endpoints'],
      ['kubelet', 'node'],
      ['cadvisor', 'node'],
      ['kube-state-metrics', 'endpoints'],
    ]);
    const metricsPath = (job: string): string | undefined =>
      config.scrape_configs
        .find((j) => j.job_name === job)!
        .relabel_configs.find((r) => r.target_label === '__metrics_path__')?.replacement;
    expect(metricsPath('kubelet')).toBe('/api/v1/nodes/$1/proxy/metrics');
    expect(metricsPath('cadvisor')).toBe('/api/v1/nodes/$1/proxy/metrics/cadvisor');
    expect(config.scrape_configs[0]!.relabel_configs).toEqual([
      expect.objectContaining({ action: 'keep', regex: 'default;kubernetes;https' }),
    ]);
  });

  test('zero unacknowledged AwsSolutions, NIST 800-53 R5 and Platform findings', () => {
    const packs = [
      new AwsSolutionsChecks(),
      new NIST80053R5Checks(),
      new PlatformChecks(undefined, { tier: 'production' }),
    ];
    const findings = packs.flatMap((p) =>
      p
        .validateScope(built.prometheus)
        .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`)),
    );
    expect(findings).toEqual([]);
  });

  test('given topic ARNs are used as they are', () => {
    const yaml = renderAlertManagerDefinition(
      { critical: 'arn:aws:sns:eu-west-1:1:c', warning: 'arn:aws:sns:eu-west-1:1:w' },
      'eu-west-1',
    );
    const config = parse((parse(yaml) as { alertmanager_config: string }).alertmanager_config) as {
      receivers: { name: string; sns_configs: { topic_arn: string }[] }[];
    };
    expect(config.receivers.map((r) => [r.name, r.sns_configs[0]!.topic_arn])).toEqual([
      ['critical', 'arn:aws:sns:eu-west-1:1:c'],
      ['warning', 'arn:aws:sns:eu-west-1:1:w'],
    ]);
  });

  test('an empty rule list renders an empty group', () => {
    expect(parse(renderPrometheusRulesYaml('g', { ...PROMETHEUS, rules: [] }))).toEqual({
      groups: [{ name: 'g', interval: '1m', rules: [] }],
    });
  });

  test('bad props: every problem at once, each named by its path', () => {
    const message = errorOf(() =>
      build({
        ...PROMETHEUS,
        interval: 'soon',
        rules: [{ kind: 'record', name: 'x', expr: ' ', labels: {} }],
      }),
    ).message;
    expect(message).toContain('prometheus.interval: "soon"');
    expect(message).toContain('prometheus.rules[0].expr: " "');
  });

  test('props passed by hand without a cluster are refused with the prop path', () => {
    const stack = new Stack(new App(), 'Bare', { env: { account: '333333333333', region: 'eu-west-1' } });
    expect(
      errorOf(
        () =>
          new ManagedPrometheus(stack, 'P', {
            spec: PROMETHEUS,
            environment: 'prod',
          } as unknown as ManagedPrometheusProps),
      ).message,
    ).toMatch(/Invalid ManagedPrometheus props \(Bare\/P\)[\s\S]*props\.cluster: \(missing\) - required/);
  });
});
