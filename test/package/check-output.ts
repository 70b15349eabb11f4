// Runs `npm run check` (bin/cli/check.ts) over a team's synthesized output, in a process of its own (aws-cdk-lib and
// cdk-nag load in plain node, not through jest's module registry), with npm run check's own arguments:
//   node -r ./bin/register.js test/package/check-output.ts --cdk-out <folder> | --cdktf-out <folder>
// Prints the findings and notes as JSON. Used by test/package/pack.test.ts for the examples' output: a team's folder
// records no repository sources and its environments have no golden file, so it is judged as it is.
import { checkReport, parseCheckArgs } from '../../bin/cli/check';
import { describeError } from '../../bin/cli/command';

checkReport(parseCheckArgs(process.argv.slice(2))).then(
  (report) => process.stdout.write(JSON.stringify(report)),
  (error: unknown) => {
    process.stderr.write(`${describeError(error)}\n`);
    process.exit(1);
  },
);
