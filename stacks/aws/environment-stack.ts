import type { Construct } from 'constructs';
import { defaultAwsZones, type Environment } from '../../lib/core';
import { PlatformStack, RetainStatefulResources } from '../../lib/aws';

/** What sets one stack of an environment apart from the others. */
export interface EnvironmentStackOptions {
  /** What the stack holds, for its description (`Platform <env> (<tier>): <description>`). */
  readonly description: string;
  /**
   * The region of the stack, when it is not the environment's (the backup copies); its zones are then the
   * region's default ones.
   * @default - the environment's region and availability zones
   */
  readonly region?: string;
}

/**
 * A stack of one environment: in its account and region, with its availability zones (never looked up), its
 * termination protection, a description naming the environment and its tier, and what happens to its stateful
 * resources when the stack is deleted or they are replaced (`RetainStatefulResources` from
 * `protection.retainData`), decided here once for every stack of the environment.
 */
export abstract class EnvironmentStack extends PlatformStack {
  constructor(scope: Construct, id: string, env: Environment, options: EnvironmentStackOptions) {
    const region = options.region ?? env.aws.region;
    super(scope, id, {
      env: { account: env.aws.account, region },
      availabilityZones: options.region === undefined ? env.aws.availabilityZones : defaultAwsZones(region),
      terminationProtection: env.protection.terminationProtection,
      description: `Platform ${env.name} (${env.tier}): ${options.description}`,
    });
    RetainStatefulResources.applyTo(this, { retainData: env.protection.retainData });
  }
}
