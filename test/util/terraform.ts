import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TerraformStack, Testing } from 'cdktf';
import { Manifest } from 'cdktf/lib/manifest';
import type { IConstruct } from 'constructs';
import { withTemporaryFolder } from './temp';

/** One synthesized Terraform resource: its block as written to cdk.tf.json. */
export type TfResource = Record<string, unknown>;

/** The synthesized Terraform JSON of a scope, parsed. */
export interface TfJson {
  readonly resource: Record<string, Record<string, TfResource>>;
  readonly [key: string]: unknown;
}

/**
 * Synthesizes what `build` adds to a fresh scope and parses the JSON: Testing.synthScope, whose app's output
 * folder (created with the app, never written) is removed afterwards instead of left in the temporary folder.
 */
export function synthScope(build: (scope: IConstruct) => void): TfJson {
  return withTemporaryFolder('platform-tf-', (outdir) => {
    const stack = new TerraformStack(Testing.app({ outdir }), 'stack');
    build(stack);
    return JSON.parse(Testing.synth(stack)) as TfJson;
  });
}

/** The resources of one type, by name. */
export function resourcesOf(tf: Pick<TfJson, 'resource'>, type: string): Record<string, TfResource> {
  return tf.resource[type] ?? {};
}

/** The resources of one type, as a list. */
export function listOf(tf: Pick<TfJson, 'resource'>, type: string): TfResource[] {
  return Object.values(resourcesOf(tf, type));
}

/** A resource block as `cdktf synth` writes it: its `"//"` comment (path, acknowledgements) and lifecycle. */
export interface TfResourceBlock {
  readonly '//'?: {
    readonly metadata?: { readonly path?: string };
    readonly acknowledged?: Readonly<Record<string, string>>;
  };
  readonly lifecycle?: { readonly prevent_destroy?: boolean };
  readonly [attribute: string]: unknown;
}

/** A stack's cdk.tf.json as `cdktf synth` writes it, with the policy record `PolicyChecks` adds. */
export interface TfStackJson {
  readonly resource: Readonly<Record<string, Readonly<Record<string, TfResourceBlock>>>>;
  readonly '//'?: { readonly 'platform-policy'?: { readonly tier: string; readonly rules: readonly string[] } };
}

/**
 * Testing.fullSynth (the aspects, the stack's validations and the files, as `cdktf synth` runs them) into a given
 * folder, rather than one it makes in the temporary folder and nobody removes; returns the folder.
 */
export function fullSynth(stack: TerraformStack, outdir: string): string {
  const manifest = new Manifest('stubbed', outdir, false);
  stack.synthesizer.synthesize({ outdir, manifest });
  manifest.writeToFile();
  return outdir;
}

/** Reads the cdk.tf.json `cdktf synth` wrote for a stack into `outdir`. */
export function readStackJson(outdir: string, stack: string): TfStackJson {
  return JSON.parse(readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as TfStackJson;
}

/** The one resource of a type; throws when there is not exactly one. */
export function onlyResource(tf: TfStackJson, type: string): TfResourceBlock {
  const found = Object.values(tf.resource[type] ?? {});
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0]!;
}
