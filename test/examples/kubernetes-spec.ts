import { defineEnvironment, type Environment } from 'platform-constructs';

/** A production environment with a private cluster, managed Prometheus, its own rules and tuned default rules. */
export function defineClusterProd(): Environment {
  return defineEnvironment({
    name: 'pay-prod',
    tier: 'production',
    aws: { account: '444444444444', region: 'eu-central-1' },
    azure: { location: 'germanywestcentral' },
    network: { cidr: '10.40.0.0/16' },
    tags: { owner: 'team-payments' },
    monitoring: {
      emails: ['payments-oncall@example.com'],
      // A default alarm, tuned like every other: KubePodCrashLooping after 3 restarts, for 2 x 5 minutes.
      alarms: { 'kubernetes/pod-restarts': { threshold: 3, evaluationPeriods: 2 } },
    },
    kubernetes: {
      version: '1.35',
      pools: [
        { name: 'system', size: 'medium', minCount: 3, maxCount: 6, system: true },
        { name: 'apps', size: 'large', minCount: 3, maxCount: 12, diskGiB: 128 },
      ],
      egress: [{ cidr: '203.0.113.0/24', ports: [443], description: 'The card processor API' }],
      admins: {
        aws: ['arn:aws:iam::444444444444:role/platform-admins'],
        azure: ['7d2c5a1e-3b4f-4c6d-8e9f-0a1b2c3d4e5f'],
      },
    },
    prometheus: {
      rules: [
        { record: 'namespace:http_requests:rate5m', expr: 'sum by (namespace, code) (rate(http_requests_total[5m]))' },
        {
          alert: 'LedgerErrorRatioHigh',
          expr: 'sum(namespace:http_requests:rate5m{namespace="ledger", code=~"5.."}) / sum(namespace:http_requests:rate5m{namespace="ledger"}) > 0.05',
          for: '10m',
          severity: 'critical',
          summary: 'More than 5% of the ledger requests fail.',
        },
      ],
      defaults: {
        'target-down': { for: '15m' },
        'pv-filling-up': { enabled: false, reason: 'no persistent volumes: the ledger keeps its data in databases' },
      },
    },
  });
}
