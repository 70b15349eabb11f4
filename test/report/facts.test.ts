import { duration, factsOf, parseDescription, type CloudFacts } from '../../lib/report/facts';
import { isObject } from '../../lib/review/aws-template';
import { readCdkOut, readCdktfOut, type SynthesizedStack } from '../../lib/review/outputs';
import { sharedSynthesis } from '../util/shared-synthesis';

let stacks: SynthesizedStack[];
const facts = (environment: string, cloud: 'aws' | 'azure'): CloudFacts =>
  factsOf(
    stacks.filter((s) => s.environment === environment),
    cloud,
  );

/** Every resource of a type in an environment's output, with its body. */
function resourcesOfType(environment: string, cloud: 'aws' | 'azure', type: string): Record<string, unknown>[] {
  return stacks
    .filter((s) => s.environment === environment && s.cloud === cloud)
    .flatMap((s) => {
      if (cloud === 'aws') {
        const all = (s.json.Resources ?? {}) as Record<string, { Type: string }>;
        return Object.values(all).filter((r) => r.Type === type) as Record<string, unknown>[];
      }
      const byType = (s.json.resource ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
      return Object.values(byType[type] ?? {});
    });
}

beforeAll(async () => {
  const { cdkOut, cdktfOut } = await sharedSynthesis('plain');
  stacks = [...readCdkOut(cdkOut), ...readCdktfOut(cdktfOut)];
});

describe('parseDescription', () => {
  test('reads the severity, the meaning and the first response the alarm registry writes', () => {
    expect(parseDescription('[critical] The API is down. First response: Check the deployment.')).toEqual({
      severity: 'critical',
      text: 'The API is down.',
      firstResponse: 'Check the deployment.',
    });
  });

  test('keeps a description in another form as it is', () => {
    expect(parseDescription('written by hand')).toEqual({ text: 'written by hand' });
  });
});

test.each([
  [60, '1 min'],
  [300, '5 min'],
  [3600, '1 h'],
  [86400, '1 d'],
  [90, '90 s'],
])('duration(%i) is %s', (seconds, text) => {
  expect(duration(seconds)).toBe(text);
});

describe('AWS alarms of prod', () => {
  test('every CloudWatch alarm of every stack is listed once, by name', () => {
    const names = resourcesOfType('prod', 'aws', 'AWS::CloudWatch::Alarm').map(
      (r) => (r.Properties as { AlarmName: string }).AlarmName,
    );
    expect(facts('prod', 'aws').alarms.map((a) => a.id)).toEqual([...names].sort());
  });

  test('each has a severity, a threshold and a route', () => {
    const alarms = facts('prod', 'aws').alarms;
    expect(alarms.filter((a) => !['critical', 'warning'].includes(a.severity)).map((a) => a.id)).toEqual([]);
    expect(alarms.filter((a) => a.routedTo.length === 0).map((a) => a.id)).toEqual([]);
    expect(alarms.filter((a) => a.threshold === '').map((a) => a.id)).toEqual([]);
  });

  test('an alarm of the compute stack is routed across stacks to the foundation topic and its endpoints', () => {
    const recovery = facts('prod', 'aws').alarms.find((a) => a.id === 'platform-prod-server.web.recovery.1')!;
    expect(recovery).toMatchObject({
      severity: 'critical',
      measures: 'AWS/EC2 StatusCheckFailed_System (Maximum)',
      threshold: '≥ 1 in 2 of 2 × 1 min',
      routedTo: [
        'platform-prod-critical (email platform-alerts@example.com, https https://events.pagerduty.com/integration/0000/enqueue)',
        'recovers the instance',
      ],
    });
    expect(recovery.firstResponse).toMatch(/^Check that the instance came back/);
  });

  test('a warning goes to the warning topic', () => {
    const warnings = facts('prod', 'aws').alarms.filter((a) => a.severity === 'warning');
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.filter((a) => !a.routedTo[0]!.startsWith('platform-prod-warning')).map((a) => a.id)).toEqual([]);
  });
});

describe('Azure alerts of prod', () => {
  const ALERTS = [
    'azurerm_monitor_metric_alert',
    'azurerm_monitor_scheduled_query_rules_alert_v2',
    'azurerm_monitor_activity_log_alert',
  ];

  test('every metric, log query and activity log alert is listed once, by name', () => {
    const names = ALERTS.flatMap((type) => resourcesOfType('prod', 'azure', type).map((r) => r.name as string));
    expect(facts('prod', 'azure').alarms.map((a) => a.id)).toEqual([...names].sort());
  });

  test('each is routed to an action group with its receivers, critical to the critical one', () => {
    const alarms = facts('prod', 'azure').alarms;
    expect(alarms.filter((a) => a.routedTo.length === 0).map((a) => a.id)).toEqual([]);
    const critical = alarms.filter((a) => a.severity === 'critical');
    expect(critical.length).toBeGreaterThan(0);
    for (const alarm of critical) {
      expect(alarm.routedTo).toEqual([
        'ag-platform-prod-critical (email platform-alerts@example.com, webhook https://events.pagerduty.com/integration/0000/enqueue)',
      ]);
    }
  });

  test('a metric alert says what it measures and when it fires', () => {
    const latency = facts('prod', 'azure').alarms.find((a) => a.id === 'platform-prod-check.api.latency')!;
    expect(latency).toMatchObject({
      severity: 'warning',
      measures: 'availabilityResults/duration (Maximum)',
      threshold: expect.stringMatching(/^> 2000 over \d+ min, every 1 min$/) as string,
    });
  });
});

describe('backup', () => {
  test('prod on AWS: daily, weekly and monthly, cold storage after 30 days, copied to the second region, locked', () => {
    const [plan] = facts('prod', 'aws').backup;
    expect(plan!.rules.map((r) => [r.name, r.retention, r.coldAfter ?? '', r.copyTo ?? ''])).toEqual([
      ['daily', '35 days', '', 'platform-prod-copy in eu-central-1, kept 35 days'],
      ['weekly', '90 days', '', 'platform-prod-copy in eu-central-1, kept 90 days'],
      ['monthly', '365 days', '30 days', 'platform-prod-copy in eu-central-1, kept 365 days'],
    ]);
    expect(plan!.lock).toBe('vault lock: kept 35 to 365 days (compliance after 3 days)');
    expect(plan!.selection).toBe('resources tagged platform:backup=platform-prod');
  });

  test('dev on AWS keeps less, and copies nowhere', () => {
    const [plan] = facts('dev', 'aws').backup;
    expect(plan!.rules.every((r) => r.copyTo === undefined)).toBe(true);
    expect(plan!.rules.map((r) => r.retention)).toEqual(['7 days', '35 days']);
  });

  test('prod on Azure: the VM policy, its immutable vault and the VMs it protects', () => {
    expect(facts('prod', 'azure').backup).toEqual([
      {
        plan: 'bkpol-platform-prod',
        rules: [{ name: 'daily', schedule: 'Daily at 01:00 UTC', retention: '35 daily, 13 weekly, 12 monthly' }],
        vault: 'rsv-platform-prod-weu',
        lock: 'immutability Locked, GeoRedundant storage',
        selection:
          'VMs vm-platform-prod-ops-1, vm-platform-prod-ops-2, vm-platform-prod-web-1, vm-platform-prod-web-2, vm-platform-prod-web-3',
      },
    ]);
  });
});

describe('checks', () => {
  test('the canaries of prod on AWS and the web tests and probes on Azure', () => {
    expect(facts('prod', 'aws').checks.map((c) => [c.name, c.kind, c.schedule])).toEqual([
      ['platform-prod-api', 'canary', 'rate(1 minute)'],
      ['platform-prod-public-api', 'canary', 'rate(1 minute)'],
      ['platform-prod-web', 'canary', 'rate(1 minute)'],
    ]);
    expect(facts('prod', 'azure').checks.map((c) => [c.name, c.kind])).toEqual([
      ['caj-prod-check-api-weu', 'probe'],
      ['caj-prod-check-public-api-weu', 'probe'],
      ['platform-prod-web', 'web test'],
      ['platform-prod-web-tls', 'web test'],
    ]);
  });
});

describe('acknowledgements', () => {
  test('every cdk-nag suppression, wildcard grant and change acknowledgement of prod on AWS, with its reason', () => {
    let expected = 0;
    for (const stack of stacks.filter((s) => s.environment === 'prod' && s.cloud === 'aws')) {
      for (const resource of Object.values((stack.json.Resources ?? {}) as Record<string, unknown>)) {
        const meta = isObject(resource) && isObject(resource.Metadata) ? resource.Metadata : {};
        const nag =
          isObject(meta.cdk_nag) && Array.isArray(meta.cdk_nag.rules_to_suppress) ? meta.cdk_nag.rules_to_suppress : [];
        const grants = Array.isArray(meta['platform:wildcard-grants']) ? meta['platform:wildcard-grants'] : [];
        const changes = Array.isArray(meta['platform:review']) ? meta['platform:review'] : [];
        expected += nag.length + grants.length + changes.length;
      }
    }
    const acks = facts('prod', 'aws').acknowledgements;
    expect(acks).toHaveLength(expected);
    expect(acks.filter((a) => a.reason.length < 10)).toEqual([]);
    expect(new Set(acks.map((a) => a.kind))).toEqual(new Set(['guardrail', 'change']));
  });

  test('the change acknowledgements of prod on Azure, with their reasons', () => {
    const acks = facts('prod', 'azure').acknowledgements;
    expect(acks.length).toBeGreaterThan(0);
    expect(acks.filter((a) => a.reason.length < 10)).toEqual([]);
  });
});
