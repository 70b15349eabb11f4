import {
  defineEnvironment,
  defineEnvironments,
  formatIssue,
  formatValue,
  pathKey,
  SpecError,
  type EnvironmentInput,
} from '../../lib/core';
import { ZOD_DEFAULT_PHRASES } from '../../lib/core/spec/zod-issues';
import { ENVIRONMENT_INPUTS } from '../../stacks/environments';
import { dev } from '../../stacks/environments/dev';
import { errorOf } from '../util/fixtures';

/** A deep copy of the dev example environment, to change one field at a time. */
function devCopy(): Record<string, unknown> & EnvironmentInput {
  return structuredClone(dev) as Record<string, unknown> & EnvironmentInput;
}

/** Sets the value at a path (`services[0].cpu`, `tags.owner`) of a spec, creating objects on the way. */
function setAt(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.match(/[^.[\]]+/g)!.map((k) => (/^\d+$/.test(k) ? Number(k) : k));
  let current: Record<string | number, unknown> = target;
  keys.slice(0, -1).forEach((key, i) => {
    if (current[key] === undefined || current[key] === null) current[key] = typeof keys[i + 1] === 'number' ? [] : {};
    current = current[key] as Record<string | number, unknown>;
  });
  current[keys[keys.length - 1]!] = value;
}

/** The SpecError of one environment spec. */
function specError(input: unknown): SpecError {
  const error = errorOf(() => defineEnvironments([input as EnvironmentInput]));
  expect(SpecError.isSpecError(error)).toBe(true);
  return error as SpecError;
}

/** The problems of a spec, as `path: value - message` lines (values rendered as in the error message). */
function problems(input: unknown): string[] {
  return specError(input).issues.map(formatIssue);
}

/** The dev example with one change. */
function devWith(change: (input: Record<string, unknown> & EnvironmentInput) => void): unknown {
  const input = devCopy();
  change(input);
  return input;
}

const FORBIDDEN_KEY =
  'a key other than __proto__, constructor, prototype: JavaScript treats these specially, and a parser drops or misreads them without a word; rename it';
const NUL =
  'a NUL character: command lines, file paths and every program written in C stop reading there, so the rest would be lost; remove it';
const LINE_BREAK =
  'a line break: in a script, a unit file, a header or a log line it starts a new line, which reads as a new command or field';
const CONTROL = 'a control character: invisible, and each tool it reaches reads it differently; remove it';

describe('the example environments', () => {
  test('validate unchanged', () => {
    // Every environment of the list, in its order, with the tier its file gives it.
    expect(defineEnvironments(ENVIRONMENT_INPUTS).map((e) => [e.name, e.tier])).toEqual(
      ENVIRONMENT_INPUTS.map((input) => [input.name, input.tier]),
    );
    expect(ENVIRONMENT_INPUTS.length).toBeGreaterThan(0);
  });
});

describe('keys JavaScript treats specially are refused, never dropped', () => {
  test.each([
    ['tags', 'tags'],
    ['services[1].environment', 'services[1].environment'],
    ['services[1].secrets', 'services[1].secrets'],
    ['jobs[0].environment', 'jobs[0].environment'],
    ['monitoring.alarms', 'monitoring.alarms'],
  ])('__proto__ parsed from JSON in %s is reported at its path', (_, path) => {
    const input = devCopy();
    const record = JSON.parse('{"__proto__": {"enabled": false, "reason": "nobody reads this alarm"}}') as object;
    setAt(input, path, record);
    expect(problems(input)).toContain(
      `dev.${path}.__proto__: {"enabled":false,"reason":"nobody reads this alarm"} - ${FORBIDDEN_KEY}`,
    );
  });

  test('a secret under a computed __proto__ key is reported, not silently lost from both outputs', () => {
    const input = devWith((i) => {
      (i.services![1] as Record<string, unknown>).secrets = { ['__proto__']: 'api-db-password', DB_USER: 'api-db' };
    });
    expect(problems(input)).toEqual([`dev.services[1].secrets.__proto__: "api-db-password" - ${FORBIDDEN_KEY}`]);
  });

  test('an alarm override under a computed __proto__ key is reported', () => {
    const input = devWith((i) => {
      i.monitoring = { ...i.monitoring, alarms: { ['__proto__']: { threshold: 3 } } as never };
    });
    expect(problems(input)).toEqual([`dev.monitoring.alarms.__proto__: {"threshold":3} - ${FORBIDDEN_KEY}`]);
  });

  test.each(['constructor', 'prototype'])('a tag named %s is refused', (key) => {
    expect(problems(devWith((i) => (i.tags = { ...i.tags, [key]: 'x' })))).toEqual([
      `dev.tags.${key}: "x" - ${FORBIDDEN_KEY}`,
    ]);
  });

  test('__proto__ in a fixed object is reported once, not also as an unknown field', () => {
    const input = devWith((i) => {
      i.network = JSON.parse('{"cidr": "10.10.0.0/16", "__proto__": {"zones": 3}}') as typeof i.network;
    });
    expect(problems(input)).toEqual([`dev.network.__proto__: {"zones":3} - ${FORBIDDEN_KEY}`]);
  });

  test('an object whose prototype carries the fields is refused: its fields would be read from the prototype', () => {
    const input = devWith((i) => {
      i.tags = Object.create({ owner: 'platform-team' }) as Record<string, string>;
    });
    expect(problems(input)).toContainEqual(
      'dev.tags: {} - a plain object ({ ... }), not a class instance or an object with another prototype, whose inherited fields would be read as the spec',
    );
  });

  test('nesting deeper than any spec is refused before it is parsed', () => {
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let n = 0; n < 10000; n++) deep = (deep.x = {}) as Record<string, unknown>;
    const lines = problems(devWith((i) => ((i as Record<string, unknown>).tags = { owner: 'x', nested: root })));
    expect(lines).toEqual([
      `dev.tags.nested${'.x'.repeat(31)}: "(nested deeper)" - nested deeper than 32 levels, which no part of the spec is`,
      'dev.tags.nested: {…} - expected a string',
    ]);
  });

  test('a value that contains itself is refused', () => {
    const input = devCopy();
    const tags: Record<string, unknown> = { owner: 'x' };
    tags.self = tags;
    (input as Record<string, unknown>).tags = tags;
    expect(problems(input)).toContain('dev.tags.self: "(itself)" - a value that contains itself');
  });
});

describe('control characters are refused with the character escaped and the reason', () => {
  test('a NUL in a webhook URL', () => {
    expect(
      problems(
        devWith((i) => (i.monitoring = { ...i.monitoring, webhookUrls: ['https://hooks.example.com/\u0000x'] })),
      ),
    ).toEqual([
      `dev.monitoring.webhookUrls[0]: "https://hooks.example.com/\\u0000x" - the value has \\u0000 at character 27, ${NUL}`,
    ]);
  });

  test('a carriage return in the comment of the SSH key', () => {
    const key = `${dev.azure.adminSshPublicKey!}\r`;
    expect(problems(devWith((i) => (i.azure = { ...i.azure, adminSshPublicKey: key })))).toEqual([
      `dev.azure.adminSshPublicKey: ${formatValue(key)} - the value has \\u000d at character ${key.length}, ${LINE_BREAK}; remove it`,
    ]);
  });

  test.each([
    [
      'a newline in a tag value',
      'tags.owner',
      'team\nx',
      `the value has \\u000a at character 5, ${LINE_BREAK}; remove it`,
    ],
    ['DEL in a server name', 'servers[0].name', 'web\u007f', `the value has \\u007f at character 4, ${CONTROL}`],
    [
      'a C1 control in an image',
      'services[0].image',
      'nginx:1\u009b',
      `the value has \\u009b at character 8, ${CONTROL}`,
    ],
    [
      'an escape in an email',
      'monitoring.emails[0]',
      'ops\u001b@example.com',
      `the value has \\u001b at character 4, ${CONTROL}`,
    ],
    [
      'a right-to-left override in a cron expression',
      'jobs[0].schedule.cron',
      '0 3 * * *\u202e',
      'the value has \\u202e at character 10, an invisible formatting character: the text would show differently from what it is; remove it',
    ],
    [
      'half a surrogate pair in a package',
      'servers[0].configuration.packages[0]',
      'nginx\ud800',
      'the value has \\ud800 at character 6, half of a UTF-16 surrogate pair: not valid Unicode, so it cannot be written as UTF-8 unchanged; remove it',
    ],
    [
      'a line separator in a log pattern',
      'monitoring.logPatterns[0].match.text',
      'ERROR\u2028x',
      `the value has \\u2028 at character 6, ${LINE_BREAK}; remove it`,
    ],
  ])('%s', (_, path, value, message) => {
    const input = devCopy();
    if (path.startsWith('monitoring.logPatterns')) {
      input.monitoring = {
        ...input.monitoring,
        logPatterns: [{ name: 'errors', match: { text: 'x' }, threshold: 1, windowMinutes: 5, severity: 'warning' }],
      };
    }
    setAt(input, path, value);
    expect(problems(input)).toEqual([`dev.${path}: ${formatValue(value)} - ${message}`]);
  });

  test('a newline in a key is refused for that reason, and the path shows it escaped', () => {
    expect(problems(devWith((i) => (i.tags = { ...i.tags, 'cost\ncenter': 'x' })))).toEqual([
      `dev.tags.cost\\u000acenter: "x" - the key has \\u000a at character 5, ${LINE_BREAK}; remove it`,
    ]);
  });

  test('a NUL in a file path is refused for that reason', () => {
    const input = devCopy();
    setAt(input, 'servers[0].configuration.files[0].path', '/etc/x\u0000.conf');
    expect(problems(input)).toEqual([
      `dev.servers[0].configuration.files[0].path: "/etc/x\\u0000.conf" - the value has \\u0000 at character 7, ${NUL}`,
    ]);
  });

  test('tabs and line breaks stay allowed where they mean something: file content and variable values', () => {
    const env = defineEnvironment(
      devWith((i) => {
        setAt(i, 'servers[0].configuration.files[0].content', 'a\tb\r\nc\n');
        setAt(i, 'servers[0].configuration.commands', ['echo\tok']);
        setAt(i, 'services[1].environment', { PEM: '-----BEGIN-----\nabc\n-----END-----\n' });
      }) as EnvironmentInput,
    );
    expect(env.servers[0]?.configuration.files[0]?.content).toBe('a\tb\r\nc\n');
    expect(env.services[1]?.environment.PEM).toContain('\n');
  });

  test('a NUL in file content and a line break in a command are still refused', () => {
    const input = devCopy();
    setAt(input, 'servers[0].configuration.files[0].content', 'ok\u0000');
    setAt(input, 'servers[0].configuration.commands', ['echo a\recho b']);
    expect(problems(input)).toEqual([
      `dev.servers[0].configuration.files[0].content: "ok\\u0000" - the value has \\u0000 at character 3, ${NUL.replace('; remove it', '')} (of the control characters, only \\u0009, \\u000a, \\u000d may appear here); remove it`,
      `dev.servers[0].configuration.commands[0]: "echo a\\recho b" - the value has \\u000d at character 7, ${LINE_BREAK} (of the control characters, only \\u0009 may appear here); remove it`,
    ]);
  });
});

describe('values that would read as options or as something else on a command line', () => {
  test.each([
    [
      'a unit named --force',
      'servers[0].configuration.services[0]',
      '--force',
      'a systemd unit such as nginx or app.timer, starting with a letter or digit (systemctl would read "-" at the start as an option or refuse it)',
    ],
    [
      'a unit name of 258 characters',
      'servers[0].configuration.services[0]',
      `${'a'.repeat(250)}.service`,
      "a systemd unit such as nginx or app.timer, of at most 255 characters with its suffix (systemd's limit)",
    ],
    [
      'a command starting with -',
      'servers[0].configuration.commands[0]',
      '-x',
      'a command that does not start with "-": sh -c would read it as options, not as the command',
    ],
    [
      'a command starting with +',
      'servers[0].configuration.commands[0]',
      '+e',
      'a command that does not start with "+": sh -c would read it as options, not as the command',
    ],
    ['a blank command', 'servers[0].configuration.commands[0]', '   ', 'a command, not blank'],
    [
      'an Ansible ref --help',
      'servers[1].ansible.ref',
      '--help',
      'a branch or tag name git accepts: not starting with "-" (git and ansible-pull would read it as an option)',
    ],
    [
      'an Ansible ref main.lock',
      'servers[1].ansible.ref',
      'main.lock',
      'a branch or tag name git accepts: no part ending in ".lock" (the name of git\'s lock files)',
    ],
    [
      'a playbook -e.yml',
      'servers[1].ansible.playbook',
      '-e.yml',
      'a playbook path relative to the repository root, ending in .yml or .yaml, such as site.yml: a path that does not start with "-" (on a command line it would read as an option)',
    ],
    [
      'an image directory with a part starting with -',
      'services[0].image',
      { directory: 'apps/-f', azureReference: 'myacr.azurecr.io/web:1' },
      'a directory relative to the project root, without .., and no part of it starting with "-" (docker build would read it as an option)',
    ],
  ])('%s is refused', (_, path, value, message) => {
    const input = devCopy();
    setAt(input, path, value);
    const at = typeof value === 'object' ? `${path}.directory` : path;
    const shown = typeof value === 'object' ? value.directory : value;
    expect(problems(input)).toEqual([`dev.${at}: ${formatValue(shown)} - ${message}`]);
  });

  test.each([
    ['/etc/nginx/', '/etc/nginx/', 'the path of a file, not ending with / (that names a directory)'],
    ['/', '/', 'the path of a file, not ending with / (that names a directory)'],
    ['/etc//nginx.conf', '/etc//nginx.conf', 'a normalized path: no // (an empty segment)'],
    ['/etc/./nginx.conf', '/etc/./nginx.conf', 'a normalized path: no . segments'],
    ['/etc/../shadow', '/etc/../shadow', 'no .. segments (the path must say where it goes, and stay there)'],
    ['etc/nginx.conf', 'etc/nginx.conf', 'an absolute path, starting with /'],
    ['a segment of 256 bytes', `/etc/${'n'.repeat(256)}`, 'each segment at most 255 bytes (Linux NAME_MAX)'],
    ['a path of 4098 bytes', `/${'a/'.repeat(2048)}x`, 'at most 4095 bytes (Linux PATH_MAX)'],
  ])('file path %s is refused', (_, path, rule) => {
    const input = devCopy();
    setAt(input, 'servers[0].configuration.files[0].path', path);
    expect(problems(input)).toEqual([
      `dev.servers[0].configuration.files[0].path: ${formatValue(path)} - an absolute path without .. segments: ${rule}`,
    ]);
  });

  test('/etc//ansible/ansible.cfg cannot slip past the file the Ansible schedule owns', () => {
    const input = devCopy();
    setAt(input, 'servers[1].configuration', { files: [{ path: '/etc//ansible/ansible.cfg', content: 'x' }] });
    expect(problems(input)).toEqual([
      'dev.servers[1].configuration.files[0].path: "/etc//ansible/ansible.cfg" - an absolute path without .. segments: a normalized path: no // (an empty segment)',
    ]);
  });
});

describe('the limits of the clouds are enforced in the spec, with the limit in the message', () => {
  const registry = 'myacr.azurecr.io/';
  const imageOf = (length: number): string => `${registry}${'a'.repeat(length - registry.length - 2)}:1`;

  test('an image reference of 255 characters is accepted; 256 is refused (ECS)', () => {
    expect(
      defineEnvironment(devWith((i) => setAt(i, 'services[0].image', imageOf(255))) as EnvironmentInput).services[0]!
        .image,
    ).toEqual({ reference: imageOf(255) });
    expect(problems(devWith((i) => setAt(i, 'services[0].image', imageOf(256))))).toEqual([
      `dev.services[0].image: ${formatValue(imageOf(256))} - an image reference such as public.ecr.aws/nginx/nginx:1.27 or myacr.azurecr.io/app@sha256:<64 hex>, with a tag or digest, of at most 255 characters before any @digest (the ECS limit for a container image; Docker's reference grammar allows no longer name); this one has 256`,
    ]);
  });

  test('a digest does not count towards the 255 characters', () => {
    const image = `${imageOf(255)}@sha256:${'a'.repeat(64)}`;
    expect(
      defineEnvironment(devWith((i) => setAt(i, 'services[0].image', image)) as EnvironmentInput).services[0]!.image,
    ).toEqual({ reference: image });
  });

  test('an Azure reference is held to the same limit', () => {
    const reference = imageOf(300);
    expect(
      problems(devWith((i) => setAt(i, 'services[0].image', { directory: 'apps/web', azureReference: reference }))),
    ).toEqual([expect.stringMatching(/^dev\.services\[0\]\.image\.azureReference: .* of at most 255 characters/)]);
  });

  test('a cron expression over 256 characters is refused (EventBridge Scheduler)', () => {
    const cron = `0 3 * * *${' '.repeat(250)}`;
    expect(problems(devWith((i) => setAt(i, 'jobs[0].schedule', { cron })))).toEqual([
      `dev.jobs[0].schedule.cron: ${formatValue(cron)} - at most 256 characters (EventBridge Scheduler's limit for a schedule expression); this one has 259`,
    ]);
  });

  test('a cron expression whose EventBridge form passes 256 characters is refused', () => {
    const list = (n: number): string => Array.from({ length: n }, (_, i) => i).join(',');
    const cron = `${list(60)} ${list(24)} * * 0,1,2,3,4,5,6`;
    expect(cron.length).toBeLessThanOrEqual(256);
    expect(problems(devWith((i) => setAt(i, 'jobs[0].schedule', { cron })))).toEqual([
      `dev.jobs[0].schedule.cron: ${formatValue(cron)} - renders to 271 characters for EventBridge Scheduler, which takes at most 256; use ranges (1-5) instead of lists`,
    ]);
  });

  test('variables that would take the task definition over 64 KiB are refused at environment', () => {
    expect(problems(devWith((i) => setAt(i, 'services[1].environment', { BIG: 'v'.repeat(60 * 1024) })))).toEqual([
      'dev.services[1].environment: "(61,572 bytes)" - variables and secrets of at most 57,344 bytes in all: ECS refuses a task definition over 64 KiB, and the library\'s own fields need the rest; put large values in a file of the image or in a secret',
    ]);
  });

  test.each([
    [
      `${'a'.repeat(65)}@example.com`,
      'an email address such as ops@example.com, with at most 64 characters before the @ (RFC 5321)',
    ],
    [
      `ops@${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(60)}.com`,
      'an email address such as ops@example.com, of at most 254 characters (RFC 5321), not 260',
    ],
  ])('email %#: the local part and the whole address are limited', (email, message) => {
    expect(problems(devWith((i) => setAt(i, 'monitoring.emails', [email])))).toEqual([
      `dev.monitoring.emails[0]: ${formatValue(email)} - ${message}`,
    ]);
  });

  test('an email with a local part of 64 characters is accepted', () => {
    const email = `${'a'.repeat(64)}@example.com`;
    expect(
      defineEnvironment(devWith((i) => setAt(i, 'monitoring.emails', [email])) as EnvironmentInput).monitoring.emails,
    ).toEqual([email]);
  });

  test.each([
    [`https://hooks.example.com/${'x'.repeat(2048)}`, 'an https:// URL of at most 2048 characters, not 2,074'],
    [
      'https://hooks.example.com/a b',
      'an https:// URL with " " percent-encoded: a URL carries no spaces, quotes, < > \\ ^ ` { | } as they are',
    ],
    [
      'https://hooks.example.com\\@evil.example/x',
      'an https:// URL with "\\\\" percent-encoded: a URL carries no spaces, quotes, < > \\ ^ ` { | } as they are',
    ],
    ['http://hooks.example.com/x', 'an https:// URL'],
  ])('webhook %#: refused', (url, message) => {
    expect(problems(devWith((i) => setAt(i, 'monitoring.webhookUrls', [url])))).toEqual([
      `dev.monitoring.webhookUrls[0]: ${formatValue(url)} - ${message}`,
    ]);
  });

  test('a tag key over 128 and a tag value over 256 characters are refused with the limits', () => {
    const key = 'k'.repeat(129);
    expect(problems(devWith((i) => (i.tags = { ...i.tags, [key]: 'v', note: 'n'.repeat(257) })))).toEqual([
      `dev.tags.${'k'.repeat(40)}…(129 characters): "v" - a key of at most 128 characters (AWS allows 128, Azure 512), not 129`,
      `dev.tags.note: ${formatValue('n'.repeat(257))} - a value of at most 256 characters (the limit of both clouds), not 257`,
    ]);
  });

  test('a 100 KB tag key is not echoed whole: the path keeps its first 40 characters and its length', () => {
    const error = specError(devWith((i) => (i.tags = { ...i.tags, ['k'.repeat(102400)]: 'v' })));
    expect(error.issues).toHaveLength(1);
    expect(error.message).toBe(
      `Invalid environment specs (1 problem):\n  - dev.tags.${'k'.repeat(40)}…(102,400 characters): "v" - a key of at most 128 characters (AWS allows 128, Azure 512), not 102,400`,
    );
  });

  test('an alarm id over 128 characters and a reason over 500 are refused', () => {
    const id = `logs/${'a'.repeat(124)}`;
    expect(
      problems(
        devWith((i) =>
          setAt(i, 'monitoring.alarms', {
            [id]: { threshold: 2 },
            'logs/errors': { enabled: false, reason: 'r'.repeat(501) },
          }),
        ),
      ),
    ).toEqual([
      `dev.monitoring.alarms.${id.slice(0, 40)}…(129 characters): {"threshold":2} - an alarm id such as logs/errors, of at most 128 characters`,
      `dev.monitoring.alarms.logs/errors.reason: ${formatValue('r'.repeat(501))} - a reason of at most 500 characters (it is shown in the dashboard header)`,
    ]);
  });

  test('a health check path over 1024 characters is refused', () => {
    const path = `/${'h'.repeat(1024)}`;
    expect(problems(devWith((i) => setAt(i, 'services[1].healthCheckPath', path)))).toEqual([
      `dev.services[1].healthCheckPath: ${formatValue(path)} - at most 1024 characters (the longest health check path a target group takes)`,
    ]);
  });
});

describe('thresholds and periods that cannot make sense are refused', () => {
  test.each([
    ['logs/errors', -5, 'a whole number of at least 1 (this alarm counts events: at 0 or below it would always fire)'],
    ['logs/errors', 0, 'a whole number of at least 1 (this alarm counts events: at 0 or below it would always fire)'],
    [
      'job/nightly-cleanup/failed',
      0.5,
      'a whole number of at least 1 (this alarm counts events: at 0 or below it would always fire)',
    ],
    [
      'server/web/cpu',
      101,
      'a percentage above 0 and at most 100 (this alarm compares a utilization or a rate in percent)',
    ],
    [
      'service/api/5xx-rate',
      0,
      'a percentage above 0 and at most 100 (this alarm compares a utilization or a rate in percent)',
    ],
    ['server/web/availability', 2, 'a fraction above 0 and at most 1 (VM availability is 1 when the VM is available)'],
    ['service/api/latency-p99', 0, 'a response time in seconds, above 0'],
    ['service/api/running-below-desired', -1, 'a whole number of instances, 0 or more'],
    [
      'queue/orders/backlog',
      -1,
      'not negative (every alarm compares a count, a percentage or a duration, which a negative threshold makes always or never fire)',
    ],
  ])('%s with threshold %d', (id, threshold, message) => {
    expect(problems(devWith((i) => setAt(i, 'monitoring.alarms', { [id]: { threshold } })))).toEqual([
      `dev.monitoring.alarms.${id}.threshold: ${threshold} - ${message}`,
    ]);
  });

  test.each([
    ['server/web/cpu', 75],
    ['server/web/availability', 0.5],
    ['service/api/5xx-rate', 0.5],
    ['service/api/running-below-desired', 0],
    ['logs/errors', 50],
  ])('%s with threshold %d is accepted', (id, threshold) => {
    const env = defineEnvironment(
      devWith((i) => setAt(i, 'monitoring.alarms', { [id]: { threshold } })) as EnvironmentInput,
    );
    expect(env.monitoring.alarms[id]).toEqual({ threshold });
  });

  test("a bad threshold is reported with the section's other problems", () => {
    const lines = problems(
      devWith((i) => {
        setAt(i, 'monitoring.alarms', { 'server/web/cpu': { threshold: 101 } });
        setAt(i, 'monitoring.emails', ['not-an-email']);
      }),
    );
    expect(lines.map((l) => l.split(':')[0])).toEqual([
      'dev.monitoring.emails[0]',
      'dev.monitoring.alarms.server/web/cpu.threshold',
    ]);
  });

  test.each([
    [1e9, 'at most 876000 hours (36500 days, the longest AWS Backup Vault Lock grace time, ChangeableForDays)'],
    [71, 'at least 72 hours (AWS Backup Vault Lock minimum)'],
    [72.5, 'a whole number of hours'],
  ])('a lock changeable for %d hours is refused', (hours, message) => {
    expect(problems(devWith((i) => setAt(i, 'backup', { lockChangeableForHours: hours })))).toEqual([
      `dev.backup.lockChangeableForHours: ${formatValue(hours)} - ${message}`,
    ]);
  });

  test('a lock changeable for 876000 hours (36500 days) is accepted', () => {
    const env = defineEnvironment(
      devWith((i) => setAt(i, 'backup', { lockChangeableForHours: 876000 })) as EnvironmentInput,
    );
    expect(env.backup.lockChangeableForHours).toBe(876000);
  });

  test.each([NaN, Infinity, -Infinity])('%d is named as such, not as null', (value) => {
    expect(problems(devWith((i) => setAt(i, 'services[0].port', value)))).toEqual([
      `dev.services[0].port: ${String(value)} - a finite number (${String(value)} is not one)`,
    ]);
  });
});

describe('values checked against each other and against what they name', () => {
  const CERTIFICATE = (region: string, account: string): string =>
    `arn:aws:acm:${region}:${account}:certificate/00000000-0000-0000-0000-000000000000`;

  test('a certificate from another region than the load balancer is refused', () => {
    const arn = CERTIFICATE('us-east-1', '111111111111');
    expect(problems(devWith((i) => setAt(i, 'services[0].awsCertificateArn', arn)))).toEqual([
      `dev.services[0].awsCertificateArn: ${formatValue(arn)} - a certificate in the environment's region (eu-west-1), not us-east-1: ACM certificates are regional, and a load balancer takes only one from its own region; request or import it in eu-west-1`,
    ]);
  });

  test('a certificate of another account is refused', () => {
    const arn = CERTIFICATE('eu-west-1', '999999999999');
    expect(problems(devWith((i) => setAt(i, 'services[0].awsCertificateArn', arn)))).toEqual([
      `dev.services[0].awsCertificateArn: ${formatValue(arn)} - a certificate of the environment's account (111111111111), not 999999999999: ACM certificates cannot be shared between accounts, and a load balancer takes only its own account's; request or import it there`,
    ]);
  });

  test('a certificate of another partition is refused', () => {
    const arn = CERTIFICATE('eu-west-1', '111111111111').replace('arn:aws:', 'arn:aws-cn:');
    expect(problems(devWith((i) => setAt(i, 'services[0].awsCertificateArn', arn)))).toEqual([
      `dev.services[0].awsCertificateArn: ${formatValue(arn)} - an ARN of the aws partition (the environment runs in a commercial AWS region)`,
    ]);
  });

  const RESOURCE_RULE =
    'the ARN of a resource AWS Backup protects (EC2 instance, EBS volume, EFS file system, FSx file system, RDS, Aurora, Neptune or DocumentDB database or cluster, DynamoDB table, Redshift cluster, S3 bucket), such as arn:aws:dynamodb:eu-west-1:111111111111:table/orders';

  test.each([
    'arn:aws:ec2:; reboot #',
    'arn:aws:ec2:eu-west-1:111111111111:instance/i-0123456789abcdef0; reboot',
    'arn:aws:ec2:eu-west-1:111111111111:security-group/sg-01234567',
    'arn:aws:dynamodb:eu-west-1:1111:table/orders',
    'arn:aws:lambda:eu-west-1:111111111111:function:f',
  ])('backup resource %j is refused: not an ARN of a type AWS Backup protects', (arn) => {
    expect(problems(devWith((i) => setAt(i, 'backup', { resources: { aws: [arn] } })))).toEqual([
      `dev.backup.resources.aws[0]: ${formatValue(arn)} - ${RESOURCE_RULE}`,
    ]);
  });

  test('an S3 bucket ARN with a region is refused', () => {
    const arn = 'arn:aws:s3:eu-west-1:111111111111:my-bucket';
    expect(problems(devWith((i) => setAt(i, 'backup', { resources: { aws: [arn] } })))).toEqual([
      `dev.backup.resources.aws[0]: ${formatValue(arn)} - ${RESOURCE_RULE}: an S3 bucket ARN has no region or account (arn:aws:s3:::<bucket>)`,
    ]);
  });

  test.each([
    'arn:aws:ec2:eu-west-1:111111111111:instance/i-0123456789abcdef0',
    'arn:aws:ec2:eu-west-1:111111111111:volume/vol-01234567',
    'arn:aws:elasticfilesystem:eu-west-1:111111111111:file-system/fs-01234567',
    'arn:aws:rds:eu-west-1:111111111111:db:orders-db',
    'arn:aws:rds:eu-west-1:111111111111:cluster:orders',
    'arn:aws:dynamodb:eu-west-1:111111111111:table/orders',
    'arn:aws:s3:::orders-archive',
  ])('backup resource %j is accepted', (arn) => {
    const env = defineEnvironment(
      devWith((i) => setAt(i, 'backup', { resources: { aws: [arn] } })) as EnvironmentInput,
    );
    expect(env.backup.resources.aws).toEqual([arn]);
  });

  test('a backup resource of another region or account is refused', () => {
    const lines = problems(
      devWith((i) =>
        setAt(i, 'backup', {
          resources: {
            aws: [
              'arn:aws:dynamodb:us-east-1:111111111111:table/orders',
              'arn:aws:dynamodb:eu-west-1:222222222222:table/orders',
            ],
          },
        }),
      ),
    );
    expect(lines).toEqual([
      'dev.backup.resources.aws[0]: "arn:aws:dynamodb:us-east-1:111111111111:table/orders" - a resource in the environment\'s region (eu-west-1), not us-east-1: a backup plan selects resources of its own region only',
      'dev.backup.resources.aws[1]: "arn:aws:dynamodb:eu-west-1:222222222222:table/orders" - a resource of the environment\'s account (111111111111), not 222222222222: a backup plan selects resources of its own account only',
    ]);
  });

  test.each([
    '/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm',
    '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg./providers/Microsoft.Compute/virtualMachines/vm',
    '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-',
    '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm;x',
    `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/${'v'.repeat(65)}`,
  ])('Azure VM ID %j is refused', (id) => {
    expect(problems(devWith((i) => setAt(i, 'backup', { resources: { azure: [id] } })))).toEqual([
      `dev.backup.resources.azure[0]: ${formatValue(id)} - a VM resource ID: /subscriptions/<subscription GUID>/resourceGroups/<group>/providers/Microsoft.Compute/virtualMachines/<name>`,
    ]);
  });
});

describe('messages stay human', () => {
  test('formatValue names NaN and Infinity, in objects too', () => {
    expect(formatValue(NaN)).toBe('NaN');
    expect(formatValue(-Infinity)).toBe('-Infinity');
    expect(formatValue({ cpu: NaN, memoryGiB: Infinity })).toBe('{"cpu":NaN,"memoryGiB":Infinity}');
    expect(formatValue(10n)).toBe('10n');
  });

  test('formatValue escapes characters a reader cannot see', () => {
    expect(formatValue('a\u0000b\u007fc\u2028d\u202ee')).toBe('"a\\u0000b\\u007fc\\u2028d\\u202ee"');
  });

  test('formatValue shortens a long value and says how long it was', () => {
    expect(formatValue('x'.repeat(102400))).toBe(`"${'x'.repeat(59)}…(102,400 characters)`);
    expect(formatValue(`${'x'.repeat(57)}\u0000${'y'.repeat(100)}`)).toBe(`"${'x'.repeat(57)}…(158 characters)`);
  });

  test('pathKey escapes control characters and cuts long keys to 40 characters with their length', () => {
    expect(pathKey('a\nb')).toBe('a\\u000ab');
    expect(pathKey('k'.repeat(50))).toBe(`${'k'.repeat(40)}…(50 characters)`);
    expect(pathKey('')).toBe('[""]');
  });
});

/** Bad values over every section: the path, the value and a fragment of the message expected there. */
const CORPUS: ReadonlyArray<readonly [string, unknown, string]> = [
  ['name', 'Dev', 'lowercase letters, digits and single hyphens'],
  ['tier', 'staging', "one of 'development', 'production'"],
  ['aws.account', 111111111111, 'expected a string'],
  ['aws.region', 'mars-1', 'an AWS region with 3 availability zones'],
  ['aws.availabilityZones', ['eu-west-1a'], 'at least 2 availability zones'],
  ['azure.location', 'mars', 'an Azure location with availability zones'],
  ['azure.subscriptionId', 'x', 'a subscription ID'],
  ['azure.keyVaultId', 'kv', 'a Key Vault resource ID'],
  ['azure.backend', { resourceGroupName: 'rg', storageAccountName: 'st', containerName: 'tf' }, '3-24 lowercase'],
  ['tags.owner', 'a<b', 'a tag value of at most 256'],
  ['network.cidr', '8.8.8.0/24', 'a private range'],
  ['network.zones', 4, '2 or 3 zones'],
  ['network.natGateways', 'one', 'expected a number'],
  ['protection.retainData', 'yes', 'expected true or false'],
  ['monitoring.emails', ['x@'], 'an email address'],
  ['monitoring.webhookUrls', ['ftp://x'], 'an https:// URL'],
  ['monitoring.routing', { critical: ['pager'] }, 'one of email, webhook'],
  ['monitoring.logRetentionDays', 7, 'one of 30, 60'],
  [
    'monitoring.logPatterns',
    [{ name: 'x', match: {}, threshold: 1, windowMinutes: 5, severity: 'warning' }],
    '{ text } or { jsonField, min, max }',
  ],
  ['monitoring.alarms', { 'Logs/Errors': { threshold: 1 } }, 'an alarm id such as logs/errors'],
  ['monitoring.alarms', { 'logs/errors': { enabled: 'no' } }, '{ enabled: false, reason } or'],
  ['servers[0].size', 'huge', 'one of small (2 vCPU, 8 GiB)'],
  ['servers[0].os', 'windows', 'an operating system'],
  ['servers[0].count', 0, 'at least 1 server'],
  ['servers[0].diskGiB', 10.5, 'a whole number of GiB'],
  ['servers[0].subnet', 'public', 'one of private'],
  ['servers[0].image', { awsImageId: 'ami-1' }, 'an AMI ID'],
  ['servers[0].configuration.packages', ['-y'], 'a package name'],
  ['servers[0].configuration.files', [{ path: '/x', content: 'x', mode: '999' }], 'an octal mode'],
  ['servers[0].configuration.files', [{ path: '/x', content: 'x', owner: 'root' }], 'user:group'],
  ['servers[1].ansible', { repository: 'https://gitlab.com/a/b', playbook: 'x.yml' }, 'an https://github.com/'],
  ['servers[1].ansible.complianceSeverity', 'urgent', 'one of critical, high, medium, low, unspecified'],
  ['servers[1].ansible.everyMinutes', 5, 'at least 30 minutes'],
  ['patching', { day: 'someday' }, 'one of daily, monday'],
  ['patching', { startHour: -1 }, 'at least 0'],
  ['patching', { durationHours: 9 }, 'at most 3 hours'],
  ['services[0].name', 'Web', 'a kebab-case name'],
  ['services[0].image', 42, 'an image reference with a tag or digest, or { directory, azureReference }'],
  ['services[0].port', 0, 'a port from 1 to 65535'],
  ['services[0].public', 'yes', 'expected true or false'],
  ['services[0].desiredCount', 1000, 'at most 100'],
  ['services[0].autoscaling', { cpuPercent: 99 }, 'a target from 10 to 95 percent'],
  ['services[1].environment', { 'log-level': 'x' }, 'an environment variable name'],
  ['services[1].secrets', { DB: 'a b' }, 'a secret name of 1-127'],
  ['services[0].stack', 12, 'a workload stack from 0 to 11'],
  ['jobs[0].schedule', { every: 5 }, '{ cron: "<5 fields, UTC>" } or { rateMinutes }'],
  ['jobs[0].schedule', { rateMinutes: 5000 }, 'at most 1440 minutes'],
  ['jobs[0].timeoutMinutes', 0, 'at least 1'],
  ['jobs[0].retries', 11, 'at most 10 retries'],
  ['backup.daily', { retentionDays: 0 }, 'at least 1 day'],
  ['backup.monthly', 'yes', '{ retentionDays, coldStorageAfterDays? }, or false'],
  ['backup.window', { startHour: 24 }, 'an hour from 0 to 23'],
  ['backup.lock', 'strict', 'compliance or governance'],
  ['backup.secondRegion', 'mars-1', 'an AWS region'],
  ['backup.restoreTesting', 1, 'expected true or false'],
];

describe('a corpus of bad values over every section', () => {
  test.each(CORPUS)('%s = %j is reported at its path', (path, value, fragment) => {
    const input = devCopy();
    setAt(input, path, value);
    const issues = specError(input).issues;
    // An environment without a valid name is named by its place in the list.
    const at = `${path === 'name' ? 'environments[0]' : 'dev'}.${path}`;
    const mine = issues.filter((i) => i.path === at || i.path.startsWith(`${at}.`) || i.path.startsWith(`${at}[`));
    expect(mine.map((i) => i.message)).toContainEqual(expect.stringContaining(fragment));
  });

  test('all of them together are reported in one SpecError, each at its path', () => {
    const input = devCopy();
    // Where the corpus has several values for one path, the last one is the one given.
    const last = [...new Map(CORPUS.map((row) => [row[0], row])).values()];
    for (const [path, value] of last) setAt(input, path, value);
    const error = specError(input);
    for (const [path, , fragment] of last) {
      expect(error.issues).toContainEqual(
        expect.objectContaining({
          path: expect.stringMatching(new RegExp(`^environments\\[0\\]\\.${path.replace(/[.[\]]/g, '\\$&')}`)),
          message: expect.stringContaining(fragment),
        }),
      );
    }
  });

  test("no message carries zod's own wording, nor the fallback for a rule without a message", () => {
    const inputs: unknown[] = CORPUS.map(([path, value]) => {
      const input = devCopy();
      setAt(input, path, value);
      return input;
    });
    // Wrong types everywhere too: a number for every text, a text for every number.
    inputs.push(
      devWith((i) => {
        setAt(i, 'tags', 5);
        setAt(i, 'network', 'x');
        setAt(i, 'monitoring', []);
        setAt(i, 'servers[0]', 'web');
        setAt(i, 'services[0]', { name: 1, image: {}, cpu: 'x', memoryGiB: null, port: '80' });
        setAt(i, 'jobs[0].schedule', { cron: 5 });
        setAt(i, 'backup', { resources: { aws: [5], azure: [{}] }, monthly: { retentionDays: 'x' } });
      }),
    );
    const messages = inputs.flatMap((input) => specError(input).issues.map((i) => i.message));
    // Every input is refused with at least one message, so the loop below judges something for each.
    expect(messages.length).toBeGreaterThanOrEqual(inputs.length);
    for (const message of messages) {
      for (const phrase of ZOD_DEFAULT_PHRASES) expect(message).not.toMatch(phrase);
      expect(message).not.toContain('a value of another form');
    }
  });

  test('a 100 KB value in any text field is refused at once, with a short message', () => {
    const huge = `x${'y'.repeat(102400)}`;
    const paths = [
      'aws.account',
      'azure.adminSshPublicKey',
      'azure.keyVaultId',
      'tags.owner',
      'network.cidr',
      'monitoring.emails[0]',
      'monitoring.webhookUrls[0]',
      'servers[0].name',
      'servers[0].configuration.packages[0]',
      'servers[0].configuration.services[0]',
      'servers[0].configuration.files[0].path',
      'servers[1].ansible.repository',
      'servers[1].ansible.ref',
      'servers[1].ansible.playbook',
      'services[0].image',
      'services[0].healthCheckPath',
      'services[0].awsCertificateArn',
      'jobs[0].schedule.cron',
      'backup.resources.aws[0]',
      'backup.resources.azure[0]',
    ];
    const input = devCopy();
    for (const path of paths) setAt(input, path, huge);
    const started = Date.now();
    const error = specError(input);
    expect(Date.now() - started).toBeLessThan(2000);
    for (const path of paths) {
      expect(error.issues.map((i) => i.path)).toContain(`dev.${path}`);
    }
    for (const line of error.message.split('\n')) expect(line.length).toBeLessThan(700);
  });
});
