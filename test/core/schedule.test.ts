import { parseCron, renderAwsSchedule, renderAzureSchedule, scheduleProblems } from '../../lib/core';

/** The message for a rate that one of the clouds cannot run. */
const RATE_RULE =
  'a rate both clouds can run: 1-59 minutes dividing an hour (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30), whole hours dividing a day (60, 120, 180, 240, 360, 480, 720) or 1440 (daily); for anything else write a cron expression';

describe('parseCron: valid expressions', () => {
  test.each([
    ['numbers', '0 3 * * *'],
    ['ranges', '0-30 9-17 1-15 1-6 *'],
    ['lists', '0,15,30,45 8,20 * * *'],
    ['steps from *', '*/15 */2 * */3 *'],
    ['steps over a range', '1-5/2 0-12/4 * * *'],
    ['month names', '0 0 1 JAN,JUL *'],
    ['day-of-week names', '0 18 * * MON-FRI'],
    ['lower-case names', '0 18 * jan-mar mon,wed'],
    ['the largest value of each field', '59 23 31 12 *'],
    ['the smallest value of each field', '0 0 1 1 *'],
    ['Sunday as 0 and Saturday as 6', '0 0 * * 0,6'],
    ['extra whitespace between fields', '  0   3 *  * *  '],
  ])('%s parse: %s', (_, expression) => {
    expect(parseCron(expression).problems).toEqual([]);
  });

  test('the parsed fields keep the text, upper-case names, and mark * as unrestricted', () => {
    expect(parseCron('*/15 1-5/2 * jan-mar mon-fri')).toEqual({
      cron: {
        minute: { unrestricted: false, text: '*/15' },
        hour: { unrestricted: false, text: '1-5/2' },
        dayOfMonth: { unrestricted: true, text: '*' },
        month: { unrestricted: false, text: 'JAN-MAR' },
        dayOfWeek: { unrestricted: false, text: 'MON-FRI' },
      },
      problems: [],
    });
  });
});

describe('parseCron: invalid expressions name the field and what it allows', () => {
  test.each([
    [
      'four fields',
      '0 3 * *',
      'five fields (minute hour day-of-month month day-of-week, UTC), such as "0 3 * * *"; got 4',
    ],
    [
      'six fields (the AWS form)',
      '0 3 * * ? *',
      'five fields (minute hour day-of-month month day-of-week, UTC), such as "0 3 * * *"; got 6',
    ],
    [
      'an empty expression',
      '',
      'five fields (minute hour day-of-month month day-of-week, UTC), such as "0 3 * * *"; got 1',
    ],
    ['minute 60', '60 * * * *', 'minute "60": values 0-59'],
    ['hour 24', '0 24 * * *', 'hour "24": values 0-23'],
    ['day of month 0', '0 0 0 * *', 'day of month "0": values 1-31'],
    ['day of month 32', '0 0 32 * *', 'day of month "32": values 1-31'],
    ['month 13', '0 0 1 13 *', 'month "13": values 1-12 or JAN-DEC'],
    ['month 0', '0 0 1 0 *', 'month "0": values 1-12 or JAN-DEC'],
    ['day of week 7', '0 0 * * 7', 'day of week "7": values 0-6 or SUN-SAT'],
    ['an unknown month name', '0 0 1 FOO *', 'month "FOO": values 1-12 or JAN-DEC'],
    ['a day name in the minute field', 'MON * * * *', 'minute "MON": values 0-59'],
    ['a step of 0', '*/0 * * * *', 'minute "*/0": a step from 1 to 59'],
    ['a step larger than the field', '0 */24 * * *', 'hour "*/24": a step from 1 to 23'],
    ['a step that is not a number', '*/x * * * *', 'minute "*/x": a step from 1 to 59'],
    ['two steps', '1//2 * * * *', 'minute "1//2": one value, range or step'],
    ['a reversed range', '0 17-9 * * *', 'hour "17-9": a range from low to high'],
    ['a reversed range of names', '0 0 * * FRI-MON', 'day of week "FRI-MON": a range from low to high'],
    ['a range of three bounds', '1-2-3 * * * *', 'minute "1-2-3": one value or a range a-b'],
    ['an empty list item', '1,,2 * * * *', 'minute "": one value, range or step'],
    ['garbage', 'abc * * * *', 'minute "abc": values 0-59'],
    ['a negative number', '-1 * * * *', 'minute "-1": values 0-59'],
  ])('%s: %s', (_, expression, problem) => {
    expect(parseCron(expression)).toEqual({ problems: [problem] });
  });

  test('every bad item of every field is reported, in field order', () => {
    expect(parseCron('60,61 24 * 13 *').problems).toEqual([
      'minute "60": values 0-59',
      'minute "61": values 0-59',
      'hour "24": values 0-23',
      'month "13": values 1-12 or JAN-DEC',
    ]);
  });

  test('day of month and day of week both restricted is refused: EventBridge cannot say "either"', () => {
    expect(parseCron('0 3 1 * MON')).toEqual({
      problems: [
        'day of month and day of week cannot both be restricted (EventBridge Scheduler cannot express it); keep one "*"',
      ],
    });
  });

  test('a step in day of week is refused: EventBridge has none there', () => {
    expect(parseCron('0 3 * * */2').problems).toEqual([expect.stringMatching(/^day of week "\*\/2": /)]);
  });
});

describe('renderAwsSchedule: cron', () => {
  test.each([
    ['every day: ? in day of week, year *', '0 3 * * *', 'cron(0 3 * * ? *)'],
    ['a day of month: ? in day of week', '0 0 1 * *', 'cron(0 0 1 * ? *)'],
    ['a day of week: ? in day of month', '0 18 * * 1', 'cron(0 18 ? * MON *)'],
    ['Sunday is 0 in the neutral form and SUN on AWS', '0 0 * * 0', 'cron(0 0 ? * SUN *)'],
    ['Saturday is 6 in the neutral form and SAT on AWS', '0 0 * * 6', 'cron(0 0 ? * SAT *)'],
    ['a range of days by name', '0 18 * * 1-5', 'cron(0 18 ? * MON-FRI *)'],
    ['a list of days by name', '0 0 * * 0,3,6', 'cron(0 0 ? * SUN,WED,SAT *)'],
    ['names are kept and upper-cased', '0 18 * * mon-fri', 'cron(0 18 ? * MON-FRI *)'],
    ['a mixed list of numbers and names', '0 9 * * 1,WED,5', 'cron(0 9 ? * MON,WED,FRI *)'],
    ['minute steps start at 0', '*/15 * * * *', 'cron(0/15 * * * ? *)'],
    ['hour steps start at 0', '0 */6 * * *', 'cron(0 0/6 * * ? *)'],
    ['day-of-month steps start at 1', '0 0 */2 * *', 'cron(0 0 1/2 * ? *)'],
    ['month steps start at 1', '0 0 1 */3 *', 'cron(0 0 1 1/3 ? *)'],
    ['a step in a list item after a value', '5,*/20 * * * *', 'cron(5,0/20 * * * ? *)'],
    ['a step over a range is kept', '1-5/2 * * * *', 'cron(1-5/2 * * * ? *)'],
    ['month names', '0 9 1 jan,jul *', 'cron(0 9 1 JAN,JUL ? *)'],
  ])('%s: %s -> %s', (_, cron, expected) => {
    expect(renderAwsSchedule({ cron })).toBe(expected);
  });

  test('an invalid expression throws with its problems', () => {
    expect(() => renderAwsSchedule({ cron: '0 24 * * *' })).toThrow(
      'schedule.cron "0 24 * * *": hour "24": values 0-23',
    );
  });
});

describe('renderAwsSchedule: rate', () => {
  test.each([
    [1, 'rate(1 minute)'],
    [15, 'rate(15 minutes)'],
    [90, 'rate(90 minutes)'],
    [60, 'rate(1 hour)'],
    [120, 'rate(2 hours)'],
    [720, 'rate(12 hours)'],
    [1440, 'rate(1 day)'],
    // The spec allows at most 1440 minutes; the renderer itself has no upper bound.
    [2880, 'rate(2 days)'],
  ])('%i minutes -> %s', (rateMinutes, expected) => {
    expect(renderAwsSchedule({ rateMinutes })).toBe(expected);
  });
});

describe('renderAzureSchedule: cron', () => {
  test.each([
    ['five fields are kept as written', '0 3 * * *', '0 3 * * *'],
    ['steps are kept from *', '*/15 */2 * * *', '*/15 */2 * * *'],
    ['no ? in day of month', '0 18 * * 1-5', '0 18 * * 1-5'],
    ['names are upper-cased', '0 9 * jan mon-fri', '0 9 * JAN MON-FRI'],
    ['whitespace is normalized', '  0   3 *  * *  ', '0 3 * * *'],
  ])('%s: %s -> %s', (_, cron, expected) => {
    expect(renderAzureSchedule({ cron })).toBe(expected);
  });

  test('an invalid expression throws with its problems', () => {
    expect(() => renderAzureSchedule({ cron: '0 3 1 * MON' })).toThrow(
      'schedule.cron "0 3 1 * MON": day of month and day of week cannot both be restricted (EventBridge Scheduler cannot express it); keep one "*"',
    );
  });
});

describe('renderAzureSchedule: rate', () => {
  test.each([
    [1, '* * * * *'],
    [2, '*/2 * * * *'],
    [3, '*/3 * * * *'],
    [4, '*/4 * * * *'],
    [5, '*/5 * * * *'],
    [6, '*/6 * * * *'],
    [10, '*/10 * * * *'],
    [12, '*/12 * * * *'],
    [15, '*/15 * * * *'],
    [20, '*/20 * * * *'],
    [30, '*/30 * * * *'],
    [60, '0 * * * *'],
    [120, '0 */2 * * *'],
    [180, '0 */3 * * *'],
    [240, '0 */4 * * *'],
    [360, '0 */6 * * *'],
    [480, '0 */8 * * *'],
    [720, '0 */12 * * *'],
    [1440, '0 0 * * *'],
  ])('every %i minutes -> %s', (rateMinutes, expected) => {
    expect(renderAzureSchedule({ rateMinutes })).toBe(expected);
    // The cron form is itself a valid neutral expression.
    expect(parseCron(expected).problems).toEqual([]);
  });

  test.each([7, 45, 90, 300, 0, 2880])('%i minutes has no cron form and is refused with the rates allowed', (n) => {
    expect(() => renderAzureSchedule({ rateMinutes: n })).toThrow(`schedule.rateMinutes ${n}: ${RATE_RULE}`);
  });
});

describe('scheduleProblems', () => {
  test('a valid cron expression has none', () => {
    expect(scheduleProblems({ cron: '30 2 * * MON-FRI' })).toEqual([]);
  });

  test('an invalid cron expression has the parser problems', () => {
    expect(scheduleProblems({ cron: '60 24 * * *' })).toEqual(['minute "60": values 0-59', 'hour "24": values 0-23']);
  });

  test.each([7, 45, 90, 300, 0, 1441])('a rate of %i minutes is refused with the rates allowed', (rateMinutes) => {
    expect(scheduleProblems({ rateMinutes })).toEqual([RATE_RULE]);
  });

  test('the rates accepted from 1 to 1440 minutes are exactly those the message lists', () => {
    const accepted = Array.from({ length: 1440 }, (_, i) => i + 1).filter(
      (rateMinutes) => scheduleProblems({ rateMinutes }).length === 0,
    );
    expect(accepted).toEqual([1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60, 120, 180, 240, 360, 480, 720, 1440]);
  });

  test('a fractional rate is refused', () => {
    expect(scheduleProblems({ rateMinutes: 7.5 })).toEqual([RATE_RULE]);
  });

  test('an expression over 256 characters is refused with the EventBridge Scheduler limit, before it is parsed', () => {
    const cron = `0 3 * * *${' '.repeat(300)}`;
    expect(parseCron(cron).problems).toEqual([
      "at most 256 characters (EventBridge Scheduler's limit for a schedule expression); this one has 309",
    ]);
  });

  test('an expression whose EventBridge form is over 256 characters is refused', () => {
    const list = (n: number): string => Array.from({ length: n }, (_, i) => i).join(',');
    const cron = `${list(60)} ${list(24)} * * 0,1,2,3,4,5,6`;
    expect(renderAwsSchedule({ cron })).toHaveLength(271);
    expect(scheduleProblems({ cron })).toEqual([
      'renders to 271 characters for EventBridge Scheduler, which takes at most 256; use ranges (1-5) instead of lists',
    ]);
  });
});
