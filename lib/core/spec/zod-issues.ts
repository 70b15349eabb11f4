import type { z } from 'zod';
import { joinPath, pathKey, type SpecIssue } from '../errors';

type PathKey = PropertyKey;

/** Converts zod issues to SpecIssues: one per problem, with the received value and what is allowed. */
export function zodIssuesToSpecIssues(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  schema: z.ZodType,
  prefix: string,
): SpecIssue[] {
  const out: SpecIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeys(schema, issue.path);
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        out.push({
          path: render(prefix, path),
          value: valueAt(input, path),
          message: `unknown field; allowed fields here: ${allowed.join(', ')}`,
        });
      }
      continue;
    }
    // A record key that fails its rule: the rule's own message is on the nested issue, not on this one.
    const message =
      issue.code === 'invalid_key' && issue.issues.length > 0
        ? issue.issues.map((i) => i.message).join('; ')
        : issue.message;
    out.push({ path: render(prefix, issue.path), value: valueAt(input, issue.path), message: ownWords(message) });
  }
  return out;
}

/** zod's own wording, which says what went wrong in zod's terms rather than what the field allows. */
export const ZOD_DEFAULT_PHRASES: readonly RegExp[] = [
  /^Invalid input/,
  /^Invalid option/,
  /^Invalid (key|element|string|number|format)/,
  /^Too (big|small)/,
  /^Unrecognized key/,
  /expected \w+, received/,
];

/**
 * A last guard: a rule without a message of its own that still got zod's wording says so in the library's words
 * (every schema is meant to carry its own message; a test walks a corpus of bad input to keep it so).
 */
function ownWords(message: string): string {
  return ZOD_DEFAULT_PHRASES.some((p) => p.test(message))
    ? 'a value of another form (see the documentation of this field)'
    : message;
}

/** The path of an issue: record keys escaped and shortened (a 100 KB key is not echoed whole). */
function render(prefix: string, path: readonly PathKey[]): string {
  return joinPath(prefix, ...path.map((p) => (typeof p === 'number' ? p : pathKey(String(p)))));
}

/** The value at a path of the raw input, or undefined when any step is missing. */
export function valueAt(input: unknown, path: readonly PathKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

interface SchemaDef {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly innerType?: z.ZodType;
  readonly element?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly in?: z.ZodType;
}

function defOf(schema: z.ZodType): SchemaDef {
  return (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
}

/** The field names an object schema accepts at a path, for "unknown field" messages. */
export function allowedKeys(schema: z.ZodType, path: readonly PathKey[]): string[] {
  let current: z.ZodType | undefined = unwrap(schema);
  for (const key of path) {
    if (!current) break;
    const def = defOf(current);
    if (def.type === 'object') current = def.shape?.[String(key)];
    else if (def.type === 'array') current = def.element;
    else if (def.type === 'record') current = def.valueType;
    else current = undefined;
    current = current && unwrap(current);
  }
  const def = current && defOf(current);
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    if ((def.type === 'optional' || def.type === 'default' || def.type === 'nullable') && def.innerType) {
      current = def.innerType;
    } else if (def.type === 'pipe' && def.in) {
      current = def.in;
    } else {
      return current;
    }
  }
}
