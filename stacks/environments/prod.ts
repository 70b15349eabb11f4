import type { EnvironmentInput } from '../../lib/core';
import {
  API_SERVICE,
  EXAMPLE_ADMIN_SSH_KEY,
  exampleCertificateArn,
  exampleKeyVaultId,
  NIGHTLY_JOB,
  OPS_PLAYBOOK,
  productionChecks,
  WEB_CONFIGURATION,
  WEB_HEALTH_CHECK,
  WEB_SERVICE,
} from './workloads';

/** Production: three zones, a NAT gateway per zone, data retained, Terraform state in Azure Storage. */
export const prod: EnvironmentInput = {
  name: 'prod',
  tier: 'production',
  aws: { account: '333333333333', region: 'eu-west-1' },
  azure: {
    location: 'westeurope',
    backend: {
      resourceGroupName: 'rg-platform-tfstate',
      storageAccountName: 'stplatformtfstate',
      containerName: 'tfstate',
    },
    adminSshPublicKey: EXAMPLE_ADMIN_SSH_KEY,
    keyVaultId: exampleKeyVaultId('prod'),
  },
  network: { cidr: '10.30.0.0/16' },
  tags: { owner: 'platform-team', 'cost-center': 'platform' },
  monitoring: {
    emails: ['platform-alerts@example.com'],
    webhookUrls: ['https://events.pagerduty.com/integration/0000/enqueue'],
  },
  servers: [
    {
      name: 'web',
      size: 'medium',
      count: 3,
      diskGiB: 64,
      configuration: WEB_CONFIGURATION,
      healthCheck: WEB_HEALTH_CHECK,
    },
    { name: 'ops', size: 'small', os: { aws: 'amazon-linux-2023', azure: 'ubuntu-24.04' }, ansible: OPS_PLAYBOOK },
  ],
  // Production tiers serve HTTPS only: HTTP redirects to it.
  services: [
    { ...WEB_SERVICE, awsCertificateArn: exampleCertificateArn('333333333333') },
    { ...API_SERVICE, awsCertificateArn: exampleCertificateArn('333333333333') },
  ],
  jobs: [NIGHTLY_JOB],
  // Every service is checked by default; the public API is checked by URL, with its answer.
  checks: productionChecks('api.example.com'),
  // A private cluster: the system pool runs the add-ons (one node per zone at least), the apps pool the workloads.
  kubernetes: {
    pools: [
      { name: 'system', size: 'medium', minCount: 3, maxCount: 6, system: true },
      { name: 'apps', size: 'large', minCount: 3, maxCount: 12 },
    ],
    // Who administers the cluster (local accounts are off): an IAM role on AWS, an Entra ID group on Azure.
    admins: {
      aws: ['arn:aws:iam::333333333333:role/platform-admins'],
      azure: ['6f0c2a1e-4b7d-4c9e-8a3f-2d1e0b9c8a7f'],
    },
    // What workloads may reach outside the network besides HTTPS (AWS: the nodes' security group; see docs/kubernetes.md).
    egress: [{ cidr: '203.0.113.0/24', ports: [443], description: 'payment provider API' }],
  },
  // The default rules, plus the team's own: an alert on the API's error ratio and the series it reads.
  prometheus: {
    rules: [
      {
        record: 'namespace:http_requests:rate5m',
        expr: 'sum by (namespace, code) (rate(http_requests_total[5m]))',
      },
      {
        alert: 'ApiErrorRatioHigh',
        expr: 'sum(namespace:http_requests:rate5m{namespace="api", code=~"5.."}) / sum(namespace:http_requests:rate5m{namespace="api"}) > 0.05',
        for: '10m',
        severity: 'critical',
        summary: 'More than 5% of the API requests fail.',
        annotations: {
          description: '{{ $value | humanizePercentage }} of the API requests answered 5xx for 10 minutes.',
        },
      },
    ],
  },
};
