/**
 * The Azure floor: the Terraform JSON `npm run synth` wrote, written again, in one of three ways (the bench times
 * each; the cheapest that goes through cdktf is the floor):
 *
 * - `stack`: one cdktf App, a TerraformStack per stack (same name, same stack dependencies) holding one element
 *   whose Terraform is the stack's whole JSON. cdktf still prepares and resolves every stack, validates the app,
 *   writes each `cdk.tf.json` and the manifest: everything cdktf itself adds, and nothing of the provider bindings.
 * - `resources`: the same App and stacks with a plain TerraformResource per resource (its type, its name as the
 *   logical ID, its block as written), and the provider, backend and the rest of the JSON in one element beside
 *   them: what a construct per resource costs on top.
 * - `json`: no cdktf at all; each `cdk.tf.json` and the manifest are written with fs, as cdktf lays them out. The
 *   least any program can do to produce the files.
 *
 * None of them runs our rule pack over the stacks (ours does, during synthesis).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import type { TerraformOutput, TerraformStackOutput } from './read';

/** How the floor writes the Terraform JSON; see the file's comment. */
export type TerraformReplay = 'stack' | 'resources' | 'json';

/** The replay modes, cheapest cdktf one first: the floor's default. */
export const TERRAFORM_REPLAYS: readonly TerraformReplay[] = ['stack', 'resources', 'json'];

/** Options of {@link replayTerraform}. */
export interface ReplayTerraformOptions {
  /** The cdktf.out folder to replay, as read. */
  readonly output: TerraformOutput;
  /** The cdktf.out folder to write. */
  readonly outdir: string;
  /** How to write it. */
  readonly mode: TerraformReplay;
}

/** Replays the stacks into `outdir`; returns the number of stacks. */
export async function replayTerraform(options: ReplayTerraformOptions): Promise<number> {
  if (options.mode === 'json') writeJson(options.output, options.outdir);
  else await replayThroughCdktf(options.output.stacks, options.outdir, options.mode === 'resources');
  return options.output.stacks.length;
}

async function replayThroughCdktf(
  stacks: readonly TerraformStackOutput[],
  outdir: string,
  perResource: boolean,
): Promise<void> {
  // Loaded here, so that `json` loads no cdktf at all.
  const cdktf = await import('cdktf');

  /** Renders a fragment of Terraform JSON exactly as given. */
  class RawJson extends cdktf.TerraformElement {
    constructor(
      scope: Construct,
      id: string,
      private readonly fragment: Record<string, unknown>,
    ) {
      super(scope, id);
    }
    public override toTerraform(): unknown {
      return this.fragment;
    }
  }

  /** A resource whose block, `//` metadata included, is written as given; its name is its logical ID. */
  class ReplayedResource extends cdktf.TerraformResource {
    constructor(
      scope: Construct,
      type: string,
      name: string,
      private readonly block: unknown,
    ) {
      super(scope, `${type}.${name}`, { terraformResourceType: type });
      this.overrideLogicalId(name);
    }
    public override toTerraform(): unknown {
      return { resource: { [this.terraformResourceType]: { [this.friendlyUniqueId]: this.block } } };
    }
  }

  /**
   * The stack's backend, as given. It must be an element of its own: cdktf adds a local backend to a stack
   * without one.
   */
  class RawBackend extends cdktf.TerraformBackend {
    constructor(
      scope: Construct,
      name: string,
      private readonly config: Record<string, unknown>,
    ) {
      super(scope, 'backend', name);
    }
    protected override synthesizeAttributes(): Record<string, unknown> {
      return this.config;
    }
    public getRemoteStateDataSource(): never {
      throw new Error('the floor reads no remote state');
    }
  }

  const app = new cdktf.App({ outdir, stackTraces: false });
  const byName = new Map<string, TerraformStack>();
  for (const read of stacks) {
    const stack = new cdktf.TerraformStack(app, read.name);
    byName.set(read.name, stack);
    const { terraform = {}, ...json } = read.json as { terraform?: Record<string, unknown> };
    const { backend = {}, ...settings } = terraform as { backend?: Record<string, Record<string, unknown>> };
    for (const [name, config] of Object.entries(backend)) new RawBackend(stack, name, config);
    const fragment = Object.keys(settings).length > 0 ? { ...json, terraform: settings } : json;
    if (!perResource) {
      new RawJson(stack, 'json', fragment);
      continue;
    }
    const { resource = {}, ...rest } = fragment as { resource?: Record<string, Record<string, unknown>> };
    new RawJson(stack, 'json', rest);
    for (const [type, byId] of Object.entries(resource)) {
      for (const [name, block] of Object.entries(byId)) new ReplayedResource(stack, type, name, block);
    }
  }
  for (const read of stacks) {
    for (const dependency of read.dependencies) byName.get(read.name)!.addDependency(byName.get(dependency)!);
  }
  app.synth();
}

/** The files cdktf writes for the stacks, written directly: each stack's JSON and the manifest. */
function writeJson(output: TerraformOutput, outdir: string): void {
  const manifest: Record<string, unknown> = {};
  for (const stack of output.stacks) {
    const dir = path.join('stacks', stack.name);
    fs.mkdirSync(path.join(outdir, dir), { recursive: true });
    fs.writeFileSync(path.join(outdir, dir, 'cdk.tf.json'), JSON.stringify(stack.json, null, 2));
    manifest[stack.name] = {
      name: stack.name,
      constructPath: stack.name,
      synthesizedStackPath: path.join(dir, 'cdk.tf.json'),
      workingDirectory: dir,
      stackMetadataPath: path.join(dir, 'metadata.json'),
      annotations: [],
      dependencies: stack.dependencies,
    };
  }
  fs.writeFileSync(
    path.join(outdir, 'manifest.json'),
    JSON.stringify({ version: output.version, stacks: manifest }, null, 2),
  );
}
