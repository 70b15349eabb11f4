import type { EnvironmentInput } from '../../lib/core';

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
  },
  network: { cidr: '10.30.0.0/16' },
  tags: { owner: 'platform-team', 'cost-center': 'platform' },
  monitoring: {
    emails: ['platform-alerts@example.com'],
    webhookUrls: ['https://events.pagerduty.com/integration/0000/enqueue'],
  },
};
