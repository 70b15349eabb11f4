import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { endOfOptions, shellQuote, systemdQuote, textProblem, yamlQuote } from '../../lib/core';

/** Values that mean something to a shell, to systemd, to YAML or to a program's option parser. */
const HOSTILE = [
  '--force',
  '-e.yml',
  '--help',
  'x; reboot',
  '$(id)',
  '`id`',
  "it's",
  '"quoted"',
  "'; reboot; '",
  'a\nb',
  '\r\n',
  '\t',
  '%n',
  '%%',
  '$HOME',
  '${HOME}',
  '$$',
  'back\\slash',
  'trailing\\',
  ' spaced ',
  '',
  '*',
  '~root',
  'a=b',
  ';',
  '\\;',
  '&& reboot',
  '| tee /etc/passwd',
  '> /etc/passwd',
  '#comment',
  '!',
  'key: value',
  '- item',
  '{a: b}',
  '[x, y]',
  '&anchor *alias',
  '!!python/object:os.system',
  'é ü 中文 😀',
  '\x7f\x1b[31m\x85\u2028\u2029\ufeff\uffff',
];

describe('textProblem', () => {
  test('any text carries but a NUL and a lone surrogate; a surrogate pair (an emoji) is fine', () => {
    expect(textProblem('nginx -t; echo "$HOME" 😀')).toBeUndefined();
    expect(textProblem('a\0b')).toMatch(/^contains a NUL character/);
    expect(textProblem('a\ud800b')).toMatch(/^contains a lone UTF-16 surrogate/);
  });
});

describe('shellQuote', () => {
  test('puts the value in single quotes, each quote in it closed, escaped and reopened', () => {
    expect(shellQuote('nginx')).toBe("'nginx'");
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('$(id) `id` ; reboot')).toBe("'$(id) `id` ; reboot'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });

  test.each(['sh', 'bash'])('%s reads every quoted value back byte for byte, as one word', (shell) => {
    const script = `printf '%s\\0' ${HOSTILE.map(shellQuote).join(' ')}`;
    const words = execFileSync(shell, ['-c', script], { encoding: 'utf8' }).split('\0');
    expect(words.pop()).toBe('');
    expect(words).toEqual(HOSTILE);
  });

  test('bash -n finds every quoted line well formed', () => {
    const script = HOSTILE.map((v) => `echo ${shellQuote(v)}`).join('\n');
    expect(() => execFileSync('bash', ['-n', '-c', script])).not.toThrow();
  });

  test('refuses a NUL and a lone surrogate, which no shell can carry', () => {
    expect(() => shellQuote('a\0b')).toThrow(/^shellQuote: "a\\u0000b" contains a NUL character/);
    expect(() => shellQuote('\udc00')).toThrow(/^shellQuote: .* contains a lone UTF-16 surrogate/);
  });
});

describe('endOfOptions', () => {
  test('puts -- between the options and the positional arguments', () => {
    expect(endOfOptions(['systemctl', 'enable', '--now'], ['--force'])).toEqual([
      'systemctl',
      'enable',
      '--now',
      '--',
      '--force',
    ]);
    expect(endOfOptions(['sh', '-c'], ['-x'])).toEqual(['sh', '-c', '--', '-x']);
  });

  test('a program that honours -- reads a value like -e.yml as a name, where without it the value is an option', () => {
    const dir = mkdtempSync(join(tmpdir(), 'end-of-options-'));
    try {
      writeFileSync(join(dir, '-e.yml'), 'first\n');
      writeFileSync(join(dir, '--help'), 'second\n');
      const [command, ...args] = endOfOptions(['cat'], ['-e.yml', '--help']);
      expect(execFileSync(command!, args, { cwd: dir, encoding: 'utf8' })).toBe('first\nsecond\n');
      expect(() => execFileSync('cat', ['-e.yml'], { cwd: dir, stdio: 'pipe' })).toThrow(/option/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('sh -c -- runs a command that begins with - or + instead of reading it as options', () => {
    const run = (argv: string[]): string => {
      try {
        return execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', stdio: 'pipe' });
      } catch (error) {
        return String((error as { stderr: string }).stderr);
      }
    };
    expect(run(endOfOptions(['sh', '-c'], ['+x']))).toMatch(/\+x: .*not found/);
    expect(run(['sh', '-c', '+x'])).toMatch(/-c.* requires an argument/);
  });
});

/**
 * How systemd reads one argument of a command line, after systemd.unit(5) and systemd.syntax(7): specifiers first
 * (`%%` is `%`; any other specifier is expanded), then the word is unquoted with C escapes, then `$$` is `$` (and
 * any other `$` a variable).
 */
function systemdUnquote(word: string): string {
  expect(word.replace(/%%/g, '')).not.toContain('%');
  const specified = word.replace(/%%/g, '%');
  let text = specified;
  if (specified.startsWith('"')) {
    expect(specified.endsWith('"') && specified.length >= 2).toBe(true);
    const escapes: Record<string, string> = { '\\': '\\', '"': '"', n: '\n', t: '\t' };
    text = specified
      .slice(1, -1)
      .replace(/\\(x[0-9a-f]{2}|.)/g, (_, e: string) =>
        e.startsWith('x') && e.length === 3 ? String.fromCharCode(parseInt(e.slice(1), 16)) : escapes[e]!,
      );
  } else {
    expect(specified).toMatch(/^[A-Za-z0-9_@+=:,./-]+$/);
  }
  expect(text.replace(/\$\$/g, '')).not.toContain('$');
  return text.replace(/\$\$/g, '$');
}

describe('systemdQuote', () => {
  test.each([
    ['nginx', 'nginx'],
    ['--url=https://github.com/acme/ops', '--url=https://github.com/acme/ops'],
    ['a b', '"a b"'],
    ['100%', '"100%%"'],
    ['%n', '"%%n"'],
    ['$HOME', '"$$HOME"'],
    ['${HOME}', '"$${HOME}"'],
    ['x"y\\z', '"x\\"y\\\\z"'],
    ['a\nb', '"a\\x0ab"'],
    [';', '";"'],
    ['', '""'],
  ])('%j is written %s', (value, word) => {
    expect(systemdQuote(value)).toBe(word);
  });

  test('every value is one word on one line that systemd reads back as the value', () => {
    for (const value of HOSTILE) {
      const word = systemdQuote(value);
      expect(word).not.toMatch(/[\r\n]/);
      expect(systemdUnquote(word)).toBe(value);
    }
  });

  test('refuses a NUL, which no unit file can carry', () => {
    expect(() => systemdQuote('a\0b')).toThrow(/^systemdQuote: .* contains a NUL character/);
  });
});

describe('yamlQuote', () => {
  test('writes JSON strings, with \\u escapes also for DEL, the C1 controls, U+2028 and U+2029', () => {
    expect(yamlQuote('nginx')).toBe('"nginx"');
    expect(yamlQuote('a: b\nc: d')).toBe('"a: b\\nc: d"');
    expect(yamlQuote('say "hi"')).toBe('"say \\"hi\\""');
    expect(yamlQuote('\x7f\x85\u2028')).toBe('"\\u007f\\u0085\\u2028"');
    expect(yamlQuote('😀')).toBe('"😀"');
  });

  test('YAML 1.1 reads every value back as one scalar: none adds a key or an item', () => {
    for (const value of HOSTILE) {
      const document = `key: ${yamlQuote(value)}\nlist:\n  - ${yamlQuote(value)}\nafter: true\n`;
      expect(parse(document, { version: '1.1' })).toEqual({ key: value, list: [value], after: true });
    }
  });

  test('writes no character raw that PyYAML refuses (DEL, C1, U+FFFF) or reads as a line break (NEL, U+2028)', () => {
    const raw = (c: string): boolean => {
      const code = c.charCodeAt(0);
      return code < 0x20 || (code >= 0x7f && code <= 0x9f) || [0x2028, 0x2029, 0xfeff, 0xfffe, 0xffff].includes(code);
    };
    for (const value of HOSTILE) expect(Array.from(yamlQuote(value)).filter(raw)).toEqual([]);
  });

  test('refuses a NUL and a lone surrogate, which the programs reading the YAML cannot use', () => {
    expect(() => yamlQuote('a\0b')).toThrow(/^yamlQuote: .* contains a NUL character/);
    expect(() => yamlQuote('\ud800')).toThrow(/^yamlQuote: .* contains a lone UTF-16 surrogate/);
  });
});
