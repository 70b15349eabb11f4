/**
 * A Prometheus duration (`model.ParseDuration`): whole numbers with the units y, w, d, h, m, s and ms, each at most
 * once and in that order (`1h30m`, never `30m1h`). A year is 365 days and a week 7 days.
 */
export const PROMETHEUS_DURATION_PATTERN =
  /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** The message for text that is not a Prometheus duration. */
export const PROMETHEUS_DURATION_RULE = 'a Prometheus duration such as 5m or 1h30m';

const UNIT_MILLISECONDS = [
  365 * 24 * 3_600_000,
  7 * 24 * 3_600_000,
  24 * 3_600_000,
  3_600_000,
  60_000,
  1_000,
  1,
] as const;

/**
 * The milliseconds of a Prometheus duration, or undefined when the text is not one (empty, units out of order or
 * repeated, a unit Prometheus does not know, a fraction, a sign).
 */
export function prometheusDurationMilliseconds(text: string): number | undefined {
  if (text === '') return undefined;
  const match = PROMETHEUS_DURATION_PATTERN.exec(text);
  if (!match) return undefined;
  let total = 0;
  UNIT_MILLISECONDS.forEach((unit, i) => {
    const amount = match[i + 1];
    if (amount !== undefined) total += Number(amount) * unit;
  });
  return Number.isSafeInteger(total) ? total : undefined;
}

/**
 * The seconds of a Prometheus duration (`1h30m` is 5400; `500ms` is 0.5).
 * @throws Error when the text is not a Prometheus duration
 */
export function prometheusDurationSeconds(text: string): number {
  const ms = prometheusDurationMilliseconds(text);
  if (ms === undefined) throw new Error(`"${text}" is not ${PROMETHEUS_DURATION_RULE}`);
  return ms / 1000;
}

/**
 * The same duration in ISO 8601, as Azure's Prometheus rule groups take it: `5m` is `PT5M`, `1h30m` is `PT1H30M`,
 * `2d` is `P2D`, `90s` is `PT1M30S`, `1w` is `P7D`, `0s` is `PT0S`. Years and weeks become days (ISO years and weeks
 * are calendar units, whose length varies).
 * @throws Error when the text is not a Prometheus duration, or has a part of a second (Azure takes whole seconds)
 */
export function prometheusDurationToIso8601(text: string): string {
  const ms = prometheusDurationMilliseconds(text);
  if (ms === undefined) throw new Error(`"${text}" is not ${PROMETHEUS_DURATION_RULE}`);
  if (ms % 1000 !== 0) throw new Error(`"${text}" has a part of a second; Azure takes whole seconds`);
  let seconds = ms / 1000;
  const days = Math.floor(seconds / 86_400);
  seconds -= days * 86_400;
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  const time = `${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${seconds ? `${seconds}S` : ''}`;
  if (days === 0 && time === '') return 'PT0S';
  return `P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
}

/**
 * Writes whole seconds as the shortest Prometheus duration (`900` is `15m`, `5400` is `1h30m`, `0` is `0s`); days are
 * the largest unit written.
 * @throws Error when the seconds are negative or not whole
 */
export function formatPrometheusDuration(seconds: number): string {
  if (!Number.isSafeInteger(seconds) || seconds < 0) {
    throw new Error(`${seconds}: a Prometheus duration is a whole number of seconds, 0 or more`);
  }
  if (seconds === 0) return '0s';
  let rest = seconds;
  let out = '';
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const amount = Math.floor(rest / size);
    if (amount > 0) out += `${amount}${unit}`;
    rest -= amount * size;
  }
  return out;
}

/** Bounds of {@link prometheusDurationProblem}, in seconds. */
export interface PrometheusDurationBounds {
  /**
   * The shortest duration allowed, in seconds.
   * @default 0
   */
  readonly minSeconds?: number;
  /**
   * The longest duration allowed, in seconds.
   * @default - no limit
   */
  readonly maxSeconds?: number;
  /**
   * Whether the duration must be whole minutes (Azure's rule group interval).
   * @default false - whole seconds
   */
  readonly wholeMinutes?: boolean;
}

/**
 * What is wrong with text meant as a Prometheus duration on both clouds, or undefined: not a duration, a part of a
 * second (Azure takes ISO 8601 durations of whole seconds), or out of bounds.
 */
export function prometheusDurationProblem(text: string, bounds: PrometheusDurationBounds = {}): string | undefined {
  const ms = prometheusDurationMilliseconds(text);
  const min = bounds.minSeconds ?? 0;
  const max = bounds.maxSeconds;
  const range =
    max === undefined
      ? `at least ${formatPrometheusDuration(min)}`
      : `from ${formatPrometheusDuration(min)} to ${formatPrometheusDuration(max)}`;
  if (ms === undefined) return `not ${PROMETHEUS_DURATION_RULE} (units y, w, d, h, m, s in that order, each once)`;
  if (ms % 1000 !== 0) return `whole seconds, ${range} (Azure takes no milliseconds)`;
  if (bounds.wholeMinutes === true && ms % 60_000 !== 0) return `whole minutes, ${range}`;
  if (ms / 1000 < min || (max !== undefined && ms / 1000 > max)) return range;
  return undefined;
}
