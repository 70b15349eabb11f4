import { AlarmRegistry, defineEnvironment, type AlarmBasics } from '../../lib/core';
import { devInput, errorOf } from '../util/fixtures';

const basics: AlarmBasics = {
  threshold: 10,
  severity: 'warning',
  description: ({ threshold, evaluationPeriods }) => `${threshold} or more things in ${evaluationPeriods} periods.`,
  firstResponse: 'Look at the things and count them again.',
};

function registry(alarms: Record<string, unknown> = {}): AlarmRegistry {
  const env = defineEnvironment({ ...devInput(), monitoring: { alarms: alarms as never } });
  return new AlarmRegistry(env.name, env.monitoring);
}

describe('AlarmRegistry', () => {
  test('applies the tuning before the description is written, and defaults to one period', () => {
    expect(registry().tune('things/count', basics)).toMatchObject({
      description: '10 or more things in 1 periods.',
      evaluationPeriods: 1,
    });
    expect(
      registry({ 'things/count': { threshold: 3, evaluationPeriods: 2, severity: 'critical' } }).tune(
        'things/count',
        basics,
      ),
    ).toMatchObject({
      threshold: 3,
      evaluationPeriods: 2,
      severity: 'critical',
      description: '3 or more things in 2 periods.',
    });
  });

  test('an alarm switched off is recorded with its reason and shown in the header', () => {
    const r = registry({ 'things/count': { enabled: false, reason: 'Nobody counts things in development' } });
    expect(r.tune('things/count', basics)).toBeUndefined();
    expect(r.disabled).toEqual(new Map([['things/count', 'Nobody counts things in development']]));
    expect(r.header()).toContain('Switched off in the spec: `things/count` (Nobody counts things in development).');
    expect(AlarmRegistry.describe({ severity: 'critical', description: 'Bad.', firstResponse: 'Fix it.' })).toBe(
      '[critical] Bad. First response: Fix it.',
    );
  });

  test('refuses a second registration and an alarm that does not explain itself; reports unknown overrides', () => {
    const r = registry({ 'things/other': { threshold: 1 } });
    r.tune('things/count', basics);
    expect(() => r.tune('things/count', basics)).toThrow('Monitoring dev: alarm id "things/count" is registered twice');
    expect(
      errorOf(() => r.tune('things/short', { ...basics, description: 'bad', firstResponse: 'look' })).message,
    ).toMatch(
      /things\/short\.description: "bad" - a sentence saying what it means[\s\S]*things\/short\.firstResponse: "look" - a sentence saying what to do first/,
    );
    expect(r.unusedOverrides()).toEqual([
      'monitoring.alarms.things/other: no alarm has this id, so the override would be ignored; the alarms are things/count, things/short',
    ]);
  });
});
