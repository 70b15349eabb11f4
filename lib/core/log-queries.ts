import type { LogMatch, LogPattern } from './spec/monitoring';

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
 * TimeGenerated, Source and Message: container app console logs (the `ContainerAppConsoleLogs` table a
 * diagnostic setting fills, and the `_CL` table of the older log-analytics destination) and VM syslog (the
 * Azure Monitor Agent's `Syslog`). `isfuzzy` lets the query run while a table does not exist yet.
 */
export const KQL_PLATFORM_LOGS = [
  'union isfuzzy=true',
  '(ContainerAppConsoleLogs | project TimeGenerated, Source = ContainerAppName, Message = Log),',
  '(ContainerAppConsoleLogs_CL | project TimeGenerated, Source = tostring(ContainerAppName_s), Message = tostring(Log_s)),',
  '(Syslog | project TimeGenerated, Source = Computer, Message = SyslogMessage)',
].join(' ');

/**
 * What a log pattern alarm means, the same sentence on both clouds: `5 or more log lines matched "ERROR"
 * within 5 minutes.` (with the threshold after the spec's tuning).
 */
export function describeLogPatternAlarm(pattern: LogPattern, threshold: number): string {
  const match =
    'text' in pattern.match
      ? `"${pattern.match.text}"`
      : `${pattern.match.jsonField} between ${pattern.match.min} and ${pattern.match.max}`;
  return `${threshold} or more log lines matched ${match} within ${pattern.windowMinutes} minutes.`;
}

/** The KQL filter for a log pattern, applied to {@link KQL_PLATFORM_LOGS}. */
export function renderKqlFilter(match: LogMatch): string {
  if ('text' in match) return `| where Message has_cs "${match.text}"`;
  const field = `toint(parse_json(Message).${match.jsonField})`;
  return `| where ${field} between (${match.min} .. ${match.max})`;
}

/** A saved query: its kebab-case name and its text. */
export interface SavedQuery {
  /** Kebab-case name, unique in the environment. */
  readonly name: string;
  /** The query text, Logs Insights or KQL. */
  readonly query: string;
}

/**
 * CloudWatch Logs Insights queries for the usual questions: which source logs a pattern most, the slowest
 * requests (JSON `duration_ms`) and the clients sending most requests (JSON `client_ip`).
 */
export function renderInsightsQueries(patterns: readonly LogPattern[]): SavedQuery[] {
  const byPattern = patterns.map((p) => ({
    name: `${p.name}-by-source`,
    query: [
      'fields @timestamp, @log, @logStream, @message',
      'text' in p.match
        ? `| filter @message like "${p.match.text}"`
        : `| filter ${p.match.jsonField} >= ${p.match.min} and ${p.match.jsonField} <= ${p.match.max}`,
      '| stats count(*) as matches by @log, @logStream',
      '| sort matches desc',
      '| limit 50',
    ].join('\n'),
  }));
  return [
    ...byPattern,
    {
      name: 'slowest-requests',
      query:
        'fields @timestamp, @log, @message, duration_ms\n| filter ispresent(duration_ms)\n| sort duration_ms desc\n| limit 50',
    },
    {
      name: 'top-clients',
      query: 'filter ispresent(client_ip)\n| stats count(*) as requests by client_ip\n| sort requests desc\n| limit 25',
    },
  ];
}

/** The same questions in KQL, over {@link KQL_PLATFORM_LOGS}. */
export function renderKqlQueries(patterns: readonly LogPattern[]): SavedQuery[] {
  const byPattern = patterns.map((p) => ({
    name: `${p.name}-by-source`,
    query: `${KQL_PLATFORM_LOGS} ${renderKqlFilter(p.match)} | summarize matches = count() by Source | order by matches desc`,
  }));
  return [
    ...byPattern,
    {
      name: 'slowest-requests',
      query: `${KQL_PLATFORM_LOGS} | extend duration_ms = todouble(parse_json(Message).duration_ms) | where isnotnull(duration_ms) | top 50 by duration_ms desc`,
    },
    {
      name: 'top-clients',
      query: `${KQL_PLATFORM_LOGS} | extend client_ip = tostring(parse_json(Message).client_ip) | where isnotempty(client_ip) | summarize requests = count() by client_ip | top 25 by requests desc`,
    },
  ];
}
