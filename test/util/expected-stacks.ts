import type { Environment } from '../../lib/core';
import { loadEnvironments } from '../../stacks/environments';

/**
 * What the tests of the whole environment list expect, derived from the list and each environment's spec as the
 * README describes it (Stacks, Environments), never from the code that builds the stacks: so the suite holds for
 * any set of environments, and adding one the way the README says breaks no test.
 */

/** The example environments: those in stacks/environments, in their order. */
export const EXAMPLE_ENVIRONMENTS: readonly Environment[] = loadEnvironments();

/** The example environments of one tier, in their order. */
export function environmentsOfTier(tier: Environment['tier']): Environment[] {
  return EXAMPLE_ENVIRONMENTS.filter((e) => e.tier === tier);
}

/** The first example environment of a tier: a fixture for tests about one environment of that tier. */
export function firstOfTier(tier: Environment['tier']): Environment {
  const env = EXAMPLE_ENVIRONMENTS.find((e) => e.tier === tier);
  if (!env) throw new Error(`the example environments have no ${tier}-tier environment, which this test needs`);
  return env;
}

/**
 * The AWS workload stacks of an environment by number, ascending: one per stack number its services and jobs are
 * in (their resolved `stack`), none for an empty one.
 */
export function workloadStackNumbers(env: Environment): number[] {
  return [...new Set([...env.services, ...env.jobs].map((w) => w.stack))].sort((a, b) => a - b);
}

/**
 * The AWS stacks of an environment, in construct order (as `cdk ls` lists them): the foundation; the backup-copy
 * stack in production tiers; the compute stack when it has servers; a workload stack per stack number in use.
 */
export function awsStacksInConstructOrder(env: Environment): string[] {
  const p = `platform-${env.name}`;
  return [
    `${p}-foundation`,
    ...(env.tier === 'production' ? [`${p}-backup-copy`] : []),
    ...(env.servers.length > 0 ? [`${p}-compute`] : []),
    ...workloadStackNumbers(env).map((n) => `${p}-workloads-${n}`),
  ];
}

/** The AWS stacks of an environment sorted by name, as `npm run synth` lists them. */
export function awsStacks(env: Environment): string[] {
  return awsStacksInConstructOrder(env).sort();
}

/** The Terraform stack of an environment on Azure. */
export function azureStack(env: Environment): string {
  return `platform-${env.name}`;
}

/**
 * The summary rows `npm run synth` prints for environments, as `[environment, cloud, stack]`: by environment in their
 * order, AWS before Azure, stacks by name.
 */
export function expectedRows(environments: readonly Environment[]): Array<[string, 'aws' | 'azure', string]> {
  return environments.flatMap((env) => [
    ...awsStacks(env).map((stack): [string, 'aws' | 'azure', string] => [env.name, 'aws', stack]),
    [env.name, 'azure', azureStack(env)] as [string, 'aws' | 'azure', string],
  ]);
}
