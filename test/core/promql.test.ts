import {
  DEFAULT_PROMETHEUS_RULES,
  formatPrometheusDuration,
  kubernetesAlarmRules,
  KUBERNETES_ALARM_BASICS,
  prometheusDurationMilliseconds,
  prometheusDurationProblem,
  prometheusDurationSeconds,
  prometheusDurationToIso8601,
  promqlProblem,
  promqlProblems,
  type AlarmBasics,
  type Tuned,
} from '../../lib/core';

/** A Kubernetes alarm's basics tuned with these values, as the registry would. */
function tuned(
  kind: 'node-readiness' | 'pod-restarts',
  threshold: number,
  evaluationPeriods: number,
): Tuned<AlarmBasics> {
  const basics = KUBERNETES_ALARM_BASICS[kind];
  const description =
    typeof basics.description === 'function'
      ? basics.description({ threshold, evaluationPeriods })
      : basics.description;
  return { ...basics, threshold, evaluationPeriods, description };
}

describe('promqlProblems', () => {
  test('an unfinished expression is reported where it ends, with its line and column', () => {
    expect(promqlProblems('sum(rate(foo[5m])) by (x')).toEqual([
      { offset: 24, line: 1, column: 25, message: 'the expression ends too early' },
    ]);
    expect(promqlProblem('sum(rate(foo[5m])) by (x')).toBe(
      'invalid PromQL at character 24 (line 1, column 25): the expression ends too early: "sum(rate(foo[5m])) by (x⟨here⟩"',
    );
  });

  test.each([
    ['rate(foo[5x])', 10, 'unexpected "x"'],
    ['foo{bar="baz"', 13, 'the expression ends too early'],
    ['notafunction(foo)', 12, 'unknown function "notafunction"'],
    ['foo bar', 4, 'unexpected "bar"'],
    ['', 0, 'an expression is required'],
  ])('%j: a syntax error at %d (%s)', (expr, offset, message) => {
    expect(promqlProblems(expr)).toEqual([{ offset, line: 1, column: offset + 1, message }]);
  });

  test('positions on later lines count lines and columns from 1', () => {
    expect(promqlProblems('up\n  and on() bar )')).toEqual([
      { offset: 18, line: 2, column: 16, message: 'unexpected ")"' },
    ]);
  });

  test('range functions need a range vector, which the grammar alone does not check', () => {
    expect(promqlProblems('rate(foo)')).toEqual([
      {
        offset: 5,
        line: 1,
        column: 6,
        message: 'rate() takes a range vector, such as rate(http_requests_total[5m])',
      },
    ]);
    expect(promqlProblems('quantile_over_time(0.9, foo)')[0]?.message).toBe(
      'quantile_over_time() takes a range vector as argument 2, such as quantile_over_time(0.9, http_requests_total[5m])',
    );
    expect(promqlProblems('sum(max_over_time(foo{a="b"}))')[0]?.offset).toBe(18);
    expect(promqlProblems('increase()')[0]?.message).toMatch(/^increase\(\) takes a range vector/);
  });

  test('a range vector, a subquery or one in parentheses is a range function argument', () => {
    for (const expr of [
      'rate(foo[5m])',
      'rate(foo[5m:1m])',
      'rate((foo[5m]))',
      'quantile_over_time(0.9, foo[5m])',
      'predict_linear(kubelet_volume_stats_available_bytes{job="kubelet"}[6h], 4 * 24 * 3600) < 0',
      'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))',
    ]) {
      expect([expr, promqlProblems(expr)]).toEqual([expr, []]);
    }
  });

  test('duration arithmetic in a range is refused: neither managed service promises it', () => {
    expect(promqlProblems('rate(foo[5m*2])')).toEqual([
      { offset: 9, line: 1, column: 10, message: 'a single duration such as 5m in a range, not arithmetic (5m*2)' },
    ]);
  });

  test("a rule's expression must return an instant vector or a number", () => {
    expect(promqlProblems('foo[5m]')[0]?.message).toBe(
      "a rule's expression returns an instant vector or a number, not a range vector",
    );
    expect(promqlProblems('"text"')[0]?.message).toBe(
      "a rule's expression returns an instant vector or a number, not a string",
    );
    expect(promqlProblems('1 > bool 0')).toEqual([]);
  });

  test('every default rule parses', () => {
    for (const rule of DEFAULT_PROMETHEUS_RULES) expect([rule.id, promqlProblems(rule.expr)]).toEqual([rule.id, []]);
  });

  test("the Kubernetes alarms' rules parse, at their defaults and tuned", () => {
    for (const threshold of [1, 3]) {
      const rules = kubernetesAlarmRules({
        'node-readiness': tuned('node-readiness', threshold, 3),
        'pod-restarts': tuned('pod-restarts', threshold, 6),
      });
      expect(rules.map((r) => r.name)).toEqual(['KubeNodeNotReady', 'KubePodCrashLooping']);
      for (const rule of rules) expect([rule.name, promqlProblems(rule.expr)]).toEqual([rule.name, []]);
    }
  });
});

describe('Prometheus durations', () => {
  test.each([
    ['5m', 300, 'PT5M'],
    ['1h30m', 5400, 'PT1H30M'],
    ['2d', 172_800, 'P2D'],
    ['90s', 90, 'PT1M30S'],
    ['1w', 604_800, 'P7D'],
    ['1y', 31_536_000, 'P365D'],
    ['1d2h3m4s', 93_784, 'P1DT2H3M4S'],
    ['0s', 0, 'PT0S'],
  ])('%s is %d seconds, %s in ISO 8601', (text, seconds, iso) => {
    expect(prometheusDurationSeconds(text)).toBe(seconds);
    expect(prometheusDurationToIso8601(text)).toBe(iso);
  });

  test.each(['5x', '1h1d', '5m5m', '', '1.5h', '-5m', 'm', '5 m', 'PT5M'])(
    '%j is not a Prometheus duration',
    (text) => {
      expect(prometheusDurationMilliseconds(text)).toBeUndefined();
      expect(() => prometheusDurationSeconds(text)).toThrow('is not a Prometheus duration such as 5m or 1h30m');
      expect(prometheusDurationProblem(text)).toBe(
        'not a Prometheus duration such as 5m or 1h30m (units y, w, d, h, m, s in that order, each once)',
      );
    },
  );

  test('milliseconds are a duration to Prometheus, but not to Azure', () => {
    expect(prometheusDurationSeconds('1s500ms')).toBe(1.5);
    expect(() => prometheusDurationToIso8601('500ms')).toThrow(
      '"500ms" has a part of a second; Azure takes whole seconds',
    );
    expect(prometheusDurationProblem('500ms')).toBe('whole seconds, at least 0s (Azure takes no milliseconds)');
  });

  test('bounds and whole minutes', () => {
    const interval = { minSeconds: 60, maxSeconds: 900, wholeMinutes: true };
    expect(prometheusDurationProblem('30s', interval)).toBe('whole minutes, from 1m to 15m');
    expect(prometheusDurationProblem('16m', interval)).toBe('from 1m to 15m');
    expect(prometheusDurationProblem('15m', interval)).toBeUndefined();
    expect(prometheusDurationProblem('25h', { maxSeconds: 86_400 })).toBe('from 0s to 1d');
  });

  test('seconds are written as the shortest duration', () => {
    expect([0, 59, 900, 5400, 86_400, 90_061].map(formatPrometheusDuration)).toEqual([
      '0s',
      '59s',
      '15m',
      '1h30m',
      '1d',
      '1d1h1m1s',
    ]);
    expect(() => formatPrometheusDuration(1.5)).toThrow('a Prometheus duration is a whole number of seconds');
  });
});
