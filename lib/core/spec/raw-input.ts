import { joinPath, pathKey, type SpecIssue } from '../errors';
import { unsafeCharacterProblem } from './text';

/**
 * Keys JavaScript objects treat specially: a parser drops `__proto__` from a record without a word (the value would
 * silently disappear), and an object literal's `__proto__` changes its prototype instead of adding a field.
 */
export const FORBIDDEN_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

/** No part of the spec is nested deeper than this; anything deeper is refused before it is parsed. */
export const MAX_SPEC_DEPTH = 32;

/**
 * Where a control character means something, and so is kept: tabs and line breaks in a file's content (base64 in
 * the user data) and in environment variable values (JSON in the task definition and the Terraform plan); a tab
 * in a shell command. `#` stands for any list index, `*` for any record key.
 */
const MEANINGFUL: ReadonlyArray<{ readonly path: readonly string[]; readonly allowed: string }> = [
  { path: ['servers', '#', 'configuration', 'files', '#', 'content'], allowed: '\t\n\r' },
  { path: ['servers', '#', 'configuration', 'commands', '#'], allowed: '\t' },
  { path: ['services', '#', 'environment', '*'], allowed: '\t\n\r' },
  { path: ['jobs', '#', 'environment', '*'], allowed: '\t\n\r' },
];

type Segment = string | number;

function allowedAt(segments: readonly Segment[]): string {
  const rule = MEANINGFUL.find(
    (r) =>
      r.path.length === segments.length &&
      r.path.every((p, i) => {
        const s = segments[i];
        return p === '#' ? typeof s === 'number' : p === '*' ? typeof s === 'string' : p === s;
      }),
  );
  return rule?.allowed ?? '';
}

/**
 * Problems the schema cannot see, found on the raw input before it is parsed: keys JavaScript treats specially
 * (which record parsing drops silently), control characters in any key or text (outside the few places where they
 * mean something), objects that are not plain (an inherited field would be read as the spec's), values that contain
 * themselves and nesting deeper than any spec. Paths start with `prefix`; keys in them are escaped and shortened.
 */
export function rawInputIssues(input: unknown, prefix: string): SpecIssue[] {
  const out: SpecIssue[] = [];
  const at = (segments: readonly Segment[]): string =>
    joinPath(prefix, ...segments.map((s) => (typeof s === 'number' ? s : pathKey(s))));
  const ancestors = new Set<object>();

  const walk = (value: unknown, segments: Segment[]): void => {
    if (typeof value === 'string') {
      const problem = unsafeCharacterProblem(value, allowedAt(segments));
      if (problem) out.push({ path: at(segments), value, message: problem });
      return;
    }
    if (value === null || typeof value !== 'object') return;
    if (segments.length > MAX_SPEC_DEPTH) {
      out.push({
        path: at(segments),
        value: '(nested deeper)',
        message: `nested deeper than ${MAX_SPEC_DEPTH} levels, which no part of the spec is`,
      });
      return;
    }
    if (ancestors.has(value)) {
      out.push({ path: at(segments), value: '(itself)', message: 'a value that contains itself' });
      return;
    }
    const proto = Object.getPrototypeOf(value) as object | null;
    // A plain object's prototype is Object.prototype, whose own prototype is null (in any realm).
    if (!Array.isArray(value) && proto !== null && Object.getPrototypeOf(proto) !== null) {
      out.push({
        path: at(segments),
        value,
        message:
          'a plain object ({ ... }), not a class instance or an object with another prototype, whose inherited fields would be read as the spec',
      });
      return;
    }
    ancestors.add(value);
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, [...segments, i]));
    } else {
      for (const key of Object.keys(value)) {
        const child = Object.getOwnPropertyDescriptor(value, key)?.value as unknown;
        if (FORBIDDEN_KEYS.includes(key)) {
          out.push({
            path: at([...segments, key]),
            value: child,
            message: `a key other than ${FORBIDDEN_KEYS.join(', ')}: JavaScript treats these specially, and a parser drops or misreads them without a word; rename it`,
          });
          continue;
        }
        const problem = unsafeCharacterProblem(key, '', 'the key');
        if (problem) {
          out.push({ path: at([...segments, key]), value: child, message: problem });
          continue;
        }
        walk(child, [...segments, key]);
      }
    }
    ancestors.delete(value);
  };
  walk(input, []);
  return out;
}

/** True when `path` is `under` or lies below it (`dev.tags.x` is below `dev.tags`; `dev.tagsx` is not). */
export function isAtOrBelow(path: string, under: string): boolean {
  return (
    path === under || path.startsWith(`${under}.`) || path.startsWith(`${under}[`) || (under === '' && path !== '')
  );
}
