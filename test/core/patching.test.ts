import { defineEnvironment, PATCH_DAYS, SpecError, type EnvironmentInput } from '../../lib/core';
import { devInput, errorOf, prodInput } from '../util/fixtures';

/** The problems a spec produces, as `path: value - message` lines. */
function problems(input: EnvironmentInput): string[] {
  const error = errorOf(() => defineEnvironment(input));
  expect(SpecError.isSpecError(error)).toBe(true);
  return (error as SpecError).issues.map((i) => `${i.path}: ${JSON.stringify(i.value)} - ${i.message}`);
}

/** An environment input with this patching section, written as the spec would (valid or not). */
function withPatching(patching: unknown, base: EnvironmentInput = devInput()): EnvironmentInput {
  return { ...base, patching: patching as EnvironmentInput['patching'] };
}

const WEEKEND = 'saturday or sunday in a production-tier environment (patch in a weekend window)';

describe('patching section: defaults', () => {
  test('development patches daily at 03:00 UTC for 3 hours, half the servers at once, approves updates at once and reboots when needed', () => {
    expect(defineEnvironment(devInput()).patching).toEqual({
      day: 'daily',
      startHour: 3,
      durationHours: 3,
      rebootIfNeeded: true,
      approveAfterDays: 0,
      maxConcurrency: '50%',
    });
  });

  test('production patches on sunday at 02:00 UTC for 3 hours, one server at a time, and approves updates 7 days after their release', () => {
    expect(defineEnvironment(prodInput()).patching).toEqual({
      day: 'sunday',
      startHour: 2,
      durationHours: 3,
      rebootIfNeeded: true,
      approveAfterDays: 7,
      maxConcurrency: '1',
    });
  });

  test('explicit values win over the tier', () => {
    expect(
      defineEnvironment(
        withPatching({ day: 'friday', startHour: 22, durationHours: 2, rebootIfNeeded: false, approveAfterDays: 30 }),
      ).patching,
    ).toEqual({
      day: 'friday',
      startHour: 22,
      durationHours: 2,
      rebootIfNeeded: false,
      approveAfterDays: 30,
      maxConcurrency: '50%',
    });
  });

  test('a section that sets one field keeps the tier defaults for the others', () => {
    expect(defineEnvironment(withPatching({ startHour: 0 }, prodInput())).patching).toEqual({
      day: 'sunday',
      startHour: 0,
      durationHours: 3,
      rebootIfNeeded: true,
      approveAfterDays: 7,
      maxConcurrency: '1',
    });
  });
});

describe('patching section: rules', () => {
  test.each(['monday', 'wednesday', 'friday', 'daily'])(
    'production refuses %j: it patches in a weekend window',
    (day) => {
      expect(problems(withPatching({ day }, prodInput()))).toEqual([
        `prod.patching.day: ${JSON.stringify(day)} - ${WEEKEND}`,
      ]);
    },
  );

  test('production accepts saturday', () => {
    expect(defineEnvironment(withPatching({ day: 'saturday' }, prodInput())).patching.day).toBe('saturday');
  });

  test.each(PATCH_DAYS.map((day) => [day]))('development accepts %j', (day) => {
    expect(defineEnvironment(withPatching({ day })).patching.day).toBe(day);
  });

  test('an unknown day is refused with the days allowed', () => {
    expect(problems(withPatching({ day: 'weekend' }))).toEqual([
      'dev.patching.day: "weekend" - one of daily, monday, tuesday, wednesday, thursday, friday, saturday, sunday',
    ]);
  });

  test.each([
    [1, 'at least 2 hours (Azure needs 1 h 30 min; no patching starts in the last hour)'],
    [4, 'at most 3 hours (Azure in-guest patch windows last at most 3 h 55 min)'],
  ])('a window of %j hours is refused', (durationHours, message) => {
    expect(problems(withPatching({ durationHours }))).toEqual([
      `dev.patching.durationHours: ${durationHours} - ${message}`,
    ]);
  });

  test.each([
    [24, 'an hour from 0 to 23 (UTC)'],
    [-1, 'at least 0'],
  ])('start hour %j is refused', (startHour, message) => {
    expect(problems(withPatching({ startHour }))).toEqual([`dev.patching.startHour: ${startHour} - ${message}`]);
  });

  test('approving updates more than 30 days after their release is refused', () => {
    expect(problems(withPatching({ approveAfterDays: 31 }))).toEqual([
      'dev.patching.approveAfterDays: 31 - at most 30 days',
    ]);
  });

  test('unknown fields are named with the fields allowed', () => {
    expect(problems(withPatching({ hour: 3 }))).toEqual([
      'dev.patching.hour: 3 - unknown field; allowed fields here: day, startHour, durationHours, rebootIfNeeded, approveAfterDays',
    ]);
  });

  test('the weekend rule is reported with field problems of other sections', () => {
    expect(problems({ ...withPatching({ day: 'monday' }, prodInput()), tags: {} })).toEqual([
      'prod.tags.owner: undefined - required: the team that owns the environment',
      `prod.patching.day: "monday" - ${WEEKEND}`,
    ]);
  });
});
