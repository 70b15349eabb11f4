/**
 * Quoting for the places a value meets a command line: a POSIX shell script, a systemd `Exec*` setting, and the
 * YAML of cloud-init user data. Each function makes a value exactly one word (or one scalar) that is read as data.
 * None of them can stop a program from reading a word that begins with `-` as an option: {@link endOfOptions} does
 * that for commands that accept `--`, and a value that reaches a command line someone else builds (cloud-init's
 * package install, ansible-pull's own commands, an AWS document) is refused where it could be read as one.
 */
import { formatValue } from './errors';

/**
 * Why no command line, file name, unit file or user data can carry a value as it is, or undefined when it can:
 * a NUL ends a C string wherever the value lands, and a lone UTF-16 surrogate has no UTF-8 encoding (it would
 * arrive as U+FFFD, another value).
 */
export function textProblem(value: string): string | undefined {
  if (value.includes('\0')) return 'contains a NUL character, which no command line, file name or unit file carries';
  if (/\p{Cs}/u.test(value)) return 'contains a lone UTF-16 surrogate, which has no UTF-8 encoding';
  return undefined;
}

function assertText(value: string, quoting: string): void {
  const problem = textProblem(value);
  if (problem !== undefined) throw new Error(`${quoting}: ${formatValue(value)} ${problem}`);
}

/**
 * Quotes a value as one word of a POSIX shell (sh, dash, bash) that the shell reads as data: the value in single
 * quotes, where nothing is special, and each `'` written as `'\''` (close, an escaped quote, reopen). Spaces,
 * `$`, backticks, `;`, globs, `~`, `#` and newlines all stay literal. Every value is quoted, even a plain one: the
 * same rule everywhere is easier to check than a list of safe characters (a bare `a=b` is an assignment in the
 * first word, a bare `%1` a job). It is the rule cloud-init applies to each element of a `runcmd` list.
 * @throws Error when the value contains a NUL or a lone surrogate, which no shell can carry
 */
export function shellQuote(value: string): string {
  assertText(value, 'shellQuote');
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * An argument list whose positional arguments cannot be read as options: the command with the options the caller
 * wrote, `--`, then the positional arguments. `--` ends the options for every program that follows the POSIX
 * utility syntax guidelines (getopt, Python's argparse, systemctl, sh, dash and bash), so `--force` after it is a
 * name, not a flag. Only for such programs: to any other, `--` is one more argument.
 */
export function endOfOptions(command: readonly string[], positional: readonly string[]): string[] {
  return [...command, '--', ...positional];
}

/** Words systemd passes through as they are: no whitespace, quote, backslash, `%`, `$` or lone `;`. */
const SYSTEMD_PLAIN = /^[A-Za-z0-9_@+=:,./-]+$/;

/**
 * Quotes one argument of a systemd command line (`ExecStart=` and the other `Exec*` settings) so that the program
 * receives exactly the value, as one argument. systemd splits the line itself, no shell is involved, and its rules
 * are its own (systemd.service(5), "Command lines"; systemd.syntax(7); systemd.unit(5), "Specifiers"):
 * - `%` becomes `%%`: specifiers (`%n`, `%h`, ...) are expanded everywhere, inside quotes too;
 * - `$` becomes `$$`: `$FOO` and `${FOO}` are replaced by environment variables, inside quotes too;
 * - a word with anything but letters, digits and `_@+=:,./-` is put in double quotes, where systemd undoes C
 *   escapes: `\` and `"` are escaped, and control characters are written `\xHH` (a raw newline would end the
 *   setting, and the next line could be any other setting). In quotes a lone `;` is an argument, not a separator.
 * A word of those plain characters is left as it is, which keeps unit files readable.
 * @throws Error when the value contains a NUL or a lone surrogate, which no unit file can carry
 */
export function systemdQuote(value: string): string {
  assertText(value, 'systemdQuote');
  if (SYSTEMD_PLAIN.test(value)) return value;
  const escaped = Array.from(value, (c) => {
    if (c === '\\' || c === '"') return `\\${c}`;
    const code = c.charCodeAt(0);
    return code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : c;
  }).join('');
  return `"${escaped.replace(/%/g, '%%').replace(/\$/g, '$$$$')}"`;
}

/**
 * A YAML double-quoted scalar holding exactly the value, for cloud-init's YAML 1.1 parser (PyYAML). It is JSON's
 * string syntax, which YAML shares, with `\uXXXX` escapes also for what PyYAML refuses or folds when written raw:
 * DEL, the C1 controls (among them NEL, a YAML line break), U+2028 and U+2029 (line breaks too), the byte-order
 * mark and the non-characters U+FFFE and U+FFFF. A newline, a quote or `: ` in the value stays inside the scalar:
 * it can neither end it nor add a key or a list item.
 * @throws Error when the value contains a NUL or a lone surrogate, which no program reading the YAML can use
 */
export function yamlQuote(value: string): string {
  assertText(value, 'yamlQuote');
  return JSON.stringify(value).replace(
    /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
