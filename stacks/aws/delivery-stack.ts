import { Duration } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { DELIVERY_PIPELINE_NAME, defaultAwsZones, type AwsDelivery, type DeliverySpec } from '../../lib/core';
import {
  apiCheckCanaryName,
  deliveryChecksRoleName,
  DeliveryPipeline,
  PlatformStack,
  PolicyChecks,
  PortableAssembly,
} from '../../lib/aws';
import type { EnvironmentStage } from './environment-stage';

/** The commands the pipeline synthesizes with: those of the README (`npm run synth` runs the guardrails). */
export const DELIVERY_SYNTH_COMMANDS: readonly string[] = ['npm ci', 'npm run synth -- --cloud aws'];

/**
 * How long the pipeline waits for an environment's API checks after deploying it: the longest interval of its
 * checks (a scheduled canary runs again within it), plus 10 minutes for the run itself and its start.
 */
export function deliveryCheckTimeout(intervalMinutes: readonly number[]): Duration {
  return Duration.minutes(Math.max(0, ...intervalMinutes) + 10);
}

/**
 * The delivery stack `platform-delivery`, in the delivery account: the CDK Pipelines pipeline of the same name,
 * which deploys every environment stage, one wave each, in the order of the environment list. A new environment is
 * a new wave with no change here. The stack is production-tier (termination protection, retained artifacts and
 * logs) and checked by the same guardrails as production, which it needs on its own: aspects stop at stage
 * boundaries, and this stack is no environment's. So are the pipeline's support stacks in other regions
 * (`platform-delivery-support-<region>`, the replication bucket of an environment's backup-copy region), which
 * deploy with it.
 */
export class DeliveryStack extends PlatformStack {
  /** The pipeline. */
  public readonly delivery: DeliveryPipeline;

  /**
   * @param scope the app (the stages must be its children, so that their stack names do not change)
   * @param spec the resolved delivery, with its AWS section
   * @param stages the stage of each of `spec.environments`, in the same order
   */
  constructor(
    scope: Construct,
    spec: DeliverySpec & { readonly aws: AwsDelivery },
    stages: readonly EnvironmentStage[],
  ) {
    super(scope, DELIVERY_PIPELINE_NAME, {
      env: { account: spec.aws.account, region: spec.aws.region },
      availabilityZones: defaultAwsZones(spec.aws.region),
      tier: 'production',
      terminationProtection: true,
      description: `Platform delivery: the ${DELIVERY_PIPELINE_NAME} pipeline from ${spec.repository} (${spec.branch}) through ${spec.environments.map((e) => e.name).join(', ')}`,
    });
    this.delivery = new DeliveryPipeline(this, 'Delivery', {
      pipelineName: DELIVERY_PIPELINE_NAME,
      source: { repository: spec.repository, branch: spec.branch, connectionArn: spec.aws.connectionArn },
      synthCommands: DELIVERY_SYNTH_COMMANDS,
      notificationEmails: spec.aws.approvalEmails,
      tier: 'production',
      stages: spec.environments.map((env, index) => ({
        stage: stages[index]!,
        name: env.name,
        production: env.tier === 'production',
        ...(env.checks.checks.length > 0 && {
          checks: {
            canaryNames: env.checks.checks.map((c) => apiCheckCanaryName(env.name, c.name)),
            roleArn: `arn:${this.partition}:iam::${env.aws.account}:role/${deliveryChecksRoleName(env.name)}`,
            timeout: deliveryCheckTimeout(env.checks.checks.map((c) => c.intervalMinutes)),
          },
        }),
      })),
    });
    // The support stacks of other regions (an environment's backup copies) are the app's children, not this stack's.
    for (const stack of [this, ...this.delivery.supportStacks]) {
      PortableAssembly.applyTo(stack);
      PolicyChecks.applyTo(stack, { tier: 'production' });
    }
  }
}
