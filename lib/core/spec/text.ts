/**
 * Rules for text that leaves the spec: values that reach a command line, a unit file, a script, a file path, a
 * resource name or a URL. Each returns what is wrong in words, or undefined when the text is safe there.
 */
import { z } from 'zod';
import { escapeCharacter } from '../errors';

/**
 * A string schema whose rule is a function returning what is wrong: one message per value, and checks that are
 * cheap on a huge value (a length test first) before any pattern runs.
 * @param message what is allowed, for a value that is not a string
 */
export function textSchema(message: string, problem: (text: string) => string | undefined): z.ZodType<string, string> {
  return z.string({ error: message }).superRefine((text, ctx) => {
    const found = problem(text);
    if (found) ctx.addIssue({ code: 'custom', input: text, message: found });
  });
}

/** Where a character that cannot be trusted sits, and why it cannot be. */
export interface UnsafeCharacter {
  /** The character, escaped (`\u0000`). */
  readonly escaped: string;
  /** Its position, from 1. */
  readonly position: number;
  /** What it is and what it would do. */
  readonly why: string;
}

const LINE_BREAKS = new Set([0x0a, 0x0b, 0x0c, 0x0d, 0x85, 0x2028, 0x2029]);

/**
 * The first character of `text` that no tool reads the same way: C0 controls (NUL, line breaks, escape, ...),
 * DEL, C1 controls, Unicode line and paragraph separators, bidirectional controls, the byte order mark and
 * unpaired UTF-16 surrogates. `allowed` lists characters that are meaningful where the text goes (a tab and line
 * breaks in a file's content).
 */
export function unsafeCharacter(text: string, allowed = ''): UnsafeCharacter | undefined {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    }
    const why = describe(code);
    if (why === undefined || allowed.includes(text[i]!)) continue;
    return { escaped: escapeCharacter(text[i]!), position: i + 1, why };
  }
  return undefined;
}

function describe(code: number): string | undefined {
  if (code === 0) {
    return 'a NUL character: command lines, file paths and every program written in C stop reading there, so the rest would be lost';
  }
  if (LINE_BREAKS.has(code)) {
    return 'a line break: in a script, a unit file, a header or a log line it starts a new line, which reads as a new command or field';
  }
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) {
    return 'a control character: invisible, and each tool it reaches reads it differently';
  }
  if ((code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069) || code === 0xfeff) {
    return 'an invisible formatting character: the text would show differently from what it is';
  }
  if (code >= 0xd800 && code <= 0xdfff) {
    return 'half of a UTF-16 surrogate pair: not valid Unicode, so it cannot be written as UTF-8 unchanged';
  }
  return undefined;
}

/**
 * The message for an unsafe character: `the value has \u0000 at character 12, a NUL character: ...`.
 * @param subject what holds the character, for the message (`the value`, `the key`)
 */
export function unsafeCharacterProblem(text: string, allowed = '', subject = 'the value'): string | undefined {
  const found = unsafeCharacter(text, allowed);
  if (!found) return undefined;
  const kept = allowed
    ? ` (of the control characters, only ${[...allowed].map(escapeCharacter).join(', ')} may appear here)`
    : '';
  return `${subject} has ${found.escaped} at character ${found.position}, ${found.why}${kept}; remove it`;
}

/** Linux PATH_MAX (4096 bytes with the terminating NUL) and NAME_MAX (255 bytes per path segment). */
const PATH_MAX = 4095;
const NAME_MAX = 255;

/** What is wrong with the segments of a slash-separated path: empty ones, `.` and `..`, and overlong ones. */
function segmentProblem(path: string): string | undefined {
  const segments = path.split('/');
  if (segments.includes('..')) return 'no .. segments (the path must say where it goes, and stay there)';
  if (segments.includes('.')) return 'a normalized path: no . segments';
  if (path.includes('//')) return 'a normalized path: no // (an empty segment)';
  if (segments.some((s) => Buffer.byteLength(s, 'utf8') > NAME_MAX)) {
    return `each segment at most ${NAME_MAX} bytes (Linux NAME_MAX)`;
  }
  return undefined;
}

/**
 * An absolute, normalized path of a file: starting with `/`, no `//`, `.` or `..` segments, not ending with `/`
 * (a directory), within Linux PATH_MAX and NAME_MAX. Control characters are refused by the spec's raw-input pass.
 */
export function absoluteFilePathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return 'an absolute path, starting with /';
  if (Buffer.byteLength(path, 'utf8') > PATH_MAX) return `at most ${PATH_MAX} bytes (Linux PATH_MAX)`;
  if (path.endsWith('/')) return 'the path of a file, not ending with / (that names a directory)';
  return segmentProblem(path);
}

/**
 * A normalized path relative to a root (a playbook in its repository): not absolute, not starting with `-` (it
 * reaches command lines as an argument, where it would read as an option), no `//`, `.` or `..` segments.
 */
export function relativePathProblem(path: string): string | undefined {
  if (path.startsWith('/')) return 'a path relative to the root, not starting with /';
  if (path.startsWith('-')) return 'a path that does not start with "-" (on a command line it would read as an option)';
  if (Buffer.byteLength(path, 'utf8') > PATH_MAX) return `at most ${PATH_MAX} bytes (Linux PATH_MAX)`;
  if (path.endsWith('/')) return 'the path of a file, not ending with /';
  return segmentProblem(path);
}

/** The longest ref the spec takes (git has no fixed limit; the ref reaches a unit file and an SSM parameter). */
export const MAX_GIT_REF_LENGTH = 100;

/**
 * A branch or tag name by git's `check-ref-format` rules, narrowed to the characters that are safe unquoted on a
 * command line and in a unit file (letters, digits, `.`, `_`, `/`, `-`): no `..`, no component starting with `.`
 * or ending in `.lock`, not starting with `-` or `/`, not ending with `/` or `.`, no `//`, not `@`.
 * @see https://git-scm.com/docs/git-check-ref-format
 */
export function gitRefProblem(ref: string): string | undefined {
  const rule = (what: string): string => `a branch or tag name git accepts: ${what}`;
  if (ref.length === 0) return rule('not empty, such as main or v1.2.0');
  if (ref.length > MAX_GIT_REF_LENGTH) return rule(`at most ${MAX_GIT_REF_LENGTH} characters`);
  if (ref.startsWith('-')) return rule('not starting with "-" (git and ansible-pull would read it as an option)');
  const bad = /[^A-Za-z0-9._/-]/.exec(ref);
  if (bad) {
    return rule(
      `letters, digits and . _ / - only; ${JSON.stringify(bad[0])} is refused (git forbids spaces, ~ ^ : ? * [ \\ and @{, and the ref reaches a command line unquoted)`,
    );
  }
  if (ref === '@') return rule('not "@" alone (git reads it as HEAD)');
  if (ref.includes('..')) return rule('no ".." (git reads it as a range of commits)');
  if (ref.startsWith('/') || ref.endsWith('/')) return rule('not starting or ending with "/"');
  if (ref.includes('//')) return rule('no "//"');
  if (ref.endsWith('.')) return rule('not ending with "."');
  const components = ref.split('/');
  if (components.some((c) => c.startsWith('.'))) return rule('no part starting with "."');
  if (components.some((c) => c.endsWith('.lock'))) {
    return rule('no part ending in ".lock" (the name of git\'s lock files)');
  }
  return undefined;
}

/** systemd's limit on a unit name, suffix included. */
export const MAX_UNIT_NAME_LENGTH = 255;

/**
 * A systemd unit name as `systemctl enable --now` receives it: letters, digits and `@ _ . : -`, starting with a
 * letter or digit (a leading `-` reads as an option), at most 255 characters with its suffix.
 * @see https://www.freedesktop.org/software/systemd/man/latest/systemd.unit.html
 */
export function unitNameProblem(name: string): string | undefined {
  const rule = 'a systemd unit such as nginx or app.timer';
  if (name.length === 0) return rule;
  if (name.length > MAX_UNIT_NAME_LENGTH) {
    return `${rule}, of at most ${MAX_UNIT_NAME_LENGTH} characters with its suffix (systemd's limit)`;
  }
  if (/^[^A-Za-z0-9]/.test(name)) {
    return `${rule}, starting with a letter or digit (systemctl would read ${JSON.stringify(name[0])} at the start as an option or refuse it)`;
  }
  if (/[^A-Za-z0-9@_.:-]/.test(name)) return `${rule}: letters, digits and @ _ . : - only`;
  return undefined;
}

/**
 * A shell command run as `sh -c <command>`: one that starts with `-` or `+` would be read by sh as options, not
 * as the command; a blank one does nothing.
 */
export function shellCommandProblem(command: string): string | undefined {
  if (command.trim() === '') return 'a command, not blank';
  if (/^[-+]/.test(command)) {
    return `a command that does not start with ${JSON.stringify(command[0])}: sh -c would read it as options, not as the command`;
  }
  return undefined;
}
