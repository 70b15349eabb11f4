import { defineApplication } from 'platform-constructs';

/**
 * The payments team's application on the platform's `prod` environment in AWS: a public checkout front end, an
 * internal ledger API and a nightly settlement job. `defineApplication` checks it and applies the defaults of the
 * production tier (two tasks or more per service, logs kept a year, data retained), as the platform's own
 * workloads get them; every workload is named `payments-<name>`.
 */
export const payments = defineApplication({
  name: 'payments',
  environment: {
    name: 'prod',
    tier: 'production',
    // The platform environment's account and region: the stack deploys there and reads the platform's values there.
    aws: { account: '333333333333', region: 'eu-west-1' },
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
      // Reachable from the Internet through its load balancer: HTTPS with the team's ACM certificate (in the
      // environment's account and region), HTTP redirects to it.
      public: true,
      awsCertificateArn: 'arn:aws:acm:eu-west-1:333333333333:certificate/6f1c2d3e-4a5b-4c6d-8e7f-90a1b2c3d4e5',
      autoscaling: { cpuPercent: 60, concurrentRequests: 100 },
    },
    {
      // Internal: its load balancer is reachable only from inside the platform's network. Production serves HTTPS
      // inside the network too, so it has a certificate of its own (a private name under the team's domain).
      name: 'ledger',
      image: 'public.ecr.aws/docker/library/httpd:2.4',
      cpu: 0.5,
      memoryGiB: 1,
      port: 80,
      healthCheckPath: '/',
      environment: { LOG_LEVEL: 'info' },
      awsCertificateArn: 'arn:aws:acm:eu-west-1:333333333333:certificate/0b9a8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d',
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
