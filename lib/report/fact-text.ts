import { isObject } from '../review/aws-template';
import type { AlarmFact } from './model';

/** Any JSON value as text: strings as they are, numbers and booleans written out, anything else as JSON. */
export function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value === undefined ? '' : JSON.stringify(value);
}

/** A value as a list of objects: the objects of an array, an object alone, or nothing. */
export function objects(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) return value.filter(isObject);
  return isObject(value) ? [value] : [];
}

/** A value as an object, or an empty one. */
export function object(value: unknown): Record<string, unknown> {
  return isObject(value) ? value : {};
}

/** `[critical] What it means. First response: what to do.`, as the alarm registry (lib/core) writes descriptions. */
export function parseDescription(description: string): { severity?: string; text: string; firstResponse?: string } {
  const trimmed = description.trim();
  const match = /^(?:\[([a-z]+)\]\s*)?([\s\S]*?)(?:\s*First response:\s*([\s\S]*))?$/.exec(trimmed);
  if (!match) return { text: trimmed };
  return {
    ...(match[1] ? { severity: match[1] } : {}),
    text: match[2]!.trim(),
    ...(match[3] ? { firstResponse: match[3].trim() } : {}),
  };
}

/** `300` seconds → `5 min`. */
export function duration(seconds: number): string {
  if (seconds > 0 && seconds % 86400 === 0) return `${seconds / 86400} d`;
  if (seconds > 0 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds > 0 && seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** ISO 8601 `PT5M` → `5 min`; Prometheus `15m` → `15 min`; anything else as it is. */
export function isoDuration(value: unknown): string {
  if (typeof value !== 'string') return text(value) || '?';
  const iso = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(value);
  const prom = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value);
  const match = value === '' ? null : (iso ?? prom);
  if (!match) return value;
  const [d, h, m, s] = match.slice(1).map((part) => Number(part ?? 0));
  return duration(d! * 86400 + h! * 3600 + m! * 60 + s!);
}

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** A day-of-week field in words: names, or numbers counted from 1 = Sunday (AWS) or 0 = Sunday (standard cron). */
function weekday(field: string, aws: boolean): string {
  const days = field.split(',').map((d) => {
    const byName = DAY_NAMES.indexOf(d.toUpperCase());
    if (byName !== -1) return DAYS[byName]!;
    if (!/^\d$/.test(d)) return d;
    return DAYS[(Number(d) - (aws ? 1 : 0) + 7) % 7]!;
  });
  return days.join(', ');
}

/**
 * A schedule in words, with the expression: `rate(1 minute)` → `every minute`, `cron(0 5 ? * * *)` →
 * `daily at 05:00 UTC (cron(0 5 ? * * *))`; a 5-field cron (`* * * * *`, Azure's jobs) the same way.
 */
export function scheduleWords(expression: string, timezone = 'UTC'): string {
  const trimmed = expression.trim();
  const rate = /^rate\((\d+)\s+([a-z]+?)s?\)$/.exec(trimmed);
  if (rate) return rate[1] === '1' ? `every ${rate[2]}` : `every ${rate[1]} ${rate[2]}s`;
  const cron = /^cron\((.*)\)$/.exec(trimmed);
  const fields = (cron ? cron[1]! : trimmed).trim().split(/\s+/);
  if (fields.length < 5) return expression;
  // AWS: minute hour day-of-month month day-of-week year; standard cron: the first five.
  const [minute, hour, dom, month, dow] = fields as [string, string, string, string, string];
  const any = (f: string): boolean => f === '*' || f === '?';
  const everyDay = any(dom) && any(month) && any(dow);
  let words: string | undefined;
  if (minute === '*' && hour === '*' && everyDay) words = 'every minute';
  else if (/^\*\/\d+$/.test(minute) && hour === '*' && everyDay) words = `every ${minute.slice(2)} minutes`;
  else if (/^\d+$/.test(minute) && /^\d+$/.test(hour)) {
    const at = `at ${hour.padStart(2, '0')}:${minute.padStart(2, '0')} ${timezone}`;
    if (everyDay) words = `daily ${at}`;
    else if (any(dom) && any(month)) words = `weekly on ${weekday(dow, cron !== null)} ${at}`;
    else if (/^\d+$/.test(dom) && any(month) && any(dow)) words = `monthly on day ${dom} ${at}`;
  }
  return words === undefined ? trimmed : `${words} (${trimmed})`;
}

/** The change acknowledgements (`platform:review`) of a metadata block: risk, reason and the removed resource. */
export function changeAcknowledgements(value: unknown): { risk: string; reason: string; resource?: string }[] {
  return objects(value)
    .filter((entry) => typeof entry.risk === 'string' && typeof entry.reason === 'string')
    .map((entry) => ({
      risk: entry.risk as string,
      reason: entry.reason as string,
      ...(typeof entry.resource === 'string' && entry.resource !== '' ? { resource: entry.resource } : {}),
    }));
}

/** The `url` of a check's generated script (`"url": "https://..."`), when it has one. */
export function scriptUrl(script: string): string | undefined {
  return /"url"\s*:\s*"([^"]*)"/.exec(script)?.[1];
}

/** One Prometheus alerting rule, as either cloud writes it. */
export interface PrometheusRule {
  /** The alert's name (`KubeNodeNotReady`). */
  readonly alert: string;
  /** Its PromQL expression. */
  readonly expression: string;
  /** How long the expression holds before it fires (`15m`, `PT15M`). */
  readonly for?: string;
  /** Its labels (`severity`, `alarm`). */
  readonly labels: Readonly<Record<string, string>>;
  /** Its annotations (`summary`, `description`). */
  readonly annotations: Readonly<Record<string, string>>;
}

/** The alarm fact of a Prometheus alerting rule: its description parsed like the alarm registry's. */
export function prometheusAlarm(
  group: string,
  rule: PrometheusRule,
  routedTo: readonly string[],
  resource: string,
): AlarmFact {
  const parsed = parseDescription(rule.annotations.description ?? rule.annotations.summary ?? '');
  return {
    id: `${group}/${rule.alert}`,
    measures: `PromQL: ${rule.expression}`,
    threshold: rule.for ? `expression holds for ${isoDuration(rule.for)}` : 'expression holds',
    severity: rule.labels.severity ?? parsed.severity ?? 'unknown',
    routedTo,
    description: [rule.annotations.summary, parsed.text].filter((t) => t).join(' '),
    ...(parsed.firstResponse ? { firstResponse: parsed.firstResponse } : {}),
    resource,
  };
}

/** Plain string entries of an object (labels, annotations). */
export function stringRecord(value: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(object(value)).map(([k, v]) => [k, text(v)]));
}
