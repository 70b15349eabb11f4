// `npm run review` as a pull request runs it: the base (HEAD, checked out in a git worktree that reuses
// node_modules) and the working tree synthesized in parallel processes, both clouds, three environments,
// validation off, then compared. Writes the JSON review into the folder given as the last argument.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runReview } from '../stacks/review';

const outdir = process.argv[process.argv.length - 1]!;
void (async () => {
  const result = await runReview({ base: 'HEAD', environments: [], clouds: ['aws', 'azure'], format: 'json' });
  fs.writeFileSync(path.join(outdir, 'review.json'), result.output.join(''));
})().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
