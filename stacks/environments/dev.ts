import type { EnvironmentInput } from '../../lib/core';
import {
  API_SERVICE,
  EXAMPLE_ADMIN_SSH_KEY,
  exampleKeyVaultId,
  NIGHTLY_JOB,
  OPS_PLAYBOOK,
  WEB_CONFIGURATION,
  WEB_HEALTH_CHECK,
  WEB_SERVICE,
} from './workloads';

/** Development: disposable, two zones, one NAT gateway, data destroyed with the stack. */
export const dev: EnvironmentInput = {
  name: 'dev',
  tier: 'development',
  aws: { account: '111111111111', region: 'eu-west-1' },
  azure: {
    location: 'westeurope',
    // The delivery workflows apply from GitHub Actions, whose runners keep nothing: state lives in Azure Storage.
    backend: {
      resourceGroupName: 'rg-platform-tfstate',
      storageAccountName: 'stplatformtfstate',
      containerName: 'tfstate',
    },
    adminSshPublicKey: EXAMPLE_ADMIN_SSH_KEY,
    keyVaultId: exampleKeyVaultId('dev'),
  },
  network: { cidr: '10.10.0.0/16' },
  tags: { owner: 'platform-team', 'cost-center': 'platform' },
  monitoring: { emails: ['platform-alerts@example.com'] },
  servers: [
    { name: 'web', size: 'small', configuration: WEB_CONFIGURATION, healthCheck: WEB_HEALTH_CHECK },
    { name: 'ops', size: 'small', os: { aws: 'amazon-linux-2023', azure: 'ubuntu-24.04' }, ansible: OPS_PLAYBOOK },
  ],
  services: [WEB_SERVICE, API_SERVICE],
  jobs: [NIGHTLY_JOB],
};
