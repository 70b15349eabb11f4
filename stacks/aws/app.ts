import { App } from 'aws-cdk-lib';
import cdkJson from '../../cdk.json';
import type { DeliverySpec, Environment } from '../../lib/core';
import { DeliveryStack } from './delivery-stack';
import { EnvironmentStage } from './environment-stage';

/** Options of {@link buildAwsApp}. */
export interface AwsAppOptions {
  /** The environments to build a stage for. */
  readonly environments: readonly Environment[];
  /**
   * Where the cloud assembly goes.
   * @default - the CDK CLI's output directory (CDK_OUTDIR), else a temporary directory
   */
  readonly outdir?: string;
  /**
   * Validate every template against the CloudFormation schemas during synthesis (about 3.8 s per process).
   * @default true
   */
  readonly validation?: boolean;
  /**
   * The delivery: with an `aws` section, the app also holds the pipeline stack `platform-delivery` (in the delivery
   * account) that deploys every stage in order, and each foundation lends the pipeline a role to run its API checks.
   * The pipeline is built when `environments` are all of `delivery.environments`, in order; with some of them the
   * stages are built as in the whole app (with the roles the pipeline uses) and the pipeline is left out.
   * @default - no pipeline
   */
  readonly delivery?: DeliverySpec;
}

/**
 * Context every synthesis uses, whether run by the CDK CLI or directly: the feature flags of cdk.json
 * (the CLI passes them too; passing them here keeps `npm run synth`, tests and `cdk synth` identical)
 * and the CLI's defaults for metadata.
 */
export const AWS_CONTEXT: Readonly<Record<string, unknown>> = {
  ...cdkJson.context,
  'aws:cdk:enable-path-metadata': cdkJson.pathMetadata,
  'aws:cdk:enable-asset-metadata': cdkJson.assetMetadata,
  // Creation stack traces hold absolute paths of this machine; without them the assembly is the same on
  // every checkout. (The CLI rejects `aws:` keys in cdk.json, so this one lives here.)
  'aws:cdk:disable-creation-stack-traces': true,
};

/**
 * Builds the AWS app: one EnvironmentStage per environment, and with a delivery on AWS the delivery stack whose
 * pipeline deploys them.
 *
 * @throws Error when `options.environments` holds an environment the delivery does not deploy
 */
export function buildAwsApp(options: AwsAppOptions): App {
  const delivery = options.delivery?.aws ? options.delivery : undefined;
  const delivered = delivery?.environments.map((e) => e.name) ?? [];
  const given = options.environments.map((e) => e.name);
  const outside = given.filter((name) => !delivered.includes(name));
  if (delivery && outside.length > 0) {
    throw new Error(
      `buildAwsApp: the delivery deploys ${delivered.join(', ') || '(none)'}, not ${outside.join(', ')}; ` +
        'pass environments of the delivery only (or no delivery)',
    );
  }
  const app = new App({
    ...(options.outdir !== undefined && { outdir: options.outdir }),
    context: { ...AWS_CONTEXT },
    analyticsReporting: cdkJson.versionReporting,
    stackTraces: false,
    builtinCloudFormationValidation: options.validation ?? true,
  });
  const stages = options.environments.map((env) => new EnvironmentStage(app, env, { delivery }));
  // The pipeline's waves are the whole list: with a subset (npm run synth -- --env prod) the stages are built as in
  // the whole app (each foundation with its delivery-checks role), the pipeline is not.
  if (delivery?.aws && given.join(',') === delivered.join(',')) {
    new DeliveryStack(app, { ...delivery, aws: delivery.aws }, stages);
  }
  return app;
}
