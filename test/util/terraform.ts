import { Testing } from 'cdktf';
import type { IConstruct } from 'constructs';

/** One synthesized Terraform resource: its block as written to cdk.tf.json. */
export type TfResource = Record<string, unknown>;

/** The synthesized Terraform JSON of a scope, parsed. */
export interface TfJson {
  readonly resource: Record<string, Record<string, TfResource>>;
  readonly [key: string]: unknown;
}

/** Synthesizes what `build` adds to a fresh scope and parses the JSON. */
export function synthScope(build: (scope: IConstruct) => void): TfJson {
  return JSON.parse(Testing.synthScope(build)) as TfJson;
}

/** The resources of one type, by name. */
export function resourcesOf(tf: Pick<TfJson, 'resource'>, type: string): Record<string, TfResource> {
  return tf.resource[type] ?? {};
}

/** The resources of one type, as a list. */
export function listOf(tf: Pick<TfJson, 'resource'>, type: string): TfResource[] {
  return Object.values(resourcesOf(tf, type));
}
