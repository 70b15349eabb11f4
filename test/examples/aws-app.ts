import { App, CfnOutput } from 'aws-cdk-lib';
import { defineEnvironment } from 'platform-constructs';
import { Monitoring, Network, PlatformStack, PolicyChecks, toRetentionDays } from 'platform-constructs/aws';

/** An application team's own CDK app with the platform's Network, without the platform's environments. */
export function buildTeamApp(): App {
  const env = defineEnvironment({
    name: 'team-dev',
    tier: 'development',
    aws: { account: '444444444444', region: 'eu-central-1' },
    azure: { location: 'germanywestcentral' },
    network: { cidr: '10.40.0.0/16' },
    tags: { owner: 'team-payments' },
    monitoring: { emails: ['payments-oncall@example.com'] },
  });

  const app = new App();
  const stack = new PlatformStack(app, 'payments-network', {
    env: { account: env.aws.account, region: env.aws.region },
    availabilityZones: env.aws.availabilityZones, // explicit: no lookup, no credentials at synth time
  });
  // Alert channels, dashboard and log analysis; the network registers its default alarms there.
  const monitoring = new Monitoring(stack, 'Monitoring', { spec: env.monitoring, name: env.name });
  const network = new Network(stack, 'Network', {
    spec: env.network,
    name: env.name,
    availabilityZones: env.aws.availabilityZones,
    flowLogRetention: toRetentionDays(env.monitoring.logRetentionDays),
    monitoring,
  });
  new CfnOutput(stack, 'PrivateSubnetIds', { value: network.privateSubnets.map((s) => s.subnetId).join(',') });
  PolicyChecks.applyTo(app, { tier: env.tier }); // cdk-nag and the platform rules: synthesis fails on an error
  return app;
}
