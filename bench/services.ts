// 100 container services in one environment, as `npm run synth -- --force` would synthesize them (worker processes
// as many as bin/platform.ts starts, every unit synthesized and stored in the cache): the scale case of the services
// capability. Services are pinned round-robin over the fixed AWS workload stacks (spread by name alone, 100 of them
// would put more than a stack holds into one), so this also shows that none of those stacks comes near
// CloudFormation's limits.
import * as path from 'node:path';
import { defineEnvironment, WORKLOAD_STACKS, type EnvironmentInput } from '../lib/core';
import { dev } from '../stacks/environments/dev';
import { defaultCacheFolder, defaultJobs, formatSummary, synthesize } from '../bin/cli/synth';
import { parseBenchArgs } from './args';

/** How many services the scale scenario synthesizes. */
export const SCALE_SERVICES = 100;

/** One development environment with SCALE_SERVICES services, half public, and no servers or jobs. */
export function scaleEnvironment(): EnvironmentInput {
  return {
    ...dev,
    name: 'scale',
    network: { cidr: '10.90.0.0/16' },
    servers: [],
    jobs: [],
    services: Array.from({ length: SCALE_SERVICES }, (_, i) => ({
      name: `svc-${String(i + 1).padStart(3, '0')}`,
      image: 'public.ecr.aws/nginx/nginx:1.27',
      cpu: 0.25,
      memoryGiB: 0.5,
      port: 80,
      public: i % 2 === 0,
      stack: i % WORKLOAD_STACKS,
    })),
  };
}

const args = parseBenchArgs(process.argv.slice(2));
void (async () => {
  const rows = await synthesize({
    environments: [defineEnvironment(scaleEnvironment())],
    clouds: args.clouds,
    validation: args.validation,
    jobs: defaultJobs(),
    cache: defaultCacheFolder(),
    force: true,
    cdkOut: path.join(args.outdir, 'cdk.out'),
    cdktfOut: path.join(args.outdir, 'cdktf.out'),
  });
  process.stdout.write(`${formatSummary(rows)}\n`);
})();
