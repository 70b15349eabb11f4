import { z } from 'zod';
import { defineSection } from './section';

/** Days audit records are kept: the trail bucket's lifecycle (AWS) and the activity log's workspace table (Azure). */
export const AUDIT_RETENTION_DAYS = [90, 180, 365, 730, 1095, 2555] as const;

/** The resolved `audit` section: the environment's record of who did what, and when. */
export interface AuditSpec {
  /**
   * Whether the environment keeps an audit trail (AWS CloudTrail, Azure Activity Log export) with its alarms.
   * Always true in production tiers; a development environment may leave it to an account-wide trail.
   */
  readonly enabled: boolean;
  /** Days audit records are kept, one of AUDIT_RETENTION_DAYS: 365 in production, 90 in development. */
  readonly retentionDays: (typeof AUDIT_RETENTION_DAYS)[number];
  /**
   * Audit records cannot be changed or deleted before `retentionDays` (S3 Object Lock in compliance mode on AWS;
   * Azure keeps the Activity Log itself immutable). Production only.
   */
  readonly immutable: boolean;
}

/** The `audit` section: an audit trail in every environment, on by default, retained and locked in production. */
export const auditSection = defineSection({
  schema: z
    .strictObject({
      enabled: z.boolean().optional(),
      retentionDays: z
        .union(
          AUDIT_RETENTION_DAYS.map((d) => z.literal(d)),
          { error: `one of ${AUDIT_RETENTION_DAYS.join(', ')} days` },
        )
        .optional(),
    })
    .optional(),
  defaults: {
    development: { retentionDays: 90, immutable: false },
    production: { retentionDays: 365, immutable: true },
  } satisfies Record<string, Pick<AuditSpec, 'retentionDays' | 'immutable'>>,
  resolve: (input, { defaults }): AuditSpec => ({
    enabled: input?.enabled ?? true,
    retentionDays: input?.retentionDays ?? defaults.retentionDays,
    immutable: defaults.immutable,
  }),
  check: (audit, env, report) => {
    if (env.tier === 'production' && !audit.enabled) {
      report(
        'audit.enabled',
        false,
        'true in a production-tier environment: who did what, and when, is always recorded',
      );
    }
    if (env.tier === 'production' && audit.retentionDays < 365) {
      report('audit.retentionDays', audit.retentionDays, 'at least 365 days in a production-tier environment');
    }
  },
});
