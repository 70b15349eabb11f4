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
};
