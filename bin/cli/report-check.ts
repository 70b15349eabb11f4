// The guardrails for `npm run report`, in a process of their own (bin/cli/report.ts starts it while it lays out the
// diagrams): the argument is checkReport's options as JSON; the rows go to stdout as JSON.
import { checkReport, type CheckOptions } from './check';

const options = JSON.parse(process.argv[2] ?? '{}') as CheckOptions;
checkReport({ ...options, cfnLint: false })
  .then(({ rows }) => process.stdout.write(JSON.stringify(rows)))
  .catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
