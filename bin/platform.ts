#!/usr/bin/env node
// `npm run synth`: every environment, both clouds, replaced as one, with a summary table; on AWS, with every
// environment selected, also the delivery pipeline stack (platform-delivery). Environments are synthesized by worker
// processes in parallel; those whose inputs did not change are taken from the cache.
import * as path from 'node:path';
import { runCli, watchForStop } from './cli/command';
import { importEnvironments } from './cli/load-environments';
import {
  defaultCacheFolder,
  defaultJobs,
  deliveryInRun,
  formatReused,
  formatSummary,
  parseSynthArgs,
  synthesize,
} from './cli/synth';

// No telemetry calls from cdktf (HashiCorp checkpoint) during synthesis.
process.env.CHECKPOINT_DISABLE ??= '1';

runCli(async () => {
  const args = parseSynthArgs(process.argv.slice(2));
  // SIGINT, SIGTERM or the exit of npm stop the run before the output is replaced, removing what it wrote.
  const stop = watchForStop();
  try {
    const { loadDelivery, loadEnvironments, selectEnvironments } = await importEnvironments();
    const environments = selectEnvironments(loadEnvironments(), args.environments);
    // Validated on every run, whatever is selected, as the environments are: a SpecError writes nothing.
    const delivery = loadDelivery();
    const rows = await synthesize({
      environments,
      delivery,
      clouds: args.clouds,
      validation: args.validation,
      jobs: args.jobs ?? defaultJobs(),
      cache: defaultCacheFolder(),
      force: args.force ?? false,
      signal: stop.signal,
      ...(args.out !== undefined && {
        cdkOut: path.join(args.out, 'cdk.out'),
        cdktfOut: path.join(args.out, 'cdktf.out'),
      }),
    });
    const reused = formatReused(rows);
    // A subset of the environments, on AWS: one line after the table says the pipeline was left out, and why.
    const pipeline = deliveryInRun(delivery, environments, args.clouds);
    const note = pipeline && 'note' in pipeline ? `${pipeline.note}\n` : '';
    process.stdout.write(`${reused ? `${reused}\n` : ''}${formatSummary(rows)}\n${note}`);
    if (process.env.PLATFORM_SYNTH_STATS) {
      const usage = process.resourceUsage();
      process.stderr.write(
        `main: cpu ${((usage.userCPUTime + usage.systemCPUTime) / 1e6).toFixed(2)} s, peak RSS ${Math.round(usage.maxRSS / 1024)} MiB\n`,
      );
    }
  } finally {
    stop.dispose();
  }
});
