// `npm run report` as a developer runs it after `npm run synth`: three environments (and the delivery pipeline),
// both clouds, the guardrails in their own process beside the layout. `bench/report.ts FROM OUTDIR`: draws the
// output synthesized into FROM (cdk.out/ and cdktf.out/, from this repository's sources) into OUTDIR/report.
import * as path from 'node:path';
import { runReport } from '../bin/cli/report';

const [from, outdir] = process.argv.slice(2);
void runReport(
  { environments: [], clouds: ['aws', 'azure'], out: path.join(outdir!, 'report'), check: true },
  { root: path.resolve(__dirname, '..'), outputs: from!, log: () => undefined },
).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
