// The floor the bench holds ours against: `bench/floor/replay.ts [--cloud aws|azure] [--no-validation]
// [--terraform stack|resources|json] FROM OUTDIR` reads what ours synthesized into FROM (its cdk.out/ and
// cdktf.out/) and writes the same stacks into OUTDIR through the toolchain's cheapest constructs, in one process:
// bench/floor/aws.ts for CloudFormation, bench/floor/azure.ts for Terraform. Whatever ours adds to the features
// it builds, the floor follows by itself, since it replays ours' own output.
//
// Prints one JSON line: the milliseconds spent reading the input and replaying each cloud, so that the reading,
// which a program building the stacks would not do, can be told apart.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TerraformReplay } from './azure';
import { readAssembly, readTerraform } from './read';

type Cloud = 'aws' | 'azure';

interface FloorArgs {
  readonly clouds: readonly Cloud[];
  readonly validation: boolean;
  readonly terraform: TerraformReplay;
  readonly from: string;
  readonly outdir: string;
}

const USAGE = 'usage: [--cloud aws|azure] [--no-validation] [--terraform stack|resources|json] FROM OUTDIR';

function parseArgs(argv: readonly string[]): FloorArgs {
  let clouds: Cloud[] = ['aws', 'azure'];
  let validation = true;
  let terraform: TerraformReplay = 'stack';
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--no-validation') {
      validation = false;
    } else if (arg === '--cloud') {
      const value = argv[++i];
      if (value !== 'aws' && value !== 'azure') throw new Error(`--cloud: ${String(value)} - use aws or azure`);
      clouds = [value];
    } else if (arg === '--terraform') {
      const value = argv[++i];
      if (value !== 'stack' && value !== 'resources' && value !== 'json') {
        throw new Error(`--terraform: ${String(value)} - use stack, resources or json`);
      }
      terraform = value;
    } else if (!arg.startsWith('--')) {
      positional.push(arg);
    } else {
      throw new Error(`${arg} is not an option; ${USAGE}`);
    }
  }
  if (positional.length !== 2) throw new Error(USAGE);
  return { clouds, validation, terraform, from: positional[0]!, outdir: positional[1]! };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const start = performance.now();
  const assembly = args.clouds.includes('aws')
    ? readAssembly(path.join(args.from, 'cdk.out'), { acknowledgements: args.validation })
    : undefined;
  const terraform = args.clouds.includes('azure') ? readTerraform(path.join(args.from, 'cdktf.out')) : undefined;
  const timings: Record<string, number> = { readMs: performance.now() - start };
  // cdktf's App creates its outdir without `recursive`.
  fs.mkdirSync(args.outdir, { recursive: true });
  // Each toolchain is loaded only for its cloud, as ours does.
  if (assembly) {
    const t = performance.now();
    const { replayAws } = await import('./aws');
    replayAws({ assembly, outdir: path.join(args.outdir, 'cdk.out'), validation: args.validation });
    timings.awsMs = performance.now() - t;
  }
  if (terraform) {
    const t = performance.now();
    const { replayTerraform } = await import('./azure');
    await replayTerraform({ output: terraform, outdir: path.join(args.outdir, 'cdktf.out'), mode: args.terraform });
    timings.azureMs = performance.now() - t;
  }
  const rounded = Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v)]));
  process.stdout.write(`${JSON.stringify({ floor: rounded })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
