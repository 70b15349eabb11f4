import * as fs from 'node:fs';
import * as path from 'node:path';
import { DELIVERY_PIPELINE_NAME } from '../core';

/** One synthesized stack, read back from cdk.out/ or cdktf.out/. */
export interface SynthesizedStack {
  /** The cloud it was synthesized for. */
  readonly cloud: 'aws' | 'azure';
  /** The environment: the Stage (AWS) or stack (Azure) name without the `platform-` prefix. */
  readonly environment: string;
  /** The CloudFormation or Terraform stack name. */
  readonly stack: string;
  /** The template or cdk.tf.json file. */
  readonly file: string;
  /** The file's size in bytes. */
  readonly bytes: number;
  /** The parsed template or Terraform JSON. */
  readonly json: Record<string, unknown>;
  /** CloudFormation termination protection (AWS only). */
  readonly terminationProtection?: boolean;
}

interface Manifest {
  readonly artifacts?: Record<
    string,
    {
      readonly type: string;
      readonly properties?: {
        readonly directoryName?: string;
        readonly displayName?: string;
        readonly templateFile?: string;
        readonly stackName?: string;
        readonly terminationProtection?: boolean;
      };
    }
  >;
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

/**
 * The environment a stack belongs to, from its stage or name: `platform-prod` is `prod`; the delivery pipeline's stack
 * and its support stacks in other regions (`platform-delivery-support-<region>`) are `delivery`.
 */
function environmentOf(name: string): string {
  if (name.startsWith(`${DELIVERY_PIPELINE_NAME}-support-`)) return 'delivery';
  return name.replace(/^platform-/, '');
}

/** Reads every CloudFormation stack of a cloud assembly (nested Stage assemblies included), in manifest order. */
export function readCdkOut(dir: string, stage?: string): SynthesizedStack[] {
  const manifestFile = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestFile))
    throw new Error(`${dir} holds no cloud assembly (no manifest.json): run npm run synth first`);
  const stacks: SynthesizedStack[] = [];
  for (const [id, artifact] of Object.entries(readJson<Manifest>(manifestFile).artifacts ?? {})) {
    const props = artifact.properties ?? {};
    if (artifact.type === 'cdk:cloud-assembly' && props.directoryName) {
      stacks.push(...readCdkOut(path.join(dir, props.directoryName), props.displayName ?? id));
    } else if (artifact.type === 'aws:cloudformation:stack' && props.templateFile) {
      const file = path.join(dir, props.templateFile);
      const body = fs.readFileSync(file);
      const stackName = props.stackName ?? id;
      stacks.push({
        cloud: 'aws',
        environment: environmentOf(stage ?? stackName),
        stack: stackName,
        file,
        bytes: body.length,
        json: JSON.parse(body.toString('utf8')) as Record<string, unknown>,
        terminationProtection: props.terminationProtection ?? false,
      });
    }
  }
  return stacks;
}

/** Reads every Terraform stack of a cdktf output folder. */
export function readCdktfOut(dir: string): SynthesizedStack[] {
  const manifestFile = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestFile))
    throw new Error(`${dir} holds no cdktf output (no manifest.json): run npm run synth first`);
  const manifest = readJson<{ stacks: Record<string, { name: string; synthesizedStackPath: string }> }>(manifestFile);
  return Object.values(manifest.stacks).map((s) => {
    const file = path.join(dir, s.synthesizedStackPath);
    const body = fs.readFileSync(file);
    return {
      cloud: 'azure' as const,
      environment: environmentOf(s.name),
      stack: s.name,
      file,
      bytes: body.length,
      json: JSON.parse(body.toString('utf8')) as Record<string, unknown>,
    };
  });
}
