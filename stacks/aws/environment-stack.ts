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
 * A stack of one environment: in its account and region, with its availability zones (never looked up), its tier
 * and protection (termination protection; the defaults of its constructs: removal policy, deletion protection, log
 * retention), a description naming the environment and its tier, and what happens to its stateful resources when
 * the stack is deleted or they are replaced (`protection.retainData`), decided here once for every stack of the
 * environment.
 */
export abstract class EnvironmentStack extends PlatformStack {
  constructor(scope: Construct, id: string, env: Environment, options: EnvironmentStackOptions) {
    const region = options.region ?? env.aws.region;
    super(scope, id, {
      env: { account: env.aws.account, region },
      availabilityZones: options.region === undefined ? env.aws.availabilityZones : defaultAwsZones(region),
      tier: env.tier,
      protection: { ...env.protection, logRetentionDays: env.monitoring.logRetentionDays },
      description: `Platform ${env.name} (${env.tier}): ${options.description}`,
    });
    // PlatformStack retains every stateful resource when the environment keeps its data; a disposable one deletes
    // them all with the stack, whoever created them.
    if (!env.protection.retainData) RetainStatefulResources.applyTo(this, { retainData: false });
  }
}
