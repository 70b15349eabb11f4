import { Stage } from 'aws-cdk-lib';
import { PolicyChecks, PortableAssembly, TagResources } from '../../lib/aws';
import type { Construct } from 'constructs';
import { PLATFORM_PREFIX, WORKLOAD_STACKS, type DeliverySpec, type Environment } from '../../lib/core';
import { BackupCopyStack } from './backup-copy-stack';
import { ComputeStack } from './compute-stack';
import { FoundationStack } from './foundation-stack';
import { KubernetesStack } from './kubernetes-stack';
import { WorkloadStack } from './workload-stack';

/** Options of {@link EnvironmentStage}. */
export interface EnvironmentStageOptions {
  /**
   * The delivery that deploys the environment: with an `aws` section, the foundation lends its pipeline a role
   * to run the environment's API checks.
   * @default - no delivery
   */
  readonly delivery?: DeliverySpec;
}

/**
 * One environment on AWS: a Stage named `platform-<env>` whose stacks are split by lifecycle and size:
 * `platform-<env>-foundation` (network, monitoring, keys, logs, the container cluster), `platform-<env>-compute`
 * (servers and patching), `platform-<env>-workloads-<n>` (container services and jobs, placed by name) and
 * `platform-<env>-kubernetes` (the EKS cluster and its managed Prometheus, when the environment has one).
 * Deploy one with `cdk deploy 'platform-<env>/*'`; the delivery pipeline deploys them all in order.
 */
export class EnvironmentStage extends Stage {
  /** Network, keys and logs: stateful, retained in production. */
  public readonly foundation: FoundationStack;
  /** The workload stacks that hold services or jobs, by index (`platform-<env>-workloads-<n>`). */
  public readonly workloads: ReadonlyMap<number, WorkloadStack>;
  /** The cluster and its managed Prometheus (`platform-<env>-kubernetes`), when the environment has a cluster. */
  public readonly kubernetes?: KubernetesStack;
  private readonly env: Environment;
  private computeStack?: ComputeStack;

  constructor(scope: Construct, env: Environment, options: EnvironmentStageOptions = {}) {
    super(scope, `${PLATFORM_PREFIX}-${env.name}`, { env: { account: env.aws.account, region: env.aws.region } });
    this.foundation = new FoundationStack(this, 'foundation', env, {
      ...(options.delivery?.aws && { delivery: options.delivery.aws }),
    });
    // Copies go to a vault in the second region (production tiers only name one); the foundation names it by ARN,
    // so it deploys first.
    if (env.backup.secondRegion !== undefined) {
      const copies = new BackupCopyStack(this, 'backup-copy', env, env.backup.secondRegion);
      this.foundation.addStackDependency(copies, 'backup copies go to the vault in the second region');
    }
    this.env = env;
    if (env.servers.length > 0) this.computeStack = new ComputeStack(this, 'compute', env, this.foundation);
    // Only the stacks that hold something exist: CloudFormation refuses a template without resources.
    const workloads = new Map<number, WorkloadStack>();
    for (let n = 0; n < WORKLOAD_STACKS; n++) {
      const services = env.services.filter((s) => s.stack === n);
      const jobs = env.jobs.filter((j) => j.stack === n);
      if (services.length + jobs.length === 0) continue;
      workloads.set(n, new WorkloadStack(this, `workloads-${n}`, env, this.foundation, { services, jobs }));
    }
    this.workloads = workloads;
    if (env.kubernetes) {
      this.kubernetes = new KubernetesStack(this, 'kubernetes', env, this.foundation, {
        kubernetes: env.kubernetes,
        ...(env.prometheus && { prometheus: env.prometheus }),
      });
    }
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
