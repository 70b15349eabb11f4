/**
 * The command line of bench/services.ts: `[--cloud aws|azure] [--no-validation] <outdir>`, like `npm run synth`'s
 * own flags with the output folder last.
 */

/** A cloud a bench entry point synthesizes for. */
export type BenchCloud = 'aws' | 'azure';

/** The parsed command line of a bench entry point. */
export interface BenchArgs {
  /** Clouds to synthesize; both when `--cloud` is not given. */
  readonly clouds: readonly BenchCloud[];
  /** Validate CloudFormation templates during synthesis (AWS only). */
  readonly validation: boolean;
  /** Folder that receives `cdk.out/` and `cdktf.out/`. */
  readonly outdir: string;
}

/**
 * Parses the arguments of a bench entry point.
 *
 * @throws Error naming the offending argument, so a wrong call fails the bench instead of timing nothing.
 */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  let clouds: BenchCloud[] = ['aws', 'azure'];
  let validation = true;
  let outdir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--no-validation') {
      validation = false;
    } else if (arg === '--cloud') {
      const value = argv[++i];
      if (value !== 'aws' && value !== 'azure') throw new Error(`--cloud: ${String(value)} - use aws or azure`);
      clouds = [value];
    } else if (!arg.startsWith('--') && outdir === undefined) {
      outdir = arg;
    } else {
      throw new Error(`${arg} is not an option; usage: [--cloud aws|azure] [--no-validation] <outdir>`);
    }
  }
  if (outdir === undefined) throw new Error('missing <outdir>');
  return { clouds, validation, outdir };
}
