import { z } from 'zod';
import { defineSection } from './section';

/**
 * Retention periods both clouds accept: CloudWatch Logs takes only fixed values, Log Analytics takes
 * 30 to 730 days, so the spec offers the CloudWatch values in that range.
 */
export const LOG_RETENTION_DAYS = [30, 60, 90, 120, 150, 180, 365, 400, 545] as const;

/** The resolved `logs` section. */
export interface LogsSpec {
  /** Days log records are kept, one of LOG_RETENTION_DAYS. */
  readonly retentionDays: (typeof LOG_RETENTION_DAYS)[number];
}

/** The `logs` section: how long log records are kept (flow logs now, every log group and workspace later). */
export const logsSection = defineSection({
  schema: z
    .strictObject({
      retentionDays: z
        .union(
          LOG_RETENTION_DAYS.map((d) => z.literal(d)),
          {
            error: `one of ${LOG_RETENTION_DAYS.join(', ')} days (valid in both CloudWatch Logs and Log Analytics)`,
          },
        )
        .optional(),
    })
    .optional(),
  defaults: {
    development: { retentionDays: 30 },
    production: { retentionDays: 365 },
  } as const,
  resolve: (input, { defaults }): LogsSpec => ({
    retentionDays: input?.retentionDays ?? defaults.retentionDays,
  }),
});
