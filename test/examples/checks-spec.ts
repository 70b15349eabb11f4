import { defineEnvironment, type Environment } from 'platform-constructs';

/** A production environment whose services are checked by default, tuned, one switched off, plus two endpoints. */
export function definePaymentsProd(): Environment {
  return defineEnvironment({
    name: 'pay-prod',
    tier: 'production',
    aws: { account: '444444444444', region: 'eu-central-1' },
    azure: {
      location: 'germanywestcentral',
      keyVaultId:
        '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-secrets/providers/Microsoft.KeyVault/vaults/kv-payments',
    },
    network: { cidr: '10.40.0.0/16' },
    tags: { owner: 'team-payments' },
    monitoring: { emails: ['payments-oncall@example.com'] },
    services: [
      { name: 'checkout', image: 'public.ecr.aws/nginx/nginx:1.27', cpu: 0.5, memoryGiB: 1, port: 80, public: true },
      { name: 'ledger', image: 'public.ecr.aws/nginx/nginx:1.27', cpu: 1, memoryGiB: 2, port: 8080 },
      { name: 'export', image: 'public.ecr.aws/nginx/nginx:1.27', cpu: 0.5, memoryGiB: 1, port: 8080 },
    ],
    checks: {
      services: {
        // `checkout` is checked with no entry at all: GET its health path every minute, 200 within 2 s.
        ledger: { path: '/ready', latencyBudgetMs: 500 },
        export: { off: 'checked end to end by the ledger-export endpoint check below' },
      },
      endpoints: [
        {
          name: 'ledger-export',
          service: 'ledger',
          path: '/v1/exports/latest',
          headers: { Accept: 'application/json' },
          body: { json: { path: 'state', equals: 'complete' } },
          intervalMinutes: 15,
        },
        {
          name: 'partner-api',
          url: 'https://partner.example.com/v2/ping',
          secretHeaders: { 'X-Api-Key': 'partner-api-key' },
          body: { contains: 'pong' },
          tlsExpiryWarningDays: 45,
        },
      ],
    },
  });
}
