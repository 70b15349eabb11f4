import { duration, factsOf, parseDescription, scheduleWords } from '../../lib/report/facts';
import { readCdkOut, readCdktfOut, type SynthesizedStack } from '../../lib/review/outputs';
import { sharedSynthesis } from '../util/shared-synthesis';

let stacks: SynthesizedStack[];

beforeAll(async () => {
  const { cdkOut, cdktfOut } = await sharedSynthesis('plain');
  stacks = [...readCdkOut(cdkOut), ...readCdktfOut(cdktfOut)];
});

describe('parseDescription', () => {
  test('reads the severity, the meaning and the first response the alarm registry writes', () => {
    expect(parseDescription('[critical] The API is down. First response: Check the deployment.')).toEqual({
      severity: 'critical',
      text: 'The API is down.',
      firstResponse: 'Check the deployment.',
    });
  });

  test('reads a first response without a severity', () => {
    expect(parseDescription('Node is not ready. First response: Drain it.')).toEqual({
      text: 'Node is not ready.',
      firstResponse: 'Drain it.',
    });
  });

  test('keeps a description in another form as it is', () => {
    expect(parseDescription('written by hand')).toEqual({ text: 'written by hand' });
  });
});

test.each([
  [60, '1 min'],
  [300, '5 min'],
  [3600, '1 h'],
  [86400, '1 d'],
  [90, '90 s'],
])('duration(%i) is %s', (seconds, text) => {
  expect(duration(seconds)).toBe(text);
});

test.each([
  ['rate(1 minute)', 'every minute'],
  ['rate(5 minutes)', 'every 5 minutes'],
  ['cron(0 5 ? * * *)', 'daily at 05:00 UTC (cron(0 5 ? * * *))'],
  ['cron(30 1 ? * SUN *)', 'weekly on Sunday at 01:30 UTC (cron(30 1 ? * SUN *))'],
  ['cron(0 1 ? * 4 *)', 'weekly on Wednesday at 01:00 UTC (cron(0 1 ? * 4 *))'],
  ['cron(0 1 1 * ? *)', 'monthly on day 1 at 01:00 UTC (cron(0 1 1 * ? *))'],
  ['* * * * *', 'every minute (* * * * *)'],
  ['*/15 * * * *', 'every 15 minutes (*/15 * * * *)'],
  ['0 3 * * 3', 'weekly on Wednesday at 03:00 UTC (0 3 * * 3)'],
  ['cron(0 8-18 ? * MON-FRI *)', 'cron(0 8-18 ? * MON-FRI *)'],
])('scheduleWords(%s) is %s', (expression, words) => {
  expect(scheduleWords(expression)).toBe(words);
});

describe('factsOf', () => {
  test('reads only the stacks of the cloud it is asked for', () => {
    const prod = stacks.filter((s) => s.environment === 'prod');
    expect(factsOf(prod, 'aws').alarms.filter((a) => a.resource.includes('azurerm_'))).toEqual([]);
    expect(factsOf(prod, 'azure').alarms.filter((a) => !a.resource.includes('azurerm_'))).toEqual([]);
  });

  test('lists each kind of fact in a stable order, whatever the order of the stacks', () => {
    const prod = stacks.filter((s) => s.environment === 'prod');
    for (const cloud of ['aws', 'azure'] as const) {
      expect(factsOf([...prod].reverse(), cloud)).toEqual(factsOf(prod, cloud));
      const ids = factsOf(prod, cloud).alarms.map((a) => a.id);
      expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    }
  });

  test('the delivery pipeline has no alarm, check or backup plan, and its acknowledgements', () => {
    const delivery = factsOf(
      stacks.filter((s) => s.environment === 'delivery'),
      'aws',
    );
    expect([delivery.alarms.length, delivery.checks.length, delivery.backup.length]).toEqual([0, 0, 0]);
    expect(delivery.acknowledgements.length).toBeGreaterThan(0);
  });
});
