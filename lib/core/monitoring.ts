import { PLATFORM_PREFIX } from './prefix';
import { ALARM_ID_PATTERN, type LogMatch } from './spec/monitoring';

/**
 * The name of an alarm on both clouds: `platform-<env>-<id>` with the id's slashes as dots
 * (`logs/errors` -> `platform-prod-logs.errors`). Ids are kebab-case words, so the mapping never makes two
 * ids one name; Azure alert names refuse slashes.
 */
export function alarmName(environment: string, id: string): string {
  if (!ALARM_ID_PATTERN.test(id)) {
    throw new Error(`alarm id "${id}": kebab-case words separated by slashes, such as logs/errors`);
  }
  return `${PLATFORM_PREFIX}-${environment}-${id.replaceAll('/', '.')}`;
}

/**
 * A CloudWatch Logs metric filter pattern: a quoted term for text, a JSON selector for a numeric range.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 */
export function renderCloudWatchPattern(match: LogMatch): string {
  if ('text' in match) return `"${match.text}"`;
  return `{ ($.${match.jsonField} >= ${match.min}) && ($.${match.jsonField} <= ${match.max}) }`;
}

/**
 * Every log line the library's workloads write to Log Analytics, as one KQL table with the columns
 * TimeGenerated, Source and Message: container app console logs and VM syslog. `isfuzzy` lets the query
 * run before either table exists.
 */
export const KQL_PLATFORM_LOGS = [
  'union isfuzzy=true',
  '(ContainerAppConsoleLogs_CL | project TimeGenerated, Source = tostring(ContainerAppName_s), Message = tostring(Log_s)),',
  '(Syslog | project TimeGenerated, Source = Computer, Message = SyslogMessage)',
].join(' ');

/** The KQL filter for a log pattern, applied to {@link KQL_PLATFORM_LOGS}. */
export function renderKqlFilter(match: LogMatch): string {
  if ('text' in match) return `| where Message has_cs "${match.text}"`;
  const field = `toint(parse_json(Message).${match.jsonField})`;
  return `| where ${field} between (${match.min} .. ${match.max})`;
}
