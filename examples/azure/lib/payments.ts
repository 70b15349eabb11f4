import { defineApplication } from 'platform-constructs';

/**
 * The payments team's application on the platform's `prod` environment in Azure: a public checkout front end, an
 * internal ledger API and a nightly settlement job. `defineApplication` checks it and applies the defaults of the
 * production tier, as the platform's own workloads get them; every workload is named `payments-<name>`.
 */
export const payments = defineApplication({
  name: 'payments',
  environment: {
    name: 'prod',
    tier: 'production',
    // The platform environment's location: its resource group, network and Container Apps environment are there.
    azure: { location: 'westeurope' },
  },
  tags: { owner: 'payments-team', 'cost-center': 'payments' },
  services: [
    {
      name: 'checkout',
      image: 'public.ecr.aws/nginx/nginx:1.27',
      cpu: 0.5,
      memoryGiB: 1,
      port: 80,
      healthCheckPath: '/',
      // Reachable from the Internet through the Container Apps environment's ingress, HTTPS only (its managed
      // certificate; HTTP is refused).
      public: true,
      autoscaling: { cpuPercent: 60, concurrentRequests: 100 },
    },
    {
      // Internal: reachable only from the apps of the same Container Apps environment.
      name: 'ledger',
      image: 'public.ecr.aws/docker/library/httpd:2.4',
      cpu: 0.5,
      memoryGiB: 1,
      port: 80,
      healthCheckPath: '/',
      environment: { LOG_LEVEL: 'info' },
    },
  ],
  jobs: [
    {
      name: 'settlement',
      image: 'public.ecr.aws/docker/library/busybox:1.36',
      cpu: 0.25,
      memoryGiB: 0.5,
      schedule: { cron: '30 2 * * *' },
      timeoutMinutes: 60,
      retries: 1,
    },
  ],
});
