import { App } from 'cdktf';
import type { Environment } from '../../lib/core';
import { EnvironmentStack } from './environment-stack';

/** Options of {@link buildAzureApp}. */
export interface AzureAppOptions {
  /** The environments to build a stack for. */
  readonly environments: readonly Environment[];
  /**
   * Where the synthesized Terraform goes.
   * @default - the cdktf CLI's output directory (CDKTF_OUTDIR), else cdktf.out
   */
  readonly outdir?: string;
}

/** Builds the Azure app: one EnvironmentStack per environment. */
export function buildAzureApp(options: AzureAppOptions): App {
  const app = new App({ ...(options.outdir !== undefined && { outdir: options.outdir }), stackTraces: false });
  for (const env of options.environments) new EnvironmentStack(app, env);
  return app;
}
