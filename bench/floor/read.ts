/**
 * Reads synthesized output the way the floor replays it and the bench checks it: a cloud assembly (cdk.out, its
 * nested stage assemblies and templates) and a cdktf.out folder (its manifest and each stack's Terraform JSON).
 * Plain fs and JSON only, so that the floor programs pay nothing here beyond reading their input, and nothing of
 * lib/ or stacks/ is loaded.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A CloudFormation template, section by section, in the order the file lists them. */
export type CfnTemplate = Record<string, unknown>;

/** One CloudFormation stack of a cloud assembly. */
export interface AssemblyStack {
  /** The artifact id in its manifest (also the template's file name, without `.template.json`). */
  readonly artifactId: string;
  /** The construct id of the stack in its stage: the last part of its display name (`platform-dev/foundation`). */
  readonly id: string;
  /** The display name: the construct path of the stack (`platform-dev/foundation`). */
  readonly displayName: string;
  /** The deployed stack name. */
  readonly stackName: string;
  /** The account, when the environment names one. */
  readonly account?: string;
  /** The region, when the environment names one. */
  readonly region?: string;
  /** Whether the stack has termination protection. */
  readonly terminationProtection: boolean;
  /** Stack-level tags, when the manifest lists any. */
  readonly tags?: Readonly<Record<string, string>>;
  /** Artifact ids of the stacks of the same assembly this one deploys after. */
  readonly dependencies: readonly string[];
  /** The template. */
  readonly template: CfnTemplate;
  /** The validation rules acknowledged on constructs of the stack (read only when asked for). */
  readonly acknowledgements: readonly Acknowledgement[];
}

/** A validation rule acknowledged on a construct and everything beneath it. */
export interface Acknowledgement {
  /** The construct path, without a leading slash (`platform-dev/compute/Servers/web/Instance1`). */
  readonly path: string;
  /** The rule (`CloudFormation-Validate::W3010`). */
  readonly id: string;
  /** Why it is safe. */
  readonly reason: string;
}

/** One cloud assembly: the app's own, or a stage's nested one. */
export interface Assembly {
  /** The construct id of the stage (the app's own assembly has none). */
  readonly id?: string;
  /** The stacks, in manifest order. */
  readonly stacks: readonly AssemblyStack[];
  /** The nested stage assemblies, in manifest order. */
  readonly stages: readonly Assembly[];
}

/** A cdktf.out folder. */
export interface TerraformOutput {
  /** The cdktf version its manifest names. */
  readonly version: string;
  /** Its stacks, in manifest order. */
  readonly stacks: readonly TerraformStackOutput[];
}

/** One stack of a cdktf.out folder. */
export interface TerraformStackOutput {
  /** The stack name (also its construct id, as each stack sits directly under the app). */
  readonly name: string;
  /** Names of the stacks this one deploys after. */
  readonly dependencies: readonly string[];
  /** The stack's Terraform JSON (`cdk.tf.json`). */
  readonly json: Readonly<Record<string, unknown>>;
}

interface ManifestArtifact {
  readonly type: string;
  readonly environment?: string;
  readonly dependencies?: readonly string[];
  readonly displayName?: string;
  readonly additionalMetadataFile?: string;
  readonly properties?: {
    readonly templateFile?: string;
    readonly stackName?: string;
    readonly terminationProtection?: boolean;
    readonly tags?: Record<string, string>;
    readonly directoryName?: string;
    readonly displayName?: string;
  };
}

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** Options of {@link readAssembly}. */
export interface ReadAssemblyOptions {
  /** Read the acknowledged validation rules from each stack's metadata file. */
  readonly acknowledgements?: boolean;
}

/** Reads the cloud assembly in `dir` (a cdk.out folder) with every nested stage assembly. */
export function readAssembly(dir: string, options: ReadAssemblyOptions = {}, id?: string): Assembly {
  const { artifacts = {} } = readJson(path.join(dir, 'manifest.json')) as {
    artifacts?: Record<string, ManifestArtifact>;
  };
  const stacks: AssemblyStack[] = [];
  const stages: Assembly[] = [];
  for (const [artifactId, artifact] of Object.entries(artifacts)) {
    const props = artifact.properties ?? {};
    if (artifact.type === 'cdk:cloud-assembly' && props.directoryName) {
      const displayName = props.displayName ?? props.directoryName;
      stages.push(readAssembly(path.join(dir, props.directoryName), options, displayName.split('/').pop()));
    } else if (artifact.type === 'aws:cloudformation:stack' && props.templateFile && props.stackName) {
      const displayName = artifact.displayName ?? artifactId;
      // aws://ACCOUNT/REGION, with unknown-account / unknown-region for an environment-agnostic stack.
      const [, account, region] = /^aws:\/\/([^/]+)\/(.+)$/.exec(artifact.environment ?? '') ?? [];
      stacks.push({
        artifactId,
        id: displayName.split('/').pop()!,
        displayName,
        stackName: props.stackName,
        ...(account !== undefined && account !== 'unknown-account' && { account }),
        ...(region !== undefined && region !== 'unknown-region' && { region }),
        terminationProtection: props.terminationProtection ?? false,
        ...(props.tags !== undefined && { tags: props.tags }),
        dependencies: (artifact.dependencies ?? []).filter((d) => artifacts[d]?.type === 'aws:cloudformation:stack'),
        template: readJson(path.join(dir, props.templateFile)) as CfnTemplate,
        acknowledgements:
          options.acknowledgements && artifact.additionalMetadataFile
            ? readAcknowledgements(path.join(dir, artifact.additionalMetadataFile))
            : [],
      });
    }
  }
  return { ...(id !== undefined && { id }), stacks, stages };
}

/** The acknowledged rules of a stack metadata file (`aws:cdk:acknowledged-rules` entries, by construct path). */
function readAcknowledgements(file: string): Acknowledgement[] {
  const metadata = readJson(file) as Record<string, { type: string; data?: unknown }[]>;
  const acknowledgements: Acknowledgement[] = [];
  for (const [constructPath, entries] of Object.entries(metadata)) {
    for (const entry of entries) {
      if (entry.type !== 'aws:cdk:acknowledged-rules') continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        acknowledgements.push({ path: constructPath.replace(/^\//, ''), id, reason });
      }
    }
  }
  return acknowledgements;
}

/** Reads every stack of a cdktf.out folder, in manifest order. */
export function readTerraform(dir: string): TerraformOutput {
  const manifest = readJson(path.join(dir, 'manifest.json')) as {
    version: string;
    stacks: Record<string, { name: string; dependencies?: string[]; synthesizedStackPath: string }>;
  };
  const stacks = Object.values(manifest.stacks).map((stack) => ({
    name: stack.name,
    dependencies: stack.dependencies ?? [],
    json: readJson(path.join(dir, stack.synthesizedStackPath)) as Record<string, unknown>,
  }));
  return { version: manifest.version, stacks };
}

/** Every stack of an assembly and its stages, depth first, each with its display name. */
export function allStacks(assembly: Assembly): AssemblyStack[] {
  return [...assembly.stacks, ...assembly.stages.flatMap(allStacks)];
}

/** How a replayed stack compares with the stack it replays. */
export interface StackCheck {
  /** The cloud. */
  readonly cloud: 'aws' | 'azure';
  /** The stack name (CloudFormation) or Terraform stack name. */
  readonly stack: string;
  /** Resources in the stack that was read; null when only the replay has the stack. */
  readonly resources: number | null;
  /** Resources in the replay; null when the replay lacks the stack. */
  readonly replayResources: number | null;
  /**
   * The sections that differ (`Resources`, `Outputs`, ... for a template; `resource`, `provider`, ... for Terraform
   * JSON), compared as JSON values (key order ignored, array order kept). Empty: identical.
   */
  readonly differences: readonly string[];
}

/** Resources in a template or a Terraform JSON. */
export function countResources(cloud: 'aws' | 'azure', body: Readonly<Record<string, unknown>>): number {
  if (cloud === 'aws') return Object.keys((body.Resources ?? {}) as object).length;
  const byType = (body.resource ?? {}) as Record<string, Record<string, unknown>>;
  return Object.values(byType).reduce((sum, byName) => sum + Object.keys(byName).length, 0);
}

/** Compares two JSON values: objects by their keys and values in any order, arrays in order. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((v, i) => sameJson(v, other[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every(
      (k) => Object.hasOwn(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    )
  );
}

/**
 * Compares two outputs stack by stack and section by section: the stacks of `read` (what was synthesized) with
 * those of `replay` (what the floor wrote from it), matched by display name (AWS) or stack name (Terraform).
 */
export function compareOutputs(
  cloud: 'aws' | 'azure',
  read: ReadonlyMap<string, Readonly<Record<string, unknown>>>,
  replay: ReadonlyMap<string, Readonly<Record<string, unknown>>>,
): StackCheck[] {
  const names = [...new Set([...read.keys(), ...replay.keys()])];
  return names.map((stack) => {
    const a = read.get(stack);
    const b = replay.get(stack);
    const sections = [...new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])];
    return {
      cloud,
      stack,
      resources: a === undefined ? null : countResources(cloud, a),
      replayResources: b === undefined ? null : countResources(cloud, b),
      differences: a === undefined || b === undefined ? ['(stack)'] : sections.filter((s) => !sameJson(a[s], b[s])),
    };
  });
}

/**
 * The stacks of a synthesis output folder (holding cdk.out/ and cdktf.out/, either may be missing), by cloud:
 * templates by display name, Terraform JSON by stack name.
 */
export function readOutput(dir: string): { aws: Map<string, CfnTemplate>; azure: Map<string, CfnTemplate> } {
  const aws = new Map<string, CfnTemplate>();
  const azure = new Map<string, CfnTemplate>();
  const cdkOut = path.join(dir, 'cdk.out');
  if (fs.existsSync(path.join(cdkOut, 'manifest.json'))) {
    for (const stack of allStacks(readAssembly(cdkOut))) aws.set(stack.displayName, stack.template);
  }
  const cdktfOut = path.join(dir, 'cdktf.out');
  if (fs.existsSync(path.join(cdktfOut, 'manifest.json'))) {
    for (const stack of readTerraform(cdktfOut).stacks) azure.set(stack.name, stack.json);
  }
  return { aws, azure };
}
