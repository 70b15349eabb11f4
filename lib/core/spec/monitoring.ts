import { z } from 'zod';
import { defineSection } from './section';
import { textSchema } from './text';

/**
 * Retention periods both clouds accept: CloudWatch Logs takes only fixed values, Log Analytics takes
 * 30 to 730 days, so the spec offers the CloudWatch values in that range.
 */
export const LOG_RETENTION_DAYS = [30, 60, 90, 120, 150, 180, 365, 400, 545] as const;

/** How urgent an alarm is: `critical` wakes someone up, `warning` waits for working hours. */
export const SEVERITIES = ['critical', 'warning'] as const;
/** How urgent an alarm is. */
export type Severity = (typeof SEVERITIES)[number];

/** The kinds of alert channel: the spec's email addresses, or its webhook URLs (chat, paging). */
export const CHANNELS = ['email', 'webhook'] as const;
/** A kind of alert channel. */
export type Channel = (typeof CHANNELS)[number];

/**
 * Evaluation windows both clouds accept for a log alert (CloudWatch periods are any minute multiple;
 * Azure scheduled query rules take 1, 5, 10, 15, 30 and 45 minutes and whole hours).
 */
export const LOG_WINDOW_MINUTES = [1, 5, 10, 15, 30, 60] as const;

/** What a log pattern matches in a log line. */
export type LogMatch =
  /** Lines containing this text (a whole word or phrase, case-sensitive). */
  | { readonly text: string }
  /** JSON lines whose numeric field lies in [min, max] (HTTP 5xx in access logs: `status`, 500-599). */
  | { readonly jsonField: string; readonly min: number; readonly max: number };

/** A log pattern: lines to count, and when the count becomes an alert. */
export interface LogPattern {
  /** Kebab-case name, unique in the environment: part of the metric, alarm and query names. */
  readonly name: string;
  /** What a matching line looks like. */
  readonly match: LogMatch;
  /** Alert when at least this many lines match within the window. */
  readonly threshold: number;
  /** The window the lines are counted in, one of LOG_WINDOW_MINUTES. */
  readonly windowMinutes: (typeof LOG_WINDOW_MINUTES)[number];
  /** The alert's severity. */
  readonly severity: Severity;
}

/** A change to one default alarm, by its id (`logs/errors`, `network/nat/port-allocation-errors`). */
export type AlarmOverride =
  /** Switches the alarm off; the reason says why nobody needs it (at least 10 characters). */
  | { readonly enabled: false; readonly reason: string }
  /** Tunes the alarm; anything left out keeps the default. */
  | {
      readonly enabled?: true;
      readonly threshold?: number;
      readonly evaluationPeriods?: number;
      readonly severity?: Severity;
    };

/** The resolved `monitoring` section. */
export interface MonitoringSpec {
  /** Email addresses that receive alerts. */
  readonly emails: readonly string[];
  /** HTTPS endpoints (chat or paging webhooks) that receive alerts. */
  readonly webhookUrls: readonly string[];
  /** Which channels each severity goes to. */
  readonly routing: Readonly<Record<Severity, readonly Channel[]>>;
  /** Days log records are kept (log groups, Log Analytics), one of LOG_RETENTION_DAYS. */
  readonly logRetentionDays: (typeof LOG_RETENTION_DAYS)[number];
  /** The log patterns every environment alerts on. */
  readonly logPatterns: readonly LogPattern[];
  /** Changes to default alarms, by alarm id; every id must name an alarm that exists. */
  readonly alarms: Readonly<Record<string, AlarmOverride>>;
}

const httpsUrl = z.url({ protocol: /^https$/, error: 'an https:// URL' });
const anyEmail = z.email();

/** The longest webhook URL the spec takes (URLs much longer than this are truncated or refused by proxies). */
export const MAX_WEBHOOK_URL_LENGTH = 2048;
/** RFC 5321: an address of at most 254 characters, with at most 64 before the @. */
export const MAX_EMAIL_LENGTH = 254;
const MAX_EMAIL_LOCAL_PART_LENGTH = 64;

const EMAIL_RULE = 'an email address such as ops@example.com';
const email = textSchema(EMAIL_RULE, (address) => {
  if (address.length > MAX_EMAIL_LENGTH) {
    return `${EMAIL_RULE}, of at most ${MAX_EMAIL_LENGTH} characters (RFC 5321), not ${address.length.toLocaleString('en-US')}`;
  }
  if (address.lastIndexOf('@') > MAX_EMAIL_LOCAL_PART_LENGTH) {
    return `${EMAIL_RULE}, with at most ${MAX_EMAIL_LOCAL_PART_LENGTH} characters before the @ (RFC 5321)`;
  }
  return anyEmail.safeParse(address).success ? undefined : EMAIL_RULE;
});

const WEBHOOK_RULE = 'an https:// URL';
const webhookUrl = textSchema(WEBHOOK_RULE, (url) => {
  if (url.length > MAX_WEBHOOK_URL_LENGTH) {
    return `${WEBHOOK_RULE} of at most ${MAX_WEBHOOK_URL_LENGTH} characters, not ${url.length.toLocaleString('en-US')}`;
  }
  // The URL parser would quietly encode or rewrite these (a backslash becomes a slash), so the URL called would not
  // be the one written.
  const raw = /[\s"<>\\^`{|}]/.exec(url);
  if (raw)
    return `${WEBHOOK_RULE} with ${JSON.stringify(raw[0])} percent-encoded: a URL carries no spaces, quotes, < > \\ ^ \` { | } as they are`;
  return httpsUrl.safeParse(url).success ? undefined : WEBHOOK_RULE;
});
const severity = z.enum(SEVERITIES, { error: `one of ${SEVERITIES.join(', ')}` });
const channels = z.array(z.enum(CHANNELS, { error: `one of ${CHANNELS.join(', ')}` }));
const kebab = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
/** Alarm ids: kebab-case words separated by slashes (`server/web/cpu`). */
export const ALARM_ID_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*(\/[a-z0-9]+(-[a-z0-9]+)*)*$/;
/**
 * The longest alarm id: alarm names carry it (`platform-<env>-<id>.<member>`), and CloudWatch takes names of at
 * most 255 characters.
 */
export const MAX_ALARM_ID_LENGTH = 128;
/** The longest reason for switching an alarm off (it is shown in the dashboard and workbook header). */
export const MAX_ALARM_REASON_LENGTH = 500;

const ALARM_ID_RULE = 'an alarm id such as logs/errors';
const alarmId = textSchema(ALARM_ID_RULE, (id) => {
  if (id.length > MAX_ALARM_ID_LENGTH) return `${ALARM_ID_RULE}, of at most ${MAX_ALARM_ID_LENGTH} characters`;
  return ALARM_ID_PATTERN.test(id) ? undefined : ALARM_ID_RULE;
});

/**
 * What the threshold of a default alarm measures, by the shape of its id, and the thresholds that make sense for
 * it: a percentage cannot pass 100, a count of events must be a whole number of at least 1 (at 0 or below the
 * alarm always fires), and no default alarm takes a negative threshold.
 */
export const ALARM_THRESHOLD_RULES: ReadonlyArray<{
  readonly ids: RegExp;
  readonly allows: (threshold: number) => boolean;
  readonly message: string;
}> = [
  {
    ids: /^(?:server|service)\/[^/]+\/(?:cpu|memory|disk|5xx-rate)$/,
    allows: (t) => t > 0 && t <= 100,
    message: 'a percentage above 0 and at most 100 (this alarm compares a utilization or a rate in percent)',
  },
  {
    ids: /^server\/[^/]+\/availability$/,
    allows: (t) => t > 0 && t <= 1,
    message: 'a fraction above 0 and at most 1 (VM availability is 1 when the VM is available)',
  },
  {
    ids: /^service\/[^/]+\/latency-p99$/,
    allows: (t) => t > 0,
    message: 'a response time in seconds, above 0',
  },
  {
    ids: /^service\/[^/]+\/running-below-desired$/,
    allows: (t) => Number.isInteger(t) && t >= 0,
    message: 'a whole number of instances, 0 or more',
  },
  {
    ids: /^(?:logs\/.+|job\/[^/]+\/failed|network\/nat\/.+|backup\/.+|service\/[^/]+\/(?:unhealthy|5xx-count)|server\/[^/]+\/(?:recovery|status-checks))$/,
    allows: (t) => Number.isInteger(t) && t >= 1,
    message: 'a whole number of at least 1 (this alarm counts events: at 0 or below it would always fire)',
  },
  {
    ids: /./,
    allows: (t) => t >= 0,
    message:
      'not negative (every alarm compares a count, a percentage or a duration, which a negative threshold makes always or never fire)',
  },
];

/** What is wrong with an override's threshold for the alarm it tunes, or undefined. */
export function alarmThresholdProblem(id: string, threshold: number): string | undefined {
  const rule = ALARM_THRESHOLD_RULES.find((r) => r.ids.test(id));
  return rule && !rule.allows(threshold) ? rule.message : undefined;
}

const logMatch = z.union(
  [
    z.strictObject({
      text: z
        .string()
        .min(1)
        .max(100)
        .regex(/^[^"\\\n]+$/, { error: 'text without double quotes, backslashes or line breaks' }),
    }),
    z
      .strictObject({
        jsonField: textSchema('a JSON field path such as status or http.status', (field) =>
          field.length <= 100 && /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(field)
            ? undefined
            : 'a JSON field path of at most 100 characters, such as status or http.status',
        ),
        min: z.number().int(),
        max: z.number().int(),
      })
      .refine((m) => m.min <= m.max, { error: 'min no greater than max' }),
  ],
  { error: '{ text } or { jsonField, min, max }' },
);

const logPattern = z.strictObject({
  name: z.string().max(40).regex(kebab, { error: 'a kebab-case name of at most 40 characters, such as http-5xx' }),
  match: logMatch,
  threshold: z.number().int().min(1, { error: 'a whole number of lines, at least 1' }),
  windowMinutes: z.union(
    LOG_WINDOW_MINUTES.map((m) => z.literal(m)),
    { error: `one of ${LOG_WINDOW_MINUTES.join(', ')} minutes (valid on both clouds)` },
  ),
  severity,
});

const alarmOverride = z.union(
  [
    z.strictObject({
      enabled: z.literal(false),
      reason: z
        .string()
        .trim()
        .min(10, { error: 'a reason of at least 10 characters saying why nobody needs it' })
        .max(MAX_ALARM_REASON_LENGTH, {
          error: `a reason of at most ${MAX_ALARM_REASON_LENGTH} characters (it is shown in the dashboard header)`,
        }),
    }),
    z.strictObject({
      enabled: z.literal(true).optional(),
      threshold: z.number({ error: 'a finite number' }).optional(),
      evaluationPeriods: z
        .number()
        .int()
        .min(1)
        .max(6, { error: 'at most 6 (Azure log alerts evaluate at most 6 periods)' })
        .optional(),
      severity: severity.optional(),
    }),
  ],
  { error: '{ enabled: false, reason } or { threshold?, evaluationPeriods?, severity? }' },
);

/** The default log patterns: error lines and HTTP 5xx responses in JSON access logs. */
function defaultPatterns(errors: number, serverErrors: number): LogPattern[] {
  return [
    { name: 'errors', match: { text: 'ERROR' }, threshold: errors, windowMinutes: 5, severity: 'warning' },
    {
      name: 'http-5xx',
      match: { jsonField: 'status', min: 500, max: 599 },
      threshold: serverErrors,
      windowMinutes: 5,
      severity: 'critical',
    },
  ];
}

/**
 * The `monitoring` section: where alerts go, which severity goes where, how long logs are kept, the log
 * patterns that raise alerts, and explicit changes to default alarms.
 */
export const monitoringSection = defineSection({
  schema: z
    .strictObject({
      emails: z.array(email).optional(),
      webhookUrls: z.array(webhookUrl).optional(),
      routing: z.strictObject({ critical: channels.optional(), warning: channels.optional() }).optional(),
      logRetentionDays: z
        .union(
          LOG_RETENTION_DAYS.map((d) => z.literal(d)),
          { error: `one of ${LOG_RETENTION_DAYS.join(', ')} days (valid in both CloudWatch Logs and Log Analytics)` },
        )
        .optional(),
      logPatterns: z.array(logPattern).optional(),
      // Checked here rather than with the section's rules, so that a bad threshold is reported with the section's
      // other problems.
      alarms: z
        .record(alarmId, alarmOverride)
        .superRefine((alarms, ctx) => {
          for (const [id, override] of Object.entries(alarms)) {
            if (override.enabled === false || override.threshold === undefined) continue;
            const problem = alarmThresholdProblem(id, override.threshold);
            if (problem)
              ctx.addIssue({ code: 'custom', path: [id, 'threshold'], input: override.threshold, message: problem });
          }
        })
        .optional(),
    })
    .optional(),
  // Where alerts go is never defaulted: an address nobody reads is worse than none.
  defaults: {
    development: {
      routing: { critical: ['email', 'webhook'], warning: ['email', 'webhook'] },
      logRetentionDays: 30,
      logPatterns: defaultPatterns(10, 20),
    },
    production: {
      // Warnings wait for working hours; only critical alerts reach the on-call webhooks.
      routing: { critical: ['email', 'webhook'], warning: ['email'] },
      logRetentionDays: 365,
      logPatterns: defaultPatterns(5, 10),
    },
  } satisfies Record<string, Pick<MonitoringSpec, 'routing' | 'logRetentionDays' | 'logPatterns'>>,
  resolve: (input, { defaults }): MonitoringSpec => ({
    emails: [...new Set(input?.emails ?? [])].sort(),
    webhookUrls: [...new Set(input?.webhookUrls ?? [])].sort(),
    routing: {
      critical: [...new Set(input?.routing?.critical ?? defaults.routing.critical)].sort(),
      warning: [...new Set(input?.routing?.warning ?? defaults.routing.warning)].sort(),
    },
    logRetentionDays: input?.logRetentionDays ?? defaults.logRetentionDays,
    logPatterns: input?.logPatterns ?? defaults.logPatterns,
    alarms: Object.fromEntries(Object.entries(input?.alarms ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))),
  }),
  check: (monitoring, env, report) => {
    const reachable = (severity: Severity): boolean =>
      monitoring.routing[severity].some((c) => (c === 'email' ? monitoring.emails : monitoring.webhookUrls).length > 0);
    if (env.tier === 'production' && !reachable('critical')) {
      report(
        'monitoring.routing.critical',
        monitoring.routing.critical,
        'a production-tier environment needs an email address or webhook URL that critical alerts are routed to',
      );
    }
    if (env.tier === 'production' && monitoring.logRetentionDays < 365) {
      report(
        'monitoring.logRetentionDays',
        monitoring.logRetentionDays,
        'at least 365 days in a production-tier environment (logs are evidence for audits and incidents)',
      );
    }
    const seen = new Set<string>();
    monitoring.logPatterns.forEach((p, i) => {
      if (seen.has(p.name)) report(`monitoring.logPatterns[${i}].name`, p.name, 'a name no other log pattern has');
      seen.add(p.name);
    });
  },
});
