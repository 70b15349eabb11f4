import { App } from 'aws-cdk-lib';
import { defineEnvironment } from 'platform-constructs';
import { Monitoring, Network, Patching, PlatformStack, PolicyChecks, Server } from 'platform-constructs/aws';

/** An application team's own CDK app with two configured servers, patched on Sundays. */
export function buildServerApp(): App {
  const env = defineEnvironment({
    name: 'team-prod',
    tier: 'production',
    aws: { account: '444444444444', region: 'eu-central-1' },
    azure: { location: 'germanywestcentral', adminSshPublicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample team' },
    network: { cidr: '10.40.0.0/16' },
    tags: { owner: 'team-payments' },
    monitoring: { emails: ['payments-oncall@example.com'] },
    servers: [
      {
        name: 'api',
        size: 'medium',
        count: 2,
        configuration: { packages: ['nginx'], services: ['nginx'] },
        ansible: { repository: 'https://github.com/example-org/payments-playbooks', playbook: 'api.yml' },
      },
    ],
  });

  const app = new App();
  const stack = new PlatformStack(app, 'payments-servers', {
    env: { account: env.aws.account, region: env.aws.region },
    availabilityZones: env.aws.availabilityZones,
    terminationProtection: true,
  });
  const monitoring = new Monitoring(stack, 'Monitoring', { spec: env.monitoring, name: env.name });
  const network = new Network(stack, 'Network', {
    spec: env.network,
    name: env.name,
    availabilityZones: env.aws.availabilityZones,
    monitoring,
  });
  new Patching(stack, 'Patching', {
    spec: env.patching,
    environment: env.name,
    logGroupName: monitoring.applicationLogGroup.logGroupName,
  });
  for (const spec of env.servers) {
    new Server(stack, spec.name, {
      spec,
      environment: env.name,
      vpc: network.vpc,
      monitoring,
      deletionProtection: true,
    });
  }
  PolicyChecks.applyTo(app, { tier: env.tier });
  return app;
}
