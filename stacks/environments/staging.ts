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

/**
 * Staging: a production-tier environment sized down, so that what reaches production has been through
 * the same guardrails. One NAT gateway instead of one per zone keeps its cost down.
 */
export const staging: EnvironmentInput = {
  name: 'staging',
  tier: 'production',
  aws: { account: '222222222222', region: 'eu-west-1' },
  azure: {
    location: 'westeurope',
    // A production-tier environment keeps its Terraform state in Azure Storage, never on one machine.
    backend: {
      resourceGroupName: 'rg-platform-tfstate',
      storageAccountName: 'stplatformtfstate',
      containerName: 'tfstate',
    },
    adminSshPublicKey: EXAMPLE_ADMIN_SSH_KEY,
    keyVaultId: exampleKeyVaultId('staging'),
  },
  network: { cidr: '10.20.0.0/16', natGateways: 1 },
  tags: { owner: 'platform-team', 'cost-center': 'platform' },
  monitoring: { emails: ['platform-alerts@example.com'] },
  servers: [
    { name: 'web', size: 'small', count: 2, configuration: WEB_CONFIGURATION, healthCheck: WEB_HEALTH_CHECK },
    {
      name: 'ops',
      size: 'small',
      count: 1,
      os: { aws: 'amazon-linux-2023', azure: 'ubuntu-24.04' },
      ansible: OPS_PLAYBOOK,
    },
  ],
  // Production tiers serve HTTPS only: HTTP redirects to it.
  services: [
    { ...WEB_SERVICE, awsCertificateArn: exampleCertificateArn('222222222222') },
    { ...API_SERVICE, awsCertificateArn: exampleCertificateArn('222222222222') },
  ],
  jobs: [NIGHTLY_JOB],
  // Every service is checked by default; the public API is checked by URL, with its answer.
  checks: productionChecks('api.staging.example.com'),
};
