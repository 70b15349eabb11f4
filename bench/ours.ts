// The library's own synthesis, as `npm run synth` runs it (bin/platform.ts), but writing into a folder
// given on the command line: bin/platform.ts always writes to cdk.out/ and cdktf.out/ of the working
// directory, which the bench must not touch while others use the repo.
import * as path from 'node:path';
import { loadEnvironments } from '../stacks/environments';
import { formatSummary, synthesize } from '../stacks/synth';
import { parseBenchArgs } from './args';

const args = parseBenchArgs(process.argv.slice(2));
void (async () => {
  const rows = await synthesize({
    environments: loadEnvironments(),
    clouds: args.clouds,
    validation: args.validation,
    cdkOut: path.join(args.outdir, 'cdk.out'),
    cdktfOut: path.join(args.outdir, 'cdktf.out'),
  });
  // Printed like bin/platform.ts does, so that the bench times the same work.
  process.stdout.write(`${formatSummary(rows)}\n`);
})();
