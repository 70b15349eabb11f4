import { alarmName, AlarmRegistry, defineEnvironment, type AlarmBasics } from '../../lib/core';
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

describe('AlarmRegistry: values that cannot make sense', () => {
  test('a threshold that is not a finite number is refused', () => {
    expect(() => registry().tune('things/count', { ...basics, threshold: NaN })).toThrow(
      'things/count.threshold: NaN - a finite number',
    );
  });

  test('evaluation periods that are not a whole number of at least 1 are refused', () => {
    expect(() => registry().tune('things/count', { ...basics, evaluationPeriods: 0.5 })).toThrow(
      'things/count.evaluationPeriods: 0.5 - a whole number, at least 1',
    );
  });
});

describe('AlarmRegistry: alarms kept per resource', () => {
  test('one id may have several members, each named after its resource', () => {
    const r = registry();
    expect(r.tune('server/web/cpu', basics, '1')).toMatchObject({ threshold: 10, evaluationPeriods: 1 });
    expect(r.tune('server/web/cpu', basics, '2')).toMatchObject({ threshold: 10, evaluationPeriods: 1 });
    expect(alarmName('prod', 'server/web/cpu', '2')).toBe('platform-prod-server.web.cpu.2');
    expect(alarmName('prod', 'server/web/cpu', 'web-1')).toBe('platform-prod-server.web.cpu.web-1');
  });

  test('the same member twice is refused', () => {
    const r = registry();
    r.tune('server/web/cpu', basics, '1');
    expect(() => r.tune('server/web/cpu', basics, '1')).toThrow(
      'Monitoring dev: alarm id "server/web/cpu" with member "1" is registered twice',
    );
  });

  test('an id registered once cannot also have members, nor the other way round', () => {
    const plainFirst = registry();
    plainFirst.tune('server/web/cpu', basics);
    expect(() => plainFirst.tune('server/web/cpu', basics, '1')).toThrow(
      'Monitoring dev: alarm id "server/web/cpu" with member "1" is registered twice',
    );
    const membersFirst = registry();
    membersFirst.tune('server/web/cpu', basics, '1');
    expect(() => membersFirst.tune('server/web/cpu', basics)).toThrow(
      'Monitoring dev: alarm id "server/web/cpu" is registered twice',
    );
  });

  test('an override of the id tunes every member and counts as used', () => {
    const r = registry({ 'server/web/cpu': { threshold: 50, evaluationPeriods: 2 } });
    for (const member of ['1', '2']) {
      expect(r.tune('server/web/cpu', basics, member)).toMatchObject({
        threshold: 50,
        evaluationPeriods: 2,
        description: '50 or more things in 2 periods.',
      });
    }
    expect(r.unusedOverrides()).toEqual([]);
  });

  test('an alarm switched off is off for every member, and listed once', () => {
    const r = registry({ 'server/web/cpu': { enabled: false, reason: 'The batch servers run at full CPU by design' } });
    expect(r.tune('server/web/cpu', basics, '1')).toBeUndefined();
    expect(r.tune('server/web/cpu', basics, '2')).toBeUndefined();
    expect(r.disabled).toEqual(new Map([['server/web/cpu', 'The batch servers run at full CPU by design']]));
  });

  test('a member that is not kebab-case is refused, by alarmName and by tune', () => {
    const message =
      'alarm member "Web_1" of "server/web/cpu": lowercase letters, digits and single hyphens, such as 1 or web-1';
    expect(() => alarmName('prod', 'server/web/cpu', 'Web_1')).toThrow(message);
    expect(() => registry().tune('server/web/cpu', basics, 'Web_1')).toThrow(message);
    expect(() => alarmName('prod', 'server/web/cpu', '')).toThrow('alarm member "" of "server/web/cpu"');
  });
});

describe('AlarmRegistry: alarms of the other cloud', () => {
  test('an override of an id declared elsewhere is not reported as unused', () => {
    const r = registry({ 'server/web/recovery': { threshold: 2 } });
    r.declareElsewhere('server/web/recovery');
    expect(r.unusedOverrides()).toEqual([]);
    expect(r.disabled).toEqual(new Map());
  });

  test('an id declared elsewhere cannot be registered here, nor declared twice', () => {
    const r = registry();
    r.tune('server/web/cpu', basics, '1');
    expect(() => r.declareElsewhere('server/web/cpu')).toThrow(
      'Monitoring dev: alarm id "server/web/cpu" is registered twice',
    );
    r.declareElsewhere('server/web/recovery');
    expect(() => r.declareElsewhere('server/web/recovery')).toThrow(
      'Monitoring dev: alarm id "server/web/recovery" is registered twice',
    );
    expect(() => r.tune('server/web/recovery', basics, '1')).toThrow(
      'Monitoring dev: alarm id "server/web/recovery" with member "1" is registered twice',
    );
  });

  test('an invalid id cannot be declared elsewhere', () => {
    expect(() => registry().declareElsewhere('Server/Web')).toThrow(
      'alarm id "Server/Web": kebab-case words separated by slashes, such as logs/errors',
    );
  });

  test('an unknown override lists the ids declared elsewhere among the known ones', () => {
    const r = registry({ 'server/web/recover': { threshold: 2 } });
    r.tune('server/web/cpu', basics, '1');
    r.declareElsewhere('server/web/recovery');
    expect(r.unusedOverrides()).toEqual([
      'monitoring.alarms.server/web/recover: no alarm has this id, so the override would be ignored; the alarms are server/web/cpu, server/web/recovery',
    ]);
  });
});
