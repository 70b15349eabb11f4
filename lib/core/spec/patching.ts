import { z } from 'zod';
import { defineSection } from './section';

/** The days a patch window can recur on. */
export const PATCH_DAYS = [
  'daily',
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
] as const;
/** A patch window's day. */
export type PatchDay = (typeof PATCH_DAYS)[number];

/** The resolved `patching` section: when servers install updates, in UTC. */
export interface PatchingSpec {
  /** The day the window recurs on, or `daily`. */
  readonly day: PatchDay;
  /** The hour the window opens, 0-23 UTC. */
  readonly startHour: number;
  /** How long the window lasts, 2-3 hours; no new patching starts in its last hour. */
  readonly durationHours: number;
  /** Servers restart when an update needs it. */
  readonly rebootIfNeeded: boolean;
  /** Days an update waits after its release before it is approved (AWS, Amazon Linux; Ubuntu has no release dates). */
  readonly approveAfterDays: number;
  /**
   * How many servers a window patches at once (AWS maintenance window `maxConcurrency`): production one at a time
   * (`'1'`), so a definition of several servers keeps serving; development half of them (`'50%'`).
   */
  readonly maxConcurrency: '1' | '50%';
}

/** The `patching` section: one weekly (production) or daily (development) window for every server. */
export const patchingSection = defineSection({
  schema: z
    .strictObject({
      day: z.enum(PATCH_DAYS, { error: `one of ${PATCH_DAYS.join(', ')}` }).optional(),
      startHour: z.number().int().min(0).max(23, { error: 'an hour from 0 to 23 (UTC)' }).optional(),
      durationHours: z
        .number()
        .int()
        .min(2, { error: 'at least 2 hours (Azure needs 1 h 30 min; no patching starts in the last hour)' })
        .max(3, { error: 'at most 3 hours (Azure in-guest patch windows last at most 3 h 55 min)' })
        .optional(),
      rebootIfNeeded: z.boolean().optional(),
      approveAfterDays: z.number().int().min(0).max(30, { error: 'at most 30 days' }).optional(),
    })
    .optional(),
  defaults: {
    development: { day: 'daily', startHour: 3, durationHours: 3, approveAfterDays: 0, maxConcurrency: '50%' },
    production: { day: 'sunday', startHour: 2, durationHours: 3, approveAfterDays: 7, maxConcurrency: '1' },
  } satisfies Record<
    string,
    Pick<PatchingSpec, 'day' | 'startHour' | 'durationHours' | 'approveAfterDays' | 'maxConcurrency'>
  >,
  resolve: (input, { defaults }): PatchingSpec => ({
    day: input?.day ?? defaults.day,
    startHour: input?.startHour ?? defaults.startHour,
    durationHours: input?.durationHours ?? defaults.durationHours,
    rebootIfNeeded: input?.rebootIfNeeded ?? true,
    approveAfterDays: input?.approveAfterDays ?? defaults.approveAfterDays,
    maxConcurrency: defaults.maxConcurrency,
  }),
  check: (patching, env, report) => {
    if (env.tier === 'production' && patching.day !== 'saturday' && patching.day !== 'sunday') {
      report(
        'patching.day',
        patching.day,
        'saturday or sunday in a production-tier environment (patch in a weekend window)',
      );
    }
  },
});
