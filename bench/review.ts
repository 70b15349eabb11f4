// `npm run review` as a pull request runs it: the base (checked out in a git worktree that reuses node_modules)
// and the working tree synthesized in parallel processes, both clouds, three environments, validation off, then
// compared. `bench/review.ts [ROOT BASE] OUTDIR`: by default HEAD of this repository against its working tree;
// bench/run.ts also passes a prepared clone whose last commit changes every environment's network, so the diff
// library loads and every cross-stack reference is followed. Writes the JSON review into OUTDIR.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runReview } from '../bin/cli/review';

const args = process.argv.slice(2);
const outdir = args[args.length - 1]!;
const [root, base] = args.length === 3 ? [args[0]!, args[1]!] : [undefined, 'HEAD'];
void (async () => {
  const result = await runReview(
    { base, environments: [], clouds: ['aws', 'azure'], format: 'json' },
    root === undefined ? {} : { root },
  );
  fs.writeFileSync(path.join(outdir, 'review.json'), result.output.join(''));
})().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
