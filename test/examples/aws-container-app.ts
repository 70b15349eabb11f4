import { App } from 'aws-cdk-lib';
import { defineEnvironment } from 'platform-constructs';
import {
  ContainerCluster,
  ContainerService,
  Monitoring,
  Network,
  PlatformStack,
  PolicyChecks,
  ScheduledJob,
} from 'platform-constructs/aws';

/** An application team's own CDK app: a public service, an internal one and a nightly job. */
export function buildContainerApp(): App {
  const env = defineEnvironment({
    name: 'team-dev',
    tier: 'development',
    aws: { account: '444444444444', region: 'eu-central-1' },
    azure: { location: 'germanywestcentral' },
    network: { cidr: '10.40.0.0/16' },
    tags: { owner: 'team-payments' },
    monitoring: { emails: ['payments-oncall@example.com'] },
    services: [
      { name: 'checkout', image: 'public.ecr.aws/nginx/nginx:1.27', cpu: 0.5, memoryGiB: 1, port: 80, public: true },
      {
        name: 'ledger',
        image: { directory: 'test/examples/ledger', azureReference: 'teamacr.azurecr.io/ledger:1.4.0' },
        cpu: 1,
        memoryGiB: 2,
        port: 8080,
        healthCheckPath: '/healthz',
        autoscaling: { cpuPercent: 60, concurrentRequests: 100 },
      },
    ],
    jobs: [
      {
        name: 'settle',
        image: 'public.ecr.aws/docker/library/busybox:1.36',
        cpu: 0.25,
        memoryGiB: 0.5,
        schedule: { cron: '30 2 * * MON-FRI' },
        timeoutMinutes: 20,
        retries: 2,
      },
    ],
  });

  const app = new App();
  const stack = new PlatformStack(app, 'payments-containers', {
    env: { account: env.aws.account, region: env.aws.region },
    availabilityZones: env.aws.availabilityZones,
  });
  const monitoring = new Monitoring(stack, 'Monitoring', { spec: env.monitoring, name: env.name });
  const network = new Network(stack, 'Network', {
    spec: env.network,
    name: env.name,
    availabilityZones: env.aws.availabilityZones,
    monitoring,
  });
  const containers = new ContainerCluster(stack, 'Containers', { name: env.name, vpc: network.vpc });
  const shared = { environment: env.name, cluster: containers.cluster, vpc: network.vpc, monitoring };
  for (const spec of env.services) {
    new ContainerService(stack, spec.name, {
      ...shared,
      spec,
      accessLogBucket: containers.accessLogBucket,
    });
  }
  for (const spec of env.jobs) new ScheduledJob(stack, spec.name, { ...shared, spec });
  PolicyChecks.applyTo(app, { tier: env.tier });
  return app;
}
