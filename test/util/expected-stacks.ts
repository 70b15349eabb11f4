import type { DeliverySpec, Environment } from '../../lib/core';
import { loadDelivery, loadEnvironments } from '../../stacks/environments';

/**
 * What the tests of the whole environment list expect, derived from the list and each environment's spec as the
 * README describes it (Stacks, Environments), never from the code that builds the stacks: so the suite holds for
 * any set of environments, and adding one the way the README says breaks no test.
 */

/** The example environments: those in stacks/environments, in their order. */
export const EXAMPLE_ENVIRONMENTS: readonly Environment[] = loadEnvironments();

/** The example delivery (stacks/environments/delivery.ts), over the example environments. */
export const EXAMPLE_DELIVERY: DeliverySpec = loadDelivery();

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
    ...(env.kubernetes ? [`${p}-kubernetes`] : []),
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
 * order, AWS before Azure, stacks by name; then, with a delivery on AWS whose environments these are, the pipeline's
 * stack and a support stack per other region its stages deploy to (the production tiers' backup-copy regions).
 */
export function expectedRows(
  environments: readonly Environment[],
  delivery?: DeliverySpec,
): Array<[string, 'aws' | 'azure', string]> {
  const rows = environments.flatMap((env) => [
    ...awsStacks(env).map((stack): [string, 'aws' | 'azure', string] => [env.name, 'aws', stack]),
    [env.name, 'azure', azureStack(env)] as [string, 'aws' | 'azure', string],
  ]);
  if (!delivery?.aws) return rows;
  const home = delivery.aws.region;
  const regions = [
    ...new Set(
      delivery.environments.flatMap((env) => [
        env.aws.region,
        ...(env.tier === 'production' && env.backup.secondRegion ? [env.backup.secondRegion] : []),
      ]),
    ),
  ]
    .filter((region) => region !== home)
    .sort();
  return [
    ...rows,
    ['delivery', 'aws', 'platform-delivery'],
    ...regions.map((region): [string, 'aws' | 'azure', string] => [
      'delivery',
      'aws',
      `platform-delivery-support-${region}`,
    ]),
  ];
}
