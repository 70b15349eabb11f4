import { factsOf } from '../../lib/report/facts';
import type { CloudFacts } from '../../lib/report/model';
import { isObject } from '../../lib/review/aws-template';
import { readCdkOut, type SynthesizedStack } from '../../lib/review/outputs';
import { sharedSynthesis } from '../util/shared-synthesis';

let stacks: SynthesizedStack[];
const facts = (environment: string): CloudFacts =>
  factsOf(
    stacks.filter((s) => s.environment === environment),
    'aws',
  );

/** The properties of every resource of a type in an environment's templates. */
function propertiesOf(environment: string, type: string): Record<string, unknown>[] {
  return stacks
    .filter((s) => s.environment === environment)
    .flatMap((s) => Object.values((s.json.Resources ?? {}) as Record<string, { Type: string; Properties?: object }>))
    .filter((r) => r.Type === type)
    .map((r) => (r.Properties ?? {}) as Record<string, unknown>);
}

const CRITICAL =
  'platform-prod-critical (email platform-alerts@example.com, https https://events.pagerduty.com/integration/0000/enqueue)';
const WARNING = 'platform-prod-warning (email platform-alerts@example.com)';

beforeAll(async () => {
  const { cdkOut } = await sharedSynthesis('plain');
  stacks = readCdkOut(cdkOut);
});

describe('alarms of prod', () => {
  test('every CloudWatch alarm of every stack is listed once, by name, in name order', () => {
    const names = propertiesOf('prod', 'AWS::CloudWatch::Alarm').map((p) => p.AlarmName as string);
    const listed = facts('prod').alarms.filter((a) => !a.measures.startsWith('PromQL'));
    expect(listed.map((a) => a.id)).toEqual([...names].sort());
  });

  test('each has the severity its description starts with', () => {
    const bySeverity = new Map(
      propertiesOf('prod', 'AWS::CloudWatch::Alarm').map((p) => [
        p.AlarmName as string,
        /^\[([a-z]+)\]/.exec(p.AlarmDescription as string)?.[1],
      ]),
    );
    const alarms = facts('prod').alarms.filter((a) => bySeverity.has(a.id));
    expect(alarms.filter((a) => a.severity !== bySeverity.get(a.id)).map((a) => a.id)).toEqual([]);
  });

  test('critical alarms go to the critical topic and warnings to the warning topic, with their endpoints', () => {
    const wrong = facts('prod')
      .alarms.filter((a) => a.routedTo[0] !== (a.severity === 'critical' ? CRITICAL : WARNING))
      .map((a) => `${a.id}: ${a.severity} -> ${a.routedTo.join(', ')}`);
    expect(wrong).toEqual([]);
  });

  test('an alarm of the compute stack is routed across stacks (Fn::ImportValue) to the foundation topic', () => {
    const imported = propertiesOf('prod', 'AWS::CloudWatch::Alarm').find(
      (p) => p.AlarmName === 'platform-prod-server.web.cpu.1',
    )!;
    expect((imported.AlarmActions as object[])[0]).toHaveProperty('Fn::ImportValue');
    expect(facts('prod').alarms.find((a) => a.id === 'platform-prod-server.web.cpu.1')!.routedTo).toEqual([WARNING]);
  });

  test('the recovery alarm says what it measures, when it fires, and that it recovers the instance', () => {
    expect(facts('prod').alarms.find((a) => a.id === 'platform-prod-server.web.recovery.1')).toMatchObject({
      severity: 'critical',
      measures: 'AWS/EC2 StatusCheckFailed_System (Maximum)',
      threshold: '≥ 1 in 2 of 2 periods of 1 min',
      routedTo: [CRITICAL, 'recovers the instance'],
      firstResponse: expect.stringMatching(/^Check that the instance came back/) as string,
    });
  });

  test('a metric math alarm names its expression and the metrics it reads', () => {
    expect(facts('prod').alarms.find((a) => a.id === 'platform-prod-network.nat.port-allocation-errors')).toMatchObject(
      {
        measures: 'ErrorPortAllocation, all NAT gateways, from AWS/NATGateway ErrorPortAllocation (Sum)',
        threshold: '≥ 1 in 1 period of 5 min',
      },
    );
  });

  test('the Prometheus alerting rules are routed by the workspace alert manager to the topic of their severity', () => {
    const rules = facts('prod').alarms.filter((a) => a.measures.startsWith('PromQL'));
    expect(rules.map((r) => [r.id, r.severity, r.routedTo])).toContainEqual([
      'platform-prod/KubeNodeNotReady',
      'warning',
      [WARNING],
    ]);
    expect(rules.filter((r) => r.routedTo[0] !== (r.severity === 'critical' ? CRITICAL : WARNING))).toEqual([]);
  });
});

describe('backup', () => {
  test('prod: daily, weekly and monthly kept 35, 90 and 365 days, cold after 30, copied to the second region', () => {
    const [plan] = facts('prod').backup;
    expect(plan!.rules.map((r) => [r.name, r.retention, r.coldAfter ?? '-', r.copyTo ?? '-'])).toEqual([
      ['daily', '35 days', '-', 'platform-prod-copy in eu-central-1, kept 35 days'],
      ['weekly', '90 days', '-', 'platform-prod-copy in eu-central-1, kept 90 days'],
      ['monthly', '365 days', '30 days', 'platform-prod-copy in eu-central-1, kept 365 days'],
    ]);
  });

  test('prod: the schedules in words, with their expressions', () => {
    expect(facts('prod').backup[0]!.rules.map((r) => r.schedule)).toEqual([
      'daily at 01:00 UTC (cron(0 1 * * ? *))',
      'weekly on Sunday at 01:00 UTC (cron(0 1 ? * SUN *))',
      'monthly on day 1 at 01:00 UTC (cron(0 1 1 * ? *))',
    ]);
  });

  test('prod: the vault, its compliance lock, the tag selection and the weekly restore test', () => {
    expect(facts('prod').backup[0]).toMatchObject({
      plan: 'platform-prod',
      vault: 'platform-prod',
      lock: 'vault lock: recovery points kept 35 to 365 days, compliance mode (immutable 3 days after creation)',
      selection: 'resources tagged platform:backup=platform-prod',
      restoreTest: expect.stringMatching(
        /^weekly on Wednesday .*: restores EC2 resources tagged platform:backup=platform-prod/,
      ) as string,
    });
  });

  test('dev keeps 7 and 35 days, copies nowhere, and its lock is in governance mode', () => {
    const [plan] = facts('dev').backup;
    expect(plan!.rules.map((r) => [r.retention, r.copyTo ?? '-'])).toEqual([
      ['7 days', '-'],
      ['35 days', '-'],
    ]);
    expect(plan!.lock).toBe(
      'vault lock: recovery points kept 7 to 35 days, governance mode (removable with permission)',
    );
  });
});

describe('checks', () => {
  test('the canaries of prod, what they call and how often', () => {
    expect(facts('prod').checks).toEqual([
      {
        name: 'platform-prod-api',
        kind: 'canary',
        target: 'https://<Services/api/LoadBalancer.DNSName>/',
        schedule: 'every minute',
      },
      {
        name: 'platform-prod-public-api',
        kind: 'canary',
        target: 'https://api.example.com/v1/health',
        schedule: 'every minute',
      },
      {
        name: 'platform-prod-web',
        kind: 'canary',
        target: 'https://<Services/web/LoadBalancer.DNSName>/',
        schedule: 'every minute',
      },
    ]);
  });
});

describe('acknowledgements', () => {
  test('one per cdk-nag suppression, wildcard grant and change acknowledgement in the metadata of prod', () => {
    let expected = 0;
    for (const stack of stacks.filter((s) => s.environment === 'prod')) {
      for (const resource of Object.values((stack.json.Resources ?? {}) as Record<string, unknown>)) {
        const meta = isObject(resource) && isObject(resource.Metadata) ? resource.Metadata : {};
        const nag =
          isObject(meta.cdk_nag) && Array.isArray(meta.cdk_nag.rules_to_suppress) ? meta.cdk_nag.rules_to_suppress : [];
        const grants = Array.isArray(meta['platform:wildcard-grants']) ? meta['platform:wildcard-grants'] : [];
        const changes = Array.isArray(meta['platform:review']) ? meta['platform:review'] : [];
        expected += nag.length + grants.length + changes.length;
      }
    }
    expect(expected).toBeGreaterThan(100);
    expect(facts('prod').acknowledgements).toHaveLength(expected);
  });

  test('every one has a reason', () => {
    expect(facts('prod').acknowledgements.filter((a) => a.reason.trim().length < 10)).toEqual([]);
  });

  test('change acknowledgements are told apart from guardrail ones', () => {
    const changes = facts('prod').acknowledgements.filter((a) => a.kind === 'change');
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.filter((a) => a.rule !== 'security' && a.rule !== 'data-loss')).toEqual([]);
  });

  test('stack-level acknowledgements: of stack rules, and of the removal of a resource', () => {
    const stack: SynthesizedStack = {
      cloud: 'aws',
      environment: 'test',
      stack: 'platform-test-data',
      file: 'x.template.json',
      bytes: 0,
      json: {
        Metadata: {
          PlatformConstructs: { Tier: 'production', Acknowledged: { 'Platform-StackLimit': 'split next quarter' } },
          'platform:review': [
            { resource: 'OldTable', risk: 'data-loss', reason: 'the table was emptied and archived' },
          ],
        },
        Resources: {},
      },
    };
    expect(factsOf([stack], 'aws').acknowledgements).toEqual([
      { kind: 'guardrail', rule: 'Platform-StackLimit', resource: 'platform-test-data', reason: 'split next quarter' },
      {
        kind: 'change',
        rule: 'data-loss',
        resource: 'platform-test-data/OldTable (removed)',
        reason: 'the table was emptied and archived',
      },
    ]);
  });
});

test('a composite alarm lists its rule and its route', () => {
  const stack: SynthesizedStack = {
    cloud: 'aws',
    environment: 'test',
    stack: 'platform-test-monitoring',
    file: 'x.template.json',
    bytes: 0,
    json: {
      Resources: {
        Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'on-call' } },
        Both: {
          Type: 'AWS::CloudWatch::CompositeAlarm',
          Properties: {
            AlarmName: 'test.both',
            AlarmRule: 'ALARM("a") AND ALARM("b")',
            AlarmDescription: '[critical] Both failed. First response: Page the owner.',
            AlarmActions: [{ Ref: 'Topic' }],
          },
        },
      },
    },
  };
  expect(factsOf([stack], 'aws').alarms).toEqual([
    {
      id: 'test.both',
      measures: 'composite: ALARM("a") AND ALARM("b")',
      threshold: 'when the rule holds',
      severity: 'critical',
      description: 'Both failed.',
      firstResponse: 'Page the owner.',
      routedTo: ['on-call'],
      resource: 'platform-test-monitoring/Both',
    },
  ]);
});
