/**
 * A job's schedule, in one neutral form rendered to both clouds: a standard five-field cron expression
 * (minute, hour, day of month, month, day of week; UTC), or a fixed rate in minutes.
 *
 * The dialects differ: EventBridge Scheduler takes six fields (`cron(min hour dom month dow year)`), numbers days
 * of the week 1-7 from Sunday, and requires `?` in exactly one of day-of-month and day-of-week; Azure Container
 * Apps jobs take the five standard fields and have no rate expression.
 */
export type Schedule = { readonly cron: string } | { readonly rateMinutes: number };

/**
 * The longest schedule expression EventBridge Scheduler takes (`cron(...)` or `rate(...)`, 1-256 characters).
 * @see https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html
 */
export const MAX_SCHEDULE_EXPRESSION_LENGTH = 256;

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 6 },
] as const;

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** One parsed field: its text as written (names uppercased), and whether it is `*` (no restriction). */
interface CronField {
  /** The field is `*` (or AWS's `?`): every value. */
  readonly unrestricted: boolean;
  /** The field as written, names uppercased; `?` becomes `*`. */
  readonly text: string;
}

/** The parsed five fields of a neutral cron expression. */
export interface ParsedCron {
  readonly minute: CronField;
  readonly hour: CronField;
  readonly dayOfMonth: CronField;
  readonly month: CronField;
  readonly dayOfWeek: CronField;
}

/**
 * Parses and validates a neutral cron expression: five fields of numbers, `*`, ranges `a-b`, lists `a,b` and
 * steps `*\/n` or `a-b/n`; months and days of week also by name (JAN, MON). Day of month and day of week cannot
 * both be restricted (EventBridge has no way to say "either").
 * @returns the parsed expression, or the problems found (each naming the field and what is allowed)
 */
export function parseCron(expression: string): { cron?: ParsedCron; problems: string[] } {
  if (expression.length > MAX_SCHEDULE_EXPRESSION_LENGTH) {
    return {
      problems: [
        `at most ${MAX_SCHEDULE_EXPRESSION_LENGTH} characters (EventBridge Scheduler's limit for a schedule expression); this one has ${expression.length.toLocaleString('en-US')}`,
      ],
    };
  }
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) {
    return {
      problems: [
        `five fields (minute hour day-of-month month day-of-week, UTC), such as "0 3 * * *"; got ${parts.length}`,
      ],
    };
  }
  const problems: string[] = [];
  const fields = parts.map((text, i) => {
    const field = FIELDS[i]!;
    const names = i === 3 ? MONTHS : i === 4 ? DAYS : undefined;
    for (const item of text.split(',')) {
      // `?` (AWS's "no value") is accepted where AWS takes it; EventBridge has no steps in day of week.
      if (item === '?' && (i === 2 || i === 4)) continue;
      const problem =
        i === 4 && item.includes('/')
          ? 'no steps in day of week (EventBridge Scheduler has none there); list the days, such as MON,WED,FRI'
          : checkItem(item, field.min, field.max, names);
      if (problem) problems.push(`${field.name} "${item}": ${problem}`);
    }
    return { unrestricted: text === '*' || text === '?', text: text === '?' ? '*' : text.toUpperCase() };
  });
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields as [
    CronField,
    CronField,
    CronField,
    CronField,
    CronField,
  ];
  if (!dayOfMonth.unrestricted && !dayOfWeek.unrestricted) {
    problems.push(
      'day of month and day of week cannot both be restricted (EventBridge Scheduler cannot express it); keep one "*"',
    );
  }
  if (problems.length > 0) return { problems };
  return { cron: { minute, hour, dayOfMonth, month, dayOfWeek }, problems };
}

function checkItem(item: string, min: number, max: number, names?: readonly string[]): string | undefined {
  const value = (text: string): number | undefined => {
    if (/^\d+$/.test(text)) return Number(text);
    const index = names?.indexOf(text.toUpperCase()) ?? -1;
    if (index < 0) return undefined;
    return names === MONTHS ? index + 1 : index;
  };
  const [range, step, extra] = item.split('/');
  if (extra !== undefined || range === undefined || range === '') return 'one value, range or step';
  if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1 && Number(step) <= max)) {
    return `a step from 1 to ${max}`;
  }
  if (range === '*') return undefined;
  const bounds = range.split('-');
  if (bounds.length > 2) return 'one value or a range a-b';
  const numbers = bounds.map(value);
  const allowed = `${min}-${max}${names ? ` or ${names[0]}-${names[names.length - 1]}` : ''}`;
  if (numbers.some((n) => n === undefined || n < min || n > max)) return `values ${allowed}`;
  if (numbers.length === 2 && numbers[0]! > numbers[1]!) return 'a range from low to high';
  return undefined;
}

/** Day-of-week items as EventBridge reads them: names, since its numbers start at 1 for Sunday. */
function awsDayOfWeek(text: string): string {
  return text
    .split(',')
    .map((item) => {
      const [range, step] = item.split('/');
      const renamed = (range ?? '')
        .split('-')
        .map((v) => (/^\d+$/.test(v) ? DAYS[Number(v)]! : v))
        .join('-');
      return step === undefined ? renamed : `${renamed}/${step}`;
    })
    .join(',');
}

/**
 * The EventBridge Scheduler expression of a schedule: `cron(min hour dom month dow *)` with `?` in the
 * unrestricted one of day-of-month and day-of-week, and days of week by name; or `rate(n minutes|hours|days)`.
 * @throws Error when the schedule is invalid (validate with {@link scheduleProblems} first)
 */
export function renderAwsSchedule(schedule: Schedule): string {
  if ('rateMinutes' in schedule) {
    const n = schedule.rateMinutes;
    if (n % 1440 === 0) return `rate(${n / 1440} ${n === 1440 ? 'day' : 'days'})`;
    if (n % 60 === 0) return `rate(${n / 60} ${n === 60 ? 'hour' : 'hours'})`;
    return `rate(${n} ${n === 1 ? 'minute' : 'minutes'})`;
  }
  const { cron, problems } = parseCron(schedule.cron);
  if (!cron) throw new Error(`schedule.cron "${schedule.cron}": ${problems.join('; ')}`);
  // EventBridge writes steps from a start value (`0/15`), not from `*`.
  const steps = (text: string, min: number): string => text.replace(/(^|,)\*\//g, `$1${min}/`);
  const dom = cron.dayOfMonth.unrestricted && !cron.dayOfWeek.unrestricted ? '?' : steps(cron.dayOfMonth.text, 1);
  const dow = cron.dayOfWeek.unrestricted ? '?' : awsDayOfWeek(cron.dayOfWeek.text);
  return `cron(${steps(cron.minute.text, 0)} ${steps(cron.hour.text, 0)} ${dom} ${steps(cron.month.text, 1)} ${dow} *)`;
}

/**
 * The Azure Container Apps job cron expression of a schedule: the five standard fields; a rate becomes the cron
 * expression that fires at the same times (`*\/15 * * * *`), which exists only for rates that divide an hour or
 * a day.
 * @throws Error when the schedule is invalid (validate with {@link scheduleProblems} first)
 */
export function renderAzureSchedule(schedule: Schedule): string {
  if ('rateMinutes' in schedule) {
    const n = schedule.rateMinutes;
    if (!Number.isInteger(n) || n < 1) throw new Error(`schedule.rateMinutes ${n}: ${RATE_RULE}`);
    if (n < 60 && 60 % n === 0) return n === 1 ? '* * * * *' : `*/${n} * * * *`;
    if (n % 60 === 0 && n < 1440 && 24 % (n / 60) === 0) return n === 60 ? '0 * * * *' : `0 */${n / 60} * * *`;
    if (n === 1440) return '0 0 * * *';
    throw new Error(`schedule.rateMinutes ${n}: ${RATE_RULE}`);
  }
  const { cron, problems } = parseCron(schedule.cron);
  if (!cron) throw new Error(`schedule.cron "${schedule.cron}": ${problems.join('; ')}`);
  return [cron.minute, cron.hour, cron.dayOfMonth, cron.month, cron.dayOfWeek].map((f) => f.text).join(' ');
}

const RATE_RULE =
  'a rate both clouds can run: 1-59 minutes dividing an hour (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30), whole hours dividing a day (60, 120, 180, 240, 360, 480, 720) or 1440 (daily); for anything else write a cron expression';

/** What is wrong with a schedule, one message per problem (empty when both clouds can run it). */
export function scheduleProblems(schedule: Schedule): string[] {
  if ('rateMinutes' in schedule) {
    try {
      renderAzureSchedule(schedule);
      return [];
    } catch {
      return [RATE_RULE];
    }
  }
  const { cron, problems } = parseCron(schedule.cron);
  if (!cron) return problems;
  // Day-of-week numbers become names for EventBridge, so the rendered expression can be longer than the input.
  const rendered = renderAwsSchedule(schedule);
  if (rendered.length > MAX_SCHEDULE_EXPRESSION_LENGTH) {
    return [
      `renders to ${rendered.length} characters for EventBridge Scheduler, which takes at most ${MAX_SCHEDULE_EXPRESSION_LENGTH}; use ranges (1-5) instead of lists`,
    ];
  }
  return [];
}
