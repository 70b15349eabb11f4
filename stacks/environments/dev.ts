import type { EnvironmentInput } from '../../lib/core';

/** Development: disposable, two zones, one NAT gateway, data destroyed with the stack. */
export const dev: EnvironmentInput = {
  name: 'dev',
  tier: 'development',
  aws: { account: '111111111111', region: 'eu-west-1' },
  azure: { location: 'westeurope' },
  network: { cidr: '10.10.0.0/16' },
  tags: { owner: 'platform-team', 'cost-center': 'platform' },
  monitoring: { emails: ['platform-alerts@example.com'] },
};
