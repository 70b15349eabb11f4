import { RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { Environment } from '../../lib/core';
import { Patching, PlatformStack, Server } from '../../lib/aws';
import { environmentStackProps } from './stack-props';
import type { FoundationStack } from './foundation-stack';

/**
 * An environment's servers and their patching (container services and jobs live in the workload stacks). It
 * depends on the foundation and may reference it; the foundation never references it.
 */
export class ComputeStack extends PlatformStack {
  /** The servers, by name. */
  public readonly servers: ReadonlyMap<string, Server>;
  /** The patch baselines and maintenance window of the servers. */
  public readonly patching?: Patching;

  constructor(scope: Construct, id: string, env: Environment, foundation: FoundationStack) {
    super(scope, id, environmentStackProps(env, 'servers, containers and jobs'));
    this.addStackDependency(foundation, 'compute runs in the foundation network');
    const removalPolicy = env.protection.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    if (env.servers.length > 0) {
      this.patching = new Patching(this, 'Patching', {
        spec: env.patching,
        environment: env.name,
        logGroupName: foundation.monitoring.applicationLogGroup.logGroupName,
        // Production patches one server at a time, so a definition of several servers keeps serving.
        maxConcurrency: env.tier === 'production' ? '1' : '50%',
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
          removalPolicy,
        }),
      ]),
    );
  }
}
