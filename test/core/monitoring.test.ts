import {
  alarmName,
  defineEnvironment,
  KQL_PLATFORM_LOGS,
  renderCloudWatchPattern,
  renderKqlFilter,
  SpecError,
  type EnvironmentInput,
} from '../../lib/core';
import { devInput, errorOf, prodInput } from '../util/fixtures';

function problems(input: EnvironmentInput): string[] {
  const error = errorOf(() => defineEnvironment(input));
  expect(SpecError.isSpecError(error)).toBe(true);
  return (error as SpecError).issues.map((i) => `${i.path}: ${JSON.stringify(i.value)} - ${i.message}`);
}

function withMonitoring(monitoring: unknown, base = devInput()): EnvironmentInput {
  return { ...base, monitoring: monitoring as EnvironmentInput['monitoring'] };
}

describe('monitoring section', () => {
  test('development routes both severities everywhere and alerts on errors and 5xx', () => {
    const { monitoring } = defineEnvironment(devInput());
    expect(monitoring.routing).toEqual({ critical: ['email', 'webhook'], warning: ['email', 'webhook'] });
    expect(monitoring.logRetentionDays).toBe(30);
    expect(monitoring.logPatterns).toEqual([
      { name: 'errors', match: { text: 'ERROR' }, threshold: 10, windowMinutes: 5, severity: 'warning' },
      {
        name: 'http-5xx',
        match: { jsonField: 'status', min: 500, max: 599 },
        threshold: 20,
        windowMinutes: 5,
        severity: 'critical',
      },
    ]);
    expect(monitoring.alarms).toEqual({});
  });

  test('production keeps warnings off the on-call webhooks, keeps logs a year and alerts sooner', () => {
    const { monitoring } = defineEnvironment(prodInput());
    expect(monitoring.routing).toEqual({ critical: ['email', 'webhook'], warning: ['email'] });
    expect(monitoring.logRetentionDays).toBe(365);
    expect(monitoring.logPatterns.map((p) => [p.name, p.threshold])).toEqual([
      ['errors', 5],
      ['http-5xx', 10],
    ]);
  });

  test('given patterns replace the defaults; overrides are kept by alarm id', () => {
    const { monitoring } = defineEnvironment(
      withMonitoring({
        logPatterns: [
          { name: 'timeouts', match: { text: 'timed out' }, threshold: 3, windowMinutes: 15, severity: 'warning' },
        ],
        alarms: { 'logs/errors': { enabled: false, reason: 'The app logs ERROR for expected client mistakes' } },
      }),
    );
    expect(monitoring.logPatterns.map((p) => p.name)).toEqual(['timeouts']);
    expect(monitoring.alarms).toEqual({
      'logs/errors': { enabled: false, reason: 'The app logs ERROR for expected client mistakes' },
    });
  });

  test('production must route critical alerts to a channel that has an address', () => {
    expect(
      problems(withMonitoring({ emails: ['ops@example.com'], routing: { critical: ['webhook'] } }, prodInput())),
    ).toEqual([
      'prod.monitoring.routing.critical: ["webhook"] - a production-tier environment needs an email address or webhook URL that critical alerts are routed to',
    ]);
  });

  test('every bad pattern field is named at once, with what is allowed', () => {
    const lines = problems(
      withMonitoring({
        logPatterns: [
          { name: 'Errors', match: { text: 'say "hi"' }, threshold: 0, windowMinutes: 7, severity: 'page' },
          {
            name: 'range',
            match: { jsonField: 'status', min: 599, max: 500 },
            threshold: 1,
            windowMinutes: 5,
            severity: 'warning',
          },
        ],
      }),
    );
    expect(lines).toEqual(
      expect.arrayContaining([
        'dev.monitoring.logPatterns[0].name: "Errors" - a kebab-case name of at most 40 characters, such as http-5xx',
        'dev.monitoring.logPatterns[0].match.text: "say \\"hi\\"" - text without double quotes, backslashes or line breaks',
        'dev.monitoring.logPatterns[0].threshold: 0 - a whole number of lines, at least 1',
        'dev.monitoring.logPatterns[0].windowMinutes: 7 - one of 1, 5, 10, 15, 30, 60 minutes (valid on both clouds)',
        'dev.monitoring.logPatterns[0].severity: "page" - one of critical, warning',
      ]),
    );
    expect(lines.some((l) => l.startsWith('dev.monitoring.logPatterns[1].match'))).toBe(true);
  });

  test('production keeps logs at least a year', () => {
    expect(problems(withMonitoring({ ...prodInput().monitoring, logRetentionDays: 90 }, prodInput()))).toEqual([
      'prod.monitoring.logRetentionDays: 90 - at least 365 days in a production-tier environment (logs are evidence for audits and incidents)',
    ]);
  });

  test('an override evaluates at most 6 periods, which both clouds can', () => {
    expect(problems(withMonitoring({ alarms: { 'logs/errors': { evaluationPeriods: 10 } } }))).toEqual([
      'dev.monitoring.alarms.logs/errors.evaluationPeriods: 10 - at most 6 (Azure log alerts evaluate at most 6 periods)',
    ]);
  });

  test('two patterns cannot share a name', () => {
    const pattern = { name: 'errors', match: { text: 'ERROR' }, threshold: 1, windowMinutes: 5, severity: 'warning' };
    expect(problems(withMonitoring({ logPatterns: [pattern, pattern] }))).toEqual([
      'dev.monitoring.logPatterns[1].name: "errors" - a name no other log pattern has',
    ]);
  });

  test('switching an alarm off needs a reason', () => {
    expect(problems(withMonitoring({ alarms: { 'logs/errors': { enabled: false } } }))).toEqual([
      'dev.monitoring.alarms.logs/errors: {"enabled":false} - { enabled: false, reason } or { threshold?, evaluationPeriods?, severity? }',
    ]);
  });
});

describe('alarm names and log patterns', () => {
  test('alarm names are the environment and the id, with dots for slashes', () => {
    expect(alarmName('prod', 'logs/http-5xx')).toBe('platform-prod-logs.http-5xx');
    expect(alarmName('prod', 'a-b/c')).not.toBe(alarmName('prod', 'a/b-c'));
    expect(() => alarmName('prod', 'Logs/Errors')).toThrow(
      'alarm id "Logs/Errors": kebab-case words separated by slashes',
    );
  });

  test('CloudWatch patterns: a quoted term, or a JSON range selector', () => {
    expect(renderCloudWatchPattern({ text: 'ERROR' })).toBe('"ERROR"');
    expect(renderCloudWatchPattern({ jsonField: 'http.status', min: 500, max: 599 })).toBe(
      '{ ($.http.status >= 500) && ($.http.status <= 599) }',
    );
  });

  test('KQL filters over the union of container app and VM logs', () => {
    expect(renderKqlFilter({ text: 'ERROR' })).toBe('| where Message has_cs "ERROR"');
    expect(renderKqlFilter({ jsonField: 'status', min: 500, max: 599 })).toBe(
      '| where toint(parse_json(Message).status) between (500 .. 599)',
    );
    expect(KQL_PLATFORM_LOGS).toMatch(
      /^union isfuzzy=true \(ContainerAppConsoleLogs \| project TimeGenerated, Source = ContainerAppName, Message = Log\), \(ContainerAppConsoleLogs_CL .*\(Syslog /,
    );
  });
});
