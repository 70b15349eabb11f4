import type { Environment } from '../../lib/core';
import type { PlatformStackProps } from '../../lib/aws';

/** The props every stack of an environment shares: account, region, zones and termination protection. */
export function environmentStackProps(env: Environment, description: string): PlatformStackProps {
  return {
    env: { account: env.aws.account, region: env.aws.region },
    availabilityZones: env.aws.availabilityZones,
    terminationProtection: env.protection.terminationProtection,
    description: `Platform ${env.name} (${env.tier}): ${description}`,
  };
}
