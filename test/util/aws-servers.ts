import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { Environment } from '../../lib/core';
import { Monitoring, Network, PlatformStack, Server, type ServerProps } from '../../lib/aws';
import { withTemporaryFolder } from './temp';

/** One stack holding an environment's network, monitoring and servers. */
export interface BuiltServers {
  readonly stack: PlatformStack;
  readonly template: Template;
  readonly network: Network;
  readonly monitoring: Monitoring;
  readonly servers: readonly Server[];
  readonly env: Environment;
}

/** The environment's network, monitoring and servers in one stack, wired like ComputeStack. */
export function buildServers(env: Environment, props: Partial<ServerProps> = {}): BuiltServers {
  // The assembly is written to a folder removed once the template is read, not left in the temporary folder.
  return withTemporaryFolder('platform-servers-', (outdir) => build(new App({ outdir }), env, props));
}

function build(app: App, env: Environment, props: Partial<ServerProps>): BuiltServers {
  const stack = new PlatformStack(app, 'Test', {
    env: { account: env.aws.account, region: env.aws.region },
    availabilityZones: env.aws.availabilityZones,
  });
  const monitoring = new Monitoring(stack, 'Monitoring', { spec: env.monitoring, name: env.name });
  const network = new Network(stack, 'Network', {
    spec: env.network,
    name: env.name,
    availabilityZones: env.aws.availabilityZones,
  });
  const servers = env.servers.map(
    (spec) => new Server(stack, spec.name, { spec, environment: env.name, vpc: network.vpc, monitoring, ...props }),
  );
  return { stack, template: Template.fromStack(stack), network, monitoring, servers, env };
}
