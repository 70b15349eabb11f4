import { z } from 'zod';

// Parsing helpers shared by the environment and the application spec, which resolve their sections the same way.

/**
 * For a list section (servers) whose list did not parse as a whole, or holds an entry with a problem found on the
 * raw input: the entries that parse on their own and are `clean`, at their own indexes (the others are holes, which
 * `map` and `forEach` skip), so that the section's cross-field rules still judge the valid entries and report
 * their problems with the others'.
 */
export function validElements(
  schema: z.ZodType,
  raw: unknown,
  clean: (index: number) => boolean,
): { success: true; data: unknown[] } | undefined {
  const list = schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
  if (!(list instanceof z.ZodArray) || !Array.isArray(raw)) return undefined;
  const element = list.element as z.ZodType;
  const data: unknown[] = new Array<unknown>(raw.length);
  raw.forEach((item, i) => {
    if (!clean(i)) return;
    const result = element.safeParse(item);
    if (result.success) data[i] = result.data;
  });
  return { success: true, data };
}

/**
 * For an object section made of lists and maps (`checks`: `endpoints`, `services`) that did not parse as a whole:
 * each list keeps the entries that parse on their own and are `clean` (holes for the others, as
 * {@link validElements}), each map the entries that parse, and any other field its value when it parses; so that
 * the section's cross-field rules still judge the valid entries and report their problems with the others'.
 * `clean` gets the field and the index or key of an entry. Undefined when the schema is not an object or `raw` is
 * not one.
 */
export function validParts(
  schema: z.ZodType,
  raw: unknown,
  clean: (field: string, entry: number | string) => boolean,
): { success: true; data: Record<string, unknown> } | undefined {
  const object = schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
  if (!(object instanceof z.ZodObject) || raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return undefined;
  }
  const data: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(raw as Record<string, unknown>)) {
    const fieldSchema = object.shape[field] as z.ZodType | undefined;
    if (fieldSchema === undefined) continue;
    const inner = fieldSchema instanceof z.ZodOptional ? (fieldSchema.unwrap() as z.ZodType) : fieldSchema;
    if (inner instanceof z.ZodArray && Array.isArray(value)) {
      data[field] = validElements(inner, value, (i) => clean(field, i))?.data;
    } else if (inner instanceof z.ZodRecord && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const entries: Record<string, unknown> = {};
      for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
        if (!clean(field, key) || !(inner.keyType as z.ZodType).safeParse(key).success) continue;
        const result = (inner.valueType as z.ZodType).safeParse(entry);
        if (result.success) entries[key] = result.data;
      }
      data[field] = entries;
    } else {
      const result = fieldSchema.safeParse(value);
      if (result.success) data[field] = result.data;
    }
  }
  return { success: true, data };
}

/**
 * Messages for rules that carry no message of their own: say what is allowed, in the library's words, for every
 * kind of zod issue, so that zod's own wording ("Invalid input", "Invalid option") never reaches a reader.
 */
export function genericMessage(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `required: ${typeName(issue.expected)}`;
      if (typeof issue.input === 'number' && !Number.isFinite(issue.input)) {
        return `a finite number (${String(issue.input)} is not one)`;
      }
      return `expected ${typeName(issue.expected)}`;
    case 'too_small':
      return `${issue.inclusive === false ? 'more than' : 'at least'} ${String(issue.minimum)}${unitOf(issue.origin)}`;
    case 'too_big':
      return `${issue.inclusive === false ? 'less than' : 'at most'} ${String(issue.maximum)}${unitOf(issue.origin)}`;
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      return `a valid ${issue.format}`;
    case 'not_multiple_of':
      return `a multiple of ${String(issue.divisor)}`;
    case 'unrecognized_keys':
      return `unknown fields: ${issue.keys.join(', ')}`;
    default:
      return 'a value of another form (see the documentation of this field)';
  }
}

function typeName(type: string): string {
  if (type === 'int') return 'a whole number';
  if (type === 'array') return 'a list';
  if (type === 'boolean') return 'true or false';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function unitOf(origin: string): string {
  if (origin === 'string') return ' characters';
  if (origin === 'array' || origin === 'set') return ' items';
  return '';
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
