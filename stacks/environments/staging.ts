import type { EnvironmentInput } from '../../lib/core';

/**
 * Staging: a production-tier environment sized down, so that what reaches production has been through
 * the same guardrails. One NAT gateway instead of one per zone keeps its cost down.
 */
export const staging: EnvironmentInput = {
  name: 'staging',
  tier: 'production',
  aws: { account: '222222222222', region: 'eu-west-1' },
  azure: { location: 'westeurope' },
  network: { cidr: '10.20.0.0/16', natGateways: 1 },
  tags: { owner: 'platform-team', 'cost-center': 'platform' },
  monitoring: { emails: ['platform-alerts@example.com'] },
};
