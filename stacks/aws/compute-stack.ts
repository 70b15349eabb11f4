import { Construct } from 'constructs';
import type { Environment } from '../../lib/core';
import { Patching, Server } from '../../lib/aws';
import { EnvironmentStack } from './environment-stack';
import type { FoundationStack } from './foundation-stack';

/**
 * An environment's servers and their patching (container services and jobs live in the workload stacks). It
 * depends on the foundation and may reference it; the foundation never references it.
 */
export class ComputeStack extends EnvironmentStack {
  /** The servers, by name. */
  public readonly servers: ReadonlyMap<string, Server>;
  /** The patch baselines and maintenance window of the servers. */
  public readonly patching?: Patching;

  constructor(scope: Construct, id: string, env: Environment, foundation: FoundationStack) {
    super(scope, id, env, { description: 'servers, containers and jobs' });
    this.addStackDependency(foundation, 'compute runs in the foundation network');
    if (env.servers.length > 0) {
      this.patching = new Patching(this, 'Patching', {
        spec: env.patching,
        environment: env.name,
        logGroupName: foundation.monitoring.applicationLogGroup.logGroupName,
      });
    }
    // Each definition's construct path (and so every logical ID under it) is its name: reordering or adding
    // definitions never renames another one.
    const servers = new Construct(this, 'Servers');
    this.servers = new Map(
      env.servers.map((spec) => [
        spec.name,
        new Server(servers, spec.name, {
          spec,
          environment: env.name,
          vpc: foundation.network.vpc,
          monitoring: foundation.monitoring,
          deletionProtection: env.protection.deletionProtection,
          logRetentionDays: env.monitoring.logRetentionDays,
        }),
      ]),
    );
  }
}
