import type { DeliveryInput } from '../../lib/core';

/**
 * How a change reaches the environments: pull requests into `main` are planned and reviewed; each merge is promoted
 * through the environments in the list's order (stacks/environments/index.ts), production behind an approval.
 * AWS: the CDK Pipelines pipeline `platform-delivery` in the delivery account, reading the repository through a
 * CodeConnections connection. Azure: the GitHub Actions workflows `npm run workflows` writes.
 */
export const delivery: DeliveryInput = {
  repository: 'example-org/platform',
  branch: 'main',
  aws: {
    account: '999999999999',
    region: 'eu-west-1',
    connectionArn: 'arn:aws:codeconnections:eu-west-1:999999999999:connection/3f1c2b7a-8d4e-4c1a-9b2f-6e5d4c3b2a10',
    approvalEmails: ['platform-approvals@example.com'],
  },
  azure: { tool: 'terraform' },
};
