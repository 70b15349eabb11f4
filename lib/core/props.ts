import { IssueCollector, joinPath } from './errors';

/** The kind of value a construct prop holds, as {@link checkProps} tests it. */
export type PropKind = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'function';

/** What one prop must be: its kind, whether it may be left out, and what is allowed, for the message. */
export interface PropRule {
  /** The kind of value. */
  readonly kind: PropKind;
  /**
   * Whether the prop may be left out (`undefined`).
   * @default false
   */
  readonly optional?: boolean;
  /** What is allowed, in words, for the error (`the resolved service spec: defineApplication(...).services[i]`). */
  readonly allowed: string;
  /**
   * The rules of the fields of an object prop, checked when it is present.
   * @default - its fields are not checked
   */
  readonly fields?: PropRules;
}

/** The rules of a construct's props, by prop name. */
export type PropRules = Readonly<Record<string, PropRule>>;

function kindOf(value: unknown): PropKind | 'null' | 'undefined' | 'other' {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const type = typeof value;
  if (type === 'number') return Number.isFinite(value) ? 'number' : 'other';
  if (type === 'string' || type === 'boolean' || type === 'object' || type === 'function') return type;
  return 'other';
}

function collect(issues: IssueCollector, path: string, value: unknown, rules: PropRules): void {
  const record = (value ?? {}) as Record<string, unknown>;
  for (const [name, rule] of Object.entries(rules)) {
    const prop = record[name];
    const at = joinPath(path, name);
    const kind = kindOf(prop);
    if (kind === 'undefined') {
      if (!rule.optional) issues.add(at, prop, `required: ${rule.allowed}`);
      continue;
    }
    if (kind !== rule.kind) {
      issues.add(at, prop, rule.allowed);
      continue;
    }
    if (rule.fields) collect(issues, at, prop, rule.fields);
  }
}

/**
 * Checks a construct's props before it builds anything, so that a missing or wrong prop is reported as
 * `Invalid ContainerService props (app/Api): props.spec: (missing) - required: ...`, every problem at once,
 * instead of a `TypeError` from deep inside the construct. The spec's own rules are checked by the spec; this
 * catches props passed by hand (plain JavaScript, `as` casts, a forgotten field).
 *
 * @param construct the class name (`ContainerService`)
 * @param path the construct's path in the tree, for the title
 * @throws SpecError listing every problem
 */
export function checkProps(construct: string, path: string, props: unknown, rules: PropRules): void {
  const issues = new IssueCollector();
  if (kindOf(props) !== 'object') issues.add('props', props, `an object with ${Object.keys(rules).join(', ')}`);
  else collect(issues, 'props', props, rules);
  issues.throwIfAny(`Invalid ${construct} props (${path})`);
}
