import { loadEnvironments, selectEnvironments } from '../../../stacks/environments';
import { planBatches, type UnitJob } from '../../../bin/cli/synth-pool';

// How `npm run synth` spreads the environments over worker processes: each process synthesizes one cloud's units,
// and pays that cloud's fixed costs (library loading, warm-up, the schema validator) once.

// Three environments of known sizes as the fixture (prod the largest, dev the smallest), whatever else the
// environment list holds.
const units: UnitJob[] = selectEnvironments(loadEnvironments(), ['dev', 'staging', 'prod']).flatMap((environment) =>
  (['aws', 'azure'] as const).map((cloud) => ({
    id: `${cloud}:${environment.name}`,
    cloud,
    environment,
    outdir: `/work/${cloud}-${environment.name}`,
  })),
);
const ids = (batches: readonly (readonly UnitJob[])[]): string[][] => batches.map((b) => b.map((u) => u.id));

describe('planBatches', () => {
  test('on two cores, one process per cloud: a second AWS process would cost more than it saves', () => {
    for (const validation of [true, false]) {
      // Longest first; in each, the largest environment first (the validator loaded for its resource types
      // serves the smaller ones).
      expect(ids(planBatches(units, 2, validation))).toEqual([
        ['aws:prod', 'aws:staging', 'aws:dev'],
        ['azure:prod', 'azure:staging', 'azure:dev'],
      ]);
    }
  });

  test('with cores to spare, the AWS environments get a process each', () => {
    expect(ids(planBatches(units, 8, false))).toEqual([
      ['aws:prod'],
      ['aws:staging'],
      ['aws:dev'],
      ['azure:prod', 'azure:staging', 'azure:dev'],
    ]);
  });

  test('with validation on, every AWS environment in one process, also for AWS alone: a second would start the schema validator again on cores the first keeps busy', () => {
    const aws = units.filter((u) => u.cloud === 'aws');
    expect(ids(planBatches(aws, 2, true))).toEqual([['aws:prod', 'aws:staging', 'aws:dev']]);
    // Without the validator the second process pays for itself.
    expect(planBatches(aws, 2, false)).toHaveLength(2);
  });

  test('one cloud, or one core: one process', () => {
    expect(
      ids(
        planBatches(
          units.filter((u) => u.cloud === 'azure'),
          4,
          true,
        ),
      ),
    ).toEqual([['azure:prod', 'azure:staging', 'azure:dev']]);
    expect(planBatches(units, 1, true)).toHaveLength(2);
  });
});
