import { factsOf } from '../../lib/report/facts';
import type { CloudFacts } from '../../lib/report/model';
import { readCdktfOut, type SynthesizedStack } from '../../lib/review/outputs';
import { sharedSynthesis } from '../util/shared-synthesis';

let stacks: SynthesizedStack[];
const facts = (environment: string): CloudFacts =>
  factsOf(
    stacks.filter((s) => s.environment === environment),
    'azure',
  );

/** Every resource of a type in an environment's Terraform JSON. */
function resourcesOf(environment: string, type: string): Record<string, unknown>[] {
  return stacks
    .filter((s) => s.environment === environment)
    .flatMap((s) => Object.values(((s.json.resource ?? {}) as Record<string, Record<string, object>>)[type] ?? {}))
    .map((r) => r as Record<string, unknown>);
}

const CRITICAL =
  'ag-platform-prod-critical (email platform-alerts@example.com, webhook https://events.pagerduty.com/integration/0000/enqueue)';
const WARNING = 'ag-platform-prod-warning (email platform-alerts@example.com)';
const ALERTS = [
  'azurerm_monitor_metric_alert',
  'azurerm_monitor_scheduled_query_rules_alert_v2',
  'azurerm_monitor_activity_log_alert',
  'azurerm_monitor_alert_processing_rule_action_group',
];

beforeAll(async () => {
  const { cdktfOut } = await sharedSynthesis('plain');
  stacks = readCdktfOut(cdktfOut);
});

describe('alerts of prod', () => {
  test('every metric, log query and activity log alert and alert processing rule is listed once, by name', () => {
    const names = ALERTS.flatMap((type) => resourcesOf('prod', type).map((r) => r.name as string));
    const listed = facts('prod').alarms.filter((a) => !a.measures.startsWith('PromQL'));
    expect(listed.map((a) => a.id)).toEqual([...names].sort());
  });

  test('every enabled Prometheus alerting rule is listed, by group and alert', () => {
    const rules = resourcesOf('prod', 'azurerm_monitor_alert_prometheus_rule_group').flatMap((group) =>
      (group.rule as { alert?: string; enabled?: boolean }[])
        .filter((r) => r.alert !== undefined && r.enabled !== false)
        .map((r) => `${group.name as string}/${r.alert!}`),
    );
    expect(rules.length).toBeGreaterThan(0);
    const listed = facts('prod').alarms.filter((a) => a.measures.startsWith('PromQL'));
    expect(listed.map((a) => a.id)).toEqual([...rules].sort());
  });

  test('each alert has the severity its description starts with', () => {
    const bySeverity = new Map(
      ALERTS.slice(0, 3).flatMap((type) =>
        resourcesOf('prod', type).map((r) => [r.name as string, /^\[([a-z]+)\]/.exec(r.description as string)?.[1]]),
      ),
    );
    const alarms = facts('prod').alarms.filter((a) => bySeverity.has(a.id));
    expect(alarms.length).toBe(bySeverity.size);
    expect(alarms.filter((a) => a.severity !== bySeverity.get(a.id)).map((a) => a.id)).toEqual([]);
  });

  test('critical alerts go to the critical action group and warnings to the warning one, with their receivers', () => {
    const wrong = facts('prod')
      .alarms.filter((a) => a.severity === 'critical' || a.severity === 'warning')
      .filter((a) => a.routedTo.join() !== (a.severity === 'critical' ? CRITICAL : WARNING))
      .map((a) => `${a.id}: ${a.severity} -> ${a.routedTo.join(', ')}`);
    expect(wrong).toEqual([]);
  });

  test('a metric alert says what it measures and when it fires', () => {
    expect(facts('prod').alarms.find((a) => a.id === 'platform-prod-server.ops.cpu')).toMatchObject({
      severity: 'warning',
      measures: 'Percentage CPU (Average)',
      threshold: '> 90 over 15 min, checked every 5 min',
      routedTo: [WARNING],
    });
  });

  test('the built-in backup alerts of the vault are routed to the critical action group', () => {
    expect(facts('prod').alarms.find((a) => a.id === 'apr-platform-prod-backup')).toMatchObject({
      measures: 'alerts of Azure Backup raised on rsv-platform-prod-weu',
      routedTo: [CRITICAL],
    });
  });

  test('interpolations in a description are named, not left as Terraform expressions', () => {
    expect(facts('prod').alarms.filter((a) => `${a.description}${a.firstResponse ?? ''}`.includes('${'))).toEqual([]);
  });
});

describe('backup', () => {
  test('prod: the VM policy with daily, weekly and monthly retention, kept in the paired region', () => {
    const [policy] = facts('prod').backup;
    expect(policy!.rules).toEqual([
      {
        name: 'daily',
        schedule: 'daily at 01:00 UTC',
        retention: '35 days',
        copyTo: 'the paired region (geo-redundant, restorable there)',
      },
      {
        name: 'weekly',
        schedule: 'the Sunday backup',
        retention: '13 weeks',
        copyTo: 'the paired region (geo-redundant, restorable there)',
      },
      {
        name: 'monthly',
        schedule: 'the backup of day 1',
        retention: '12 months',
        copyTo: 'the paired region (geo-redundant, restorable there)',
      },
    ]);
  });

  test('prod: the immutable vault and the VMs it protects', () => {
    expect(facts('prod').backup[0]).toMatchObject({
      plan: 'bkpol-platform-prod',
      vault: 'rsv-platform-prod-weu',
      lock: 'immutability Locked (cannot be turned off), soft delete on, GeoRedundant storage',
      selection:
        'VMs vm-platform-prod-ops-1, vm-platform-prod-ops-2, vm-platform-prod-web-1, vm-platform-prod-web-2, vm-platform-prod-web-3; instant restore snapshots kept 7 days',
    });
  });

  test('dev keeps fewer days and protects its two VMs', () => {
    const [policy] = facts('dev').backup;
    expect(policy!.rules.find((r) => r.name === 'daily')!.retention).not.toBe('35 days');
    expect(policy!.selection).toMatch(/^VMs vm-platform-dev-ops-1, vm-platform-dev-web-1;/);
  });
});

describe('checks', () => {
  test('the probes and web tests of prod, what they call and how often', () => {
    expect(facts('prod').checks).toEqual([
      {
        name: 'caj-prod-check-api-weu',
        kind: 'probe',
        target: 'https://<ca-prod-api.fqdn>/',
        schedule: 'every minute (* * * * *)',
      },
      {
        name: 'caj-prod-check-public-api-weu',
        kind: 'probe',
        target: 'https://api.example.com/v1/health',
        schedule: 'every minute (* * * * *)',
      },
      {
        name: 'platform-prod-web',
        kind: 'web test',
        target: 'https://<ca-prod-web.fqdn>/',
        schedule: 'every 5 min from 5 locations',
      },
      {
        name: 'platform-prod-web-tls',
        kind: 'web test (TLS certificate ≥ 30 days)',
        target: 'https://<ca-prod-web.fqdn>/',
        schedule: 'every 15 min from 5 locations',
      },
    ]);
  });
});

describe('acknowledgements', () => {
  test('the change acknowledgements of prod, each with its reason', () => {
    let count = 0;
    for (const stack of stacks.filter((s) => s.environment === 'prod')) {
      for (const byName of Object.values((stack.json.resource ?? {}) as Record<string, Record<string, object>>)) {
        for (const resource of Object.values(byName) as { '//'?: { 'platform:review'?: unknown[] } }[])
          count += resource['//']?.['platform:review']?.length ?? 0;
      }
    }
    expect(count).toBeGreaterThan(0);
    const acks = facts('prod').acknowledgements;
    expect(acks.filter((a) => a.kind === 'change')).toHaveLength(count);
    expect(acks.filter((a) => a.reason.trim().length < 10)).toEqual([]);
  });

  test('guardrail acknowledgements on a resource, on the provider and of a removal on the stack', () => {
    const stack: SynthesizedStack = {
      cloud: 'azure',
      environment: 'test',
      stack: 'platform-test',
      file: 'cdk.tf.json',
      bytes: 0,
      json: {
        '//': {
          'platform:review': [
            { resource: 'azurerm_storage_account.old', risk: 'data-loss', reason: 'archived and emptied first' },
          ],
        },
        provider: {
          azurerm: [{ features: [{}], '//': { acknowledged: { PC_AZURE_PROVIDER_DATA_SAFE_FEATURES: 'a sandbox' } } }],
        },
        resource: {
          azurerm_public_ip: {
            edge: {
              name: 'pip-edge',
              '//': { acknowledged: { PC_AZURE_PUBLIC_IP_EDGE_ONLY: 'the edge load balancer' } },
            },
          },
        },
      },
    };
    expect(factsOf([stack], 'azure').acknowledgements).toEqual([
      {
        kind: 'guardrail',
        rule: 'PC_AZURE_PUBLIC_IP_EDGE_ONLY',
        resource: 'platform-test/azurerm_public_ip.edge',
        reason: 'the edge load balancer',
      },
      {
        kind: 'change',
        rule: 'data-loss',
        resource: 'platform-test/azurerm_storage_account.old (removed)',
        reason: 'archived and emptied first',
      },
      {
        kind: 'guardrail',
        rule: 'PC_AZURE_PROVIDER_DATA_SAFE_FEATURES',
        resource: 'platform-test/provider.azurerm',
        reason: 'a sandbox',
      },
    ]);
  });
});
