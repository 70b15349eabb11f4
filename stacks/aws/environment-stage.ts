import { Stage } from 'aws-cdk-lib';
import { PolicyChecks, PortableAssembly, TagResources } from '../../lib/aws';
import type { Construct } from 'constructs';
import { PLATFORM_PREFIX, type Environment } from '../../lib/core';
import { ComputeStack } from './compute-stack';
import { FoundationStack } from './foundation-stack';

/**
 * One environment on AWS: a Stage named `platform-<env>` whose stacks are split by lifecycle
 * (`platform-<env>-foundation` for data, `platform-<env>-compute` for what can be replaced). Deploy one with `cdk deploy 'platform-<env>/*'`.
 */
export class EnvironmentStage extends Stage {
  /** Network, keys and logs: stateful, retained in production. */
  public readonly foundation: FoundationStack;
  private readonly env: Environment;
  private computeStack?: ComputeStack;

  constructor(scope: Construct, env: Environment) {
    super(scope, `${PLATFORM_PREFIX}-${env.name}`, { env: { account: env.aws.account, region: env.aws.region } });
    this.foundation = new FoundationStack(this, 'foundation', env);
    this.env = env;
    if (env.servers.length > 0) this.computeStack = new ComputeStack(this, 'compute', env, this.foundation);
    TagResources.applyTo(this, env.tags);
    // Aspects stop at stage boundaries, so each stage gets its own.
    PortableAssembly.applyTo(this);
    PolicyChecks.applyTo(this, { tier: env.tier });
  }

  /**
   * Servers, services and jobs: replaceable, never holding data. Created on first use, because
   * CloudFormation rejects a template without resources.
   */
  public get compute(): ComputeStack {
    this.computeStack ??= new ComputeStack(this, 'compute', this.env, this.foundation);
    return this.computeStack;
  }
}
