import type { ConfigurationInput, EnvironmentInput } from '../../lib/core';

/** The break-glass admin key of the example environments' Azure VMs (public half only; replace with your own). */
export const EXAMPLE_ADMIN_SSH_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINcHJ9pkEHbs06DzF/d8CTJtnKONmjl4XyHznF1QT3gG platform-break-glass';

/** A web server's configuration: nginx serving a static health page. */
export const WEB_CONFIGURATION: ConfigurationInput = {
  packages: ['nginx'],
  files: [
    { path: '/var/www/html/healthz', content: 'ok\n', mode: '0644' },
    {
      path: '/etc/nginx/conf.d/platform.conf',
      content: 'server_tokens off;\n',
      mode: '0644',
    },
  ],
  services: ['nginx'],
};

/**
 * The web servers' health endpoint: nginx's default site on Ubuntu serves /var/www/html, where WEB_CONFIGURATION
 * writes `healthz`, so `http://127.0.0.1/healthz` answers 200 while nginx runs.
 */
export const WEB_HEALTH_CHECK = { port: 80, path: '/healthz' } as const;

/** The operations playbook every environment's ops servers run (owned by the platform team). */
export const OPS_PLAYBOOK = {
  repository: 'https://github.com/example-org/platform-playbooks',
  playbook: 'ops.yml',
} as const;

/** The Key Vault holding the example environments' secrets on Azure (AWS reads Secrets Manager by the same names). */
export function exampleKeyVaultId(environment: string): string {
  return `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-secrets/providers/Microsoft.KeyVault/vaults/kv-platform-${environment}`;
}

/** A public web front end: nginx serving on port 80. */
export const WEB_SERVICE = {
  name: 'web',
  image: 'public.ecr.aws/nginx/nginx:1.27',
  cpu: 0.25,
  memoryGiB: 0.5,
  port: 80,
  public: true,
} as const;

/** An internal API, reachable only inside the network, reading its database password from a secret. */
export const API_SERVICE = {
  name: 'api',
  image: 'public.ecr.aws/docker/library/httpd:2.4',
  cpu: 0.5,
  memoryGiB: 1,
  port: 80,
  healthCheckPath: '/',
  environment: { LOG_LEVEL: 'info' },
  secrets: { DB_PASSWORD: 'api-db-password' },
  autoscaling: { cpuPercent: 70, concurrentRequests: 50 },
} as const;

/** A nightly maintenance job at 03:00 UTC. */
export const NIGHTLY_JOB = {
  name: 'nightly-cleanup',
  image: 'public.ecr.aws/docker/library/busybox:1.36',
  cpu: 0.25,
  memoryGiB: 0.5,
  schedule: { cron: '0 3 * * *' },
  timeoutMinutes: 30,
} as const;

/** The ACM certificate the example production-tier environments serve HTTPS with (one per account). */
export function exampleCertificateArn(account: string): string {
  return `arn:aws:acm:eu-west-1:${account}:certificate/00000000-0000-0000-0000-000000000000`;
}

/**
 * The checks of a production-tier environment: the public API's health by URL (it must answer JSON with
 * `status: "ok"` within 1.5 seconds), and the web service's default check held to a 1-second budget (a static page).
 */
export function productionChecks(apiHost: string): EnvironmentInput['checks'] {
  return {
    services: { web: { latencyBudgetMs: 1000 } },
    endpoints: [
      {
        name: 'public-api',
        url: `https://${apiHost}/v1/health`,
        headers: { Accept: 'application/json' },
        body: { json: { path: 'status', equals: 'ok' } },
        latencyBudgetMs: 1500,
      },
    ],
  };
}
