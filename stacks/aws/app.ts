import { App } from 'aws-cdk-lib';
import cdkJson from '../../cdk.json';
import type { Environment } from '../../lib/core';
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

/** Builds the AWS app: one EnvironmentStage per environment. */
export function buildAwsApp(options: AwsAppOptions): App {
  const app = new App({
    ...(options.outdir !== undefined && { outdir: options.outdir }),
    context: { ...AWS_CONTEXT },
    analyticsReporting: cdkJson.versionReporting,
    stackTraces: false,
    builtinCloudFormationValidation: options.validation ?? true,
  });
  for (const env of options.environments) new EnvironmentStage(app, env);
  return app;
}
