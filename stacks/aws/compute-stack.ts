import type { Construct } from 'constructs';
import type { Environment } from '../../lib/core';
import { PlatformStack } from '../../lib/aws';
import { environmentStackProps } from './stack-props';
import type { FoundationStack } from './foundation-stack';

/**
 * The replaceable part of an environment: servers, container services and scheduled jobs (issues 5 and 6)
 * go here. It depends on the foundation and may reference it; the foundation never references it.
 */
export class ComputeStack extends PlatformStack {
  constructor(scope: Construct, id: string, env: Environment, foundation: FoundationStack) {
    super(scope, id, environmentStackProps(env, 'servers, containers and jobs'));
    this.addStackDependency(foundation, 'compute runs in the foundation network');
  }
}
