import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Monitoring, Network, PlatformStack, ScheduledJob, type IMonitoring, type INetwork } from '../../lib/aws';
import { defineEnvironment, type Environment, type EnvironmentInput } from '../../lib/core';
import { devInput, errorOf, prodInput } from '../util/fixtures';

function envWith(base: EnvironmentInput, monitoring: EnvironmentInput['monitoring'] = {}): Environment {
  return defineEnvironment({ ...base, monitoring: { ...base.monitoring, ...monitoring } });
}

function build(env: Environment, extra?: (stack: Stack, monitoring: Monitoring) => void) {
  const app = new App();
  const stack = new PlatformStack(app, 'Test', {
    env: { account: env.aws.account, region: env.aws.region },
    availabilityZones: env.aws.availabilityZones,
  });
  const monitoring = new Monitoring(stack, 'Monitoring', { spec: env.monitoring, name: env.name });
  extra?.(stack, monitoring);
  return { app, stack, monitoring, template: Template.fromStack(stack) };
}

/** A capability that is not part of the library: it registers one alarm through the mechanism. */
class QueueWatcher extends Construct {
  public readonly alarm?: cloudwatch.Alarm;
  constructor(scope: Construct, id: string, monitoring: IMonitoring) {
    super(scope, id);
    this.alarm = monitoring.addAlarm(this, 'queue/orders/backlog', {
      metric: new cloudwatch.Metric({ namespace: 'Orders', metricName: 'Backlog', period: Duration.minutes(5) }),
      threshold: 1000,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      severity: 'critical',
      description: 'More than 1000 orders wait to be processed.',
      firstResponse: 'Check that the order workers are running and scale them out.',
    });
  }
}

const prodSpec = (): EnvironmentInput => ({
  ...prodInput(),
  monitoring: { ...prodInput().monitoring, webhookUrls: ['https://hooks.example.com/oncall'] },
});

describe('Monitoring (AWS)', () => {
  test('one KMS-encrypted, SSL-only topic per severity, named after the environment', () => {
    const { template, stack, monitoring } = build(envWith(devInput()));
    for (const severity of ['critical', 'warning'] as const) {
      template.hasResourceProperties('AWS::SNS::Topic', {
        TopicName: `platform-dev-${severity}`,
        KmsMasterKeyId: stack.resolve(monitoring.encryptionKey.keyArn),
      });
    }
    template.resourceCountIs('AWS::SNS::Topic', 2);
    // The topic policy that enforces SSL replaces SNS's default one, so CloudWatch needs its own Allow.
    for (const severity of ['critical', 'warning'] as const) {
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [stack.resolve(monitoring.topics[severity].topicArn)],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            Match.objectLike({
              Sid: 'AllowCloudWatchAlarmsToPublish',
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: 'sns:Publish',
              Resource: stack.resolve(monitoring.topics[severity].topicArn),
              Condition: {
                StringEquals: { 'aws:SourceAccount': '111111111111' },
                ArnLike: {
                  'aws:SourceArn': Match.objectLike({
                    'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':alarm:platform-dev-\\*$')])],
                  }),
                },
              },
            }),
          ]),
        },
      });
    }
  });

  test('production routes critical alerts to email and webhooks, warnings to email only', () => {
    const { template, stack, monitoring } = build(envWith(prodSpec()));
    const subscriptions = Object.values(template.findResources('AWS::SNS::Subscription')).map((s) => [
      s.Properties.TopicArn,
      s.Properties.Protocol,
      s.Properties.Endpoint,
    ]);
    const critical = stack.resolve(monitoring.topics.critical.topicArn);
    const warning = stack.resolve(monitoring.topics.warning.topicArn);
    expect(subscriptions).toEqual(
      expect.arrayContaining([
        [critical, 'email', 'oncall@example.com'],
        [critical, 'https', 'https://hooks.example.com/oncall'],
        [warning, 'email', 'oncall@example.com'],
      ]),
    );
    expect(subscriptions).toHaveLength(3);
  });

  test('the key rotates and lets CloudWatch alarms publish and CloudWatch Logs encrypt /platform/<env>/ groups', () => {
    const { template } = build(envWith(devInput()));
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowCloudWatchAlarmsToPublish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
          }),
          Match.objectLike({
            Sid: 'AllowCloudWatchLogsForEnvironmentLogGroups',
            Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
          }),
        ]),
      },
    });
  });

  test('an application log group with the spec retention, encrypted, retained by default', () => {
    const { template, stack, monitoring } = build(envWith(devInput()));
    const groups = template.findResources('AWS::Logs::LogGroup');
    expect(Object.values(groups)).toEqual([
      expect.objectContaining({
        Properties: expect.objectContaining({
          LogGroupName: '/platform/dev/application',
          RetentionInDays: 30,
          KmsKeyId: stack.resolve(monitoring.encryptionKey.keyArn),
        }),
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      }),
    ]);
  });

  test('a metric filter and an alarm per log pattern, with the tier thresholds', () => {
    const { template, stack, monitoring } = build(envWith(prodSpec()));
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '"ERROR"',
      MetricTransformations: [{ MetricNamespace: 'Platform/prod', MetricName: 'log-errors', MetricValue: '1' }],
    });
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ ($.status >= 500) && ($.status <= 599) }',
      MetricTransformations: [{ MetricNamespace: 'Platform/prod', MetricName: 'log-http-5xx', MetricValue: '1' }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'platform-prod-logs.http-5xx',
      Namespace: 'Platform/prod',
      MetricName: 'log-http-5xx',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 10,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [stack.resolve(monitoring.topics.critical.topicArn)],
      OKActions: [stack.resolve(monitoring.topics.critical.topicArn)],
      AlarmDescription:
        '[critical] 10 or more log lines matched status between 500 and 599 within 5 minutes. First response: Run the saved query platform/prod/http-5xx-by-source in Logs Insights to see which source logs them.',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'platform-prod-logs.errors',
      Threshold: 5,
      AlarmActions: [stack.resolve(monitoring.topics.warning.topicArn)],
    });
  });

  test('saved Logs Insights queries for each pattern by source, slowest requests and top clients', () => {
    const { template } = build(envWith(devInput()));
    const queries = Object.values(template.findResources('AWS::Logs::QueryDefinition')).map((q) => q.Properties.Name);
    expect(queries).toEqual([
      'platform/dev/errors-by-source',
      'platform/dev/http-5xx-by-source',
      'platform/dev/slowest-requests',
      'platform/dev/top-clients',
    ]);
    template.hasResourceProperties('AWS::Logs::QueryDefinition', {
      Name: 'platform/dev/errors-by-source',
      QueryString: Match.stringLikeRegexp('filter @message like "ERROR"'),
      LogGroupNames: [{ Ref: Match.stringLikeRegexp('^MonitoringLogsApplicationLogGroup') }],
    });
  });

  test('a watched log group gets the pattern filters and joins the saved queries', () => {
    const { template } = build(envWith(devInput()), (stack, monitoring) => {
      monitoring.watchLogGroup(
        new logs.LogGroup(stack, 'Service', {
          logGroupName: '/platform/dev/orders',
          removalPolicy: RemovalPolicy.DESTROY,
        }),
      );
    });
    template.resourceCountIs('AWS::Logs::MetricFilter', 4);
    template.hasResourceProperties('AWS::Logs::QueryDefinition', {
      Name: 'platform/dev/slowest-requests',
      LogGroupNames: [
        { Ref: Match.stringLikeRegexp('^MonitoringLogsApplicationLogGroup') },
        { Ref: Match.stringLikeRegexp('^Service') },
      ],
    });
  });

  test('a dashboard per environment with a header, the alarm status and the log pattern graph', () => {
    const { template, stack } = build(envWith(devInput()));
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboard!.Properties.DashboardName).toBe('platform-dev');
    const body = JSON.stringify(stack.resolve(dashboard!.Properties.DashboardBody));
    expect(body).toContain('# Platform dev');
    expect(body).toContain('Every default alarm is on.');
    expect(body).toContain('\\"type\\":\\"alarm\\"');
    expect(body).toContain('Matching log lines per pattern');
  });
});

describe('registering alarms through IMonitoring (AWS)', () => {
  test('a construct outside the library gets a named alarm that notifies its severity channel', () => {
    let watcher!: QueueWatcher;
    const { template, stack, monitoring } = build(envWith(devInput()), (s, m) => {
      watcher = new QueueWatcher(s, 'Orders', m);
    });
    expect(watcher.alarm).toBeInstanceOf(cloudwatch.Alarm);
    expect(watcher.alarm).toBe(monitoring.alarms.get('queue/orders/backlog'));
    expect(stack.resolve(watcher.alarm!.alarmName)).toEqual({
      Ref: stack.getLogicalId(watcher.alarm!.node.defaultChild as cloudwatch.CfnAlarm),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'platform-dev-queue.orders.backlog',
      Threshold: 1000,
      EvaluationPeriods: 3,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [stack.resolve(monitoring.topics.critical.topicArn)],
      AlarmDescription:
        '[critical] More than 1000 orders wait to be processed. First response: Check that the order workers are running and scale them out.',
    });
    expect([...monitoring.alarms.keys()]).toEqual(['logs/errors', 'logs/http-5xx', 'queue/orders/backlog']);
  });

  test('more than 100 alarms fill as many status widgets as needed, and the rows below move down', () => {
    const { template } = build(envWith(devInput()), (s, m) => {
      m.addWidgets('Below', new cloudwatch.TextWidget({ markdown: 'below', width: 24, height: 1 }));
      for (let i = 0; i < 248; i++) {
        m.addAlarm(
          s,
          'queue/orders/backlog',
          {
            metric: new cloudwatch.Metric({ namespace: 'Orders', metricName: 'Backlog', period: Duration.minutes(5) }),
            threshold: 1,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluationPeriods: 1,
            severity: 'warning',
            description: 'Orders wait to be processed.',
            firstResponse: 'Scale the order workers out.',
          },
          { member: String(i + 1) },
        );
      }
    });
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    const joined = (dashboard?.Properties.DashboardBody['Fn::Join'] as [string, unknown[]])[1];
    const body = JSON.parse(joined.map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('')) as {
      widgets: { type: string; y: number; properties: { title?: string; alarms?: unknown[]; markdown?: string } }[];
    };
    const status = body.widgets.filter((w) => w.type === 'alarm');
    // 248 registered here and the 2 log-pattern alarms.
    expect(status.map((w) => [w.properties.title, w.properties.alarms?.length, w.y])).toEqual([
      ['Alarms', 100, 3],
      ['Alarms (2)', 100, 6],
      ['Alarms (3)', 50, 9],
    ]);
    expect(body.widgets.find((w) => w.properties.markdown === '## Below')?.y).toBeGreaterThanOrEqual(12);
  });

  test('the spec tunes one alarm explicitly: threshold, periods and severity', () => {
    const env = envWith(devInput(), {
      alarms: { 'queue/orders/backlog': { threshold: 5000, evaluationPeriods: 6, severity: 'warning' } },
    });
    const { template, stack, monitoring } = build(env, (s, m) => new QueueWatcher(s, 'Orders', m));
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'platform-dev-queue.orders.backlog',
      Threshold: 5000,
      EvaluationPeriods: 6,
      AlarmActions: [stack.resolve(monitoring.topics.warning.topicArn)],
      AlarmDescription: Match.stringLikeRegexp('^\\[warning\\] '),
    });
  });

  test('a tuned threshold shows in the description the on-call engineer reads', () => {
    const env = envWith(devInput(), { alarms: { 'logs/errors': { threshold: 50 } } });
    build(env).template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'platform-dev-logs.errors',
      Threshold: 50,
      AlarmDescription: Match.stringLikeRegexp(
        '^\\[warning\\] 50 or more log lines matched "ERROR" within 5 minutes\\.',
      ),
    });
  });

  test('the spec switches one alarm off with a reason, which the dashboard shows', () => {
    const env = envWith(devInput(), {
      alarms: { 'logs/errors': { enabled: false, reason: 'The legacy app logs ERROR for client mistakes' } },
    });
    const { template, stack, monitoring } = build(env);
    expect(Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties.AlarmName)).toEqual([
      'platform-dev-logs.http-5xx',
    ]);
    expect(monitoring.disabledAlarms).toEqual(
      new Map([['logs/errors', 'The legacy app logs ERROR for client mistakes']]),
    );
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(JSON.stringify(stack.resolve(dashboard!.Properties.DashboardBody))).toContain(
      'Switched off in the spec: `logs/errors` (The legacy app logs ERROR for client mistakes).',
    );
  });

  test('an override that names no alarm fails synthesis instead of being ignored', () => {
    const env = envWith(devInput(), { alarms: { 'logs/eror': { threshold: 3 } } });
    expect(errorOf(() => build(env)).message).toContain(
      'monitoring.alarms.logs/eror: no alarm has this id, so the override would be ignored; the alarms are logs/errors, logs/http-5xx',
    );
  });

  test('an alarm id registered twice, or an alarm without its explanation, is refused', () => {
    const env = envWith(devInput());
    expect(() =>
      build(env, (s, m) => {
        new QueueWatcher(s, 'A', m);
        new QueueWatcher(s, 'B', m);
      }),
    ).toThrow('Monitoring dev: alarm id "queue/orders/backlog" is registered twice');
    expect(() =>
      build(env, (s, m) =>
        m.addAlarm(s, 'queue/x', {
          metric: new cloudwatch.Metric({ namespace: 'X', metricName: 'Y' }),
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          severity: 'warning',
          description: 'bad',
          firstResponse: 'look',
        }),
      ),
    ).toThrow(/queue\/x\.description: "bad" - a sentence saying what it means[\s\S]*queue\/x\.firstResponse: "look"/);
  });
});

describe('Network alarms (AWS)', () => {
  test('one alarm per condition over every NAT gateway, and a top-talkers query over the flow logs', () => {
    const env = envWith(prodSpec());
    const { template } = build(env, (stack, monitoring) => {
      new Network(stack, 'Network', {
        spec: env.network,
        name: env.name,
        availabilityZones: env.aws.availabilityZones,
        monitoring,
      });
    });
    const alarm = Object.values(template.findResources('AWS::CloudWatch::Alarm')).find(
      (a) => a.Properties.AlarmName === 'platform-prod-network.nat.port-allocation-errors',
    );
    const metrics = alarm!.Properties.Metrics as {
      Id: string;
      Expression?: string;
      MetricStat?: { Metric: { MetricName: string } };
    }[];
    expect(metrics.find((m) => m.Expression)?.Expression).toBe('SUM(METRICS())');
    expect(metrics.filter((m) => m.MetricStat?.Metric.MetricName === 'ErrorPortAllocation')).toHaveLength(3);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'platform-prod-network.nat.packets-dropped',
      Threshold: 100,
    });
    template.hasResourceProperties('AWS::Logs::QueryDefinition', {
      Name: 'platform/prod/top-talkers',
      QueryString: Match.stringLikeRegexp('stats sum\\(bytes\\) as bytes by srcAddr, dstAddr'),
      LogGroupNames: [{ Ref: Match.stringLikeRegexp('^NetworkFlowLogGroup') }],
    });
  });
});

describe('alarms and log groups from another stack (AWS)', () => {
  test('compute-stack alarms and log groups register without a dependency back from the foundation', () => {
    const env = envWith(devInput());
    const app = new App();
    const props = {
      env: { account: env.aws.account, region: env.aws.region },
      availabilityZones: env.aws.availabilityZones,
    };
    const foundation = new PlatformStack(app, 'Foundation', props);
    const monitoring = new Monitoring(foundation, 'Monitoring', { spec: env.monitoring, name: env.name });
    const compute = new PlatformStack(app, 'Compute', props);
    compute.addStackDependency(foundation);
    new QueueWatcher(compute, 'Orders', monitoring);
    monitoring.watchLogGroup(
      new logs.LogGroup(compute, 'Service', {
        logGroupName: '/platform/dev/orders',
        removalPolicy: RemovalPolicy.DESTROY,
      }),
    );
    expect(() => app.synth()).not.toThrow();

    const body = JSON.stringify(Template.fromStack(foundation).toJSON());
    expect(body).toContain(':cloudwatch:eu-west-1:111111111111:alarm:platform-dev-queue.orders.backlog');
    expect(body).toContain('/platform/dev/orders');
    Template.fromStack(compute).hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: Match.stringLikeRegexp('^Service') },
    });
    expect(foundation.dependencies).toEqual([]);
  });

  test('a log group in another stack without an explicit name is refused with the fix', () => {
    const env = envWith(devInput());
    const app = new App();
    const monitoring = new Monitoring(new Stack(app, 'Foundation'), 'Monitoring', {
      spec: env.monitoring,
      name: env.name,
    });
    const group = new logs.LogGroup(new Stack(app, 'Compute'), 'Unnamed');
    expect(() => monitoring.watchLogGroup(group)).toThrow(
      'Monitoring dev: log group Compute/Unnamed is in another stack and has no explicit logGroupName; give it one, so the saved queries can name it without a reference between the stacks',
    );
  });
});

describe('importing the monitoring of an environment deployed elsewhere (AWS)', () => {
  const KEY_ARN = 'arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555';
  const TOPICS = {
    critical: 'arn:aws:sns:eu-west-1:111111111111:platform-dev-critical',
    warning: 'arn:aws:sns:eu-west-1:111111111111:platform-dev-warning',
  } as const;

  /** A team's stack with the imported monitoring and network, and whatever `add` puts in it. */
  function teamStack(
    env: Environment,
    add: (stack: Stack, monitoring: IMonitoring, network: INetwork) => void,
    dashboard = false,
  ): { template: Template; monitoring: IMonitoring; stack: Stack } {
    const stack = new PlatformStack(new App(), 'Team', {
      env: { account: env.aws.account, region: env.aws.region },
      availabilityZones: env.aws.availabilityZones,
    });
    const monitoring = Monitoring.fromAttributes(stack, 'Monitoring', {
      environment: env.name,
      encryptionKeyArn: KEY_ARN,
      topicArns: TOPICS,
      spec: env.monitoring,
      ...(dashboard && { dashboard: new cloudwatch.Dashboard(stack, 'Dashboard') }),
    });
    const network = Network.fromAttributes(stack, 'Network', {
      vpcId: 'vpc-0123456789abcdef0',
      vpcCidrBlock: '10.10.0.0/16',
      availabilityZones: [...env.aws.availabilityZones],
      publicSubnetIds: ['subnet-0000000000000000a', 'subnet-0000000000000000b'],
      privateSubnetIds: ['subnet-1111111111111111a', 'subnet-1111111111111111b'],
    });
    add(stack, monitoring, network);
    return { template: Template.fromStack(stack), monitoring, stack };
  }

  test('a scheduled job given it synthesizes: its alarm notifies the imported topic, its logs use the imported key', () => {
    const env = defineEnvironment({
      ...devInput(),
      jobs: [
        {
          name: 'report',
          image: 'public.ecr.aws/docker/library/busybox:1.36',
          cpu: 0.25,
          memoryGiB: 0.5,
          schedule: { cron: '0 3 * * *' },
        },
      ],
    });
    const { template, monitoring } = teamStack(env, (stack, imported, network) => {
      const cluster = ecs.Cluster.fromClusterAttributes(stack, 'Cluster', {
        clusterName: 'platform-dev',
        vpc: network.vpc,
      });
      new ScheduledJob(stack, 'report', {
        spec: env.jobs[0]!,
        environment: env.name,
        cluster,
        vpc: network.vpc,
        monitoring: imported,
      });
    });
    expect(monitoring.environment).toBe('dev');
    // Nothing of the monitoring itself is created here: no key, topic, dashboard or application log group.
    for (const type of ['AWS::KMS::Key', 'AWS::SNS::Topic', 'AWS::CloudWatch::Dashboard']) {
      template.resourceCountIs(type, 0);
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'platform-dev-job.report.failed',
      AlarmActions: [TOPICS.critical],
      OKActions: [TOPICS.critical],
    });
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(groups.map((g) => [g.Properties.LogGroupName, g.Properties.KmsKeyId])).toEqual([
      ['/platform/dev/jobs/report', KEY_ARN],
      ['/platform/dev/jobs/report/executions', KEY_ARN],
    ]);
    // The job's output counts the environment's log patterns, as with the environment's own monitoring.
    expect(
      Object.values(template.findResources('AWS::Logs::MetricFilter')).map(
        (f) => (f.Properties.MetricTransformations as { MetricName: string }[])[0]!.MetricName,
      ),
    ).toEqual(env.monitoring.logPatterns.map((p) => `log-${p.name}`));
    expect(env.monitoring.logPatterns.length).toBeGreaterThan(0);
  });

  test("the spec's overrides tune the alarms created through it, and one naming no alarm fails synthesis", () => {
    const tuned = envWith(devInput(), { alarms: { 'queue/orders/backlog': { threshold: 2000 } } });
    teamStack(tuned, (stack, imported) => new QueueWatcher(stack, 'Orders', imported)).template.hasResourceProperties(
      'AWS::CloudWatch::Alarm',
      { AlarmName: 'platform-dev-queue.orders.backlog', Threshold: 2000, AlarmActions: [TOPICS.critical] },
    );
    const typo = envWith(devInput(), { alarms: { 'queue/orders/backlogg': { threshold: 2000 } } });
    expect(
      errorOf(() => teamStack(typo, (stack, imported) => new QueueWatcher(stack, 'Orders', imported))).message,
    ).toContain('monitoring.alarms.queue/orders/backlogg: no alarm has this id');
  });

  test('the application log group is named after the environment; dashboard rows go to a dashboard only when given one', () => {
    const env = envWith(devInput());
    const row = (_stack: Stack, imported: IMonitoring): void =>
      imported.addWidgets('Orders', new cloudwatch.TextWidget({ markdown: 'orders', width: 24 }));
    const without = teamStack(env, row);
    expect(without.stack.resolve(without.monitoring.applicationLogGroup.logGroupName)).toBe(
      '/platform/dev/application',
    );
    without.template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    const withDashboard = teamStack(env, row, true);
    const [dashboard] = Object.values(withDashboard.template.findResources('AWS::CloudWatch::Dashboard'));
    expect(JSON.stringify(dashboard!.Properties.DashboardBody)).toContain('## Orders');
  });
});
