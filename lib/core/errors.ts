/**
 * One problem found in an environment spec or in construct props.
 */
export interface SpecIssue {
  /** Where the problem is, as a dotted path (`prod.network.cidr`, `dev.tags.owner`). */
  readonly path: string;
  /** The value received at that path (`undefined` when the field is missing). */
  readonly value: unknown;
  /** What is allowed there. */
  readonly message: string;
}

const MAX_VALUE_LENGTH = 80;
/** How much of a long value or key is shown before the count of its characters. */
const SHOWN_LENGTH = 60;
const MAX_KEY_LENGTH = 40;
const MAX_PATH_LENGTH = 240;
/** Marks non-finite numbers while a value is rendered as JSON (which would write them as null). */
const NON_FINITE = '\uE000';

/**
 * Characters JSON leaves as they are but a reader cannot see or trust: DEL, C1 controls, line and paragraph
 * separators, bidirectional controls and the byte order mark. {@link formatValue} escapes them.
 */
const INVISIBLE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** `\u0000`-style escape of one UTF-16 code unit. */
export function escapeCharacter(character: string): string {
  return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** `102,400 characters`. */
function characters(count: number): string {
  return `${count.toLocaleString('en-US')} characters`;
}

/**
 * Cuts rendered text to `shown` characters, never inside an escape sequence or a surrogate pair, and says how long
 * the whole was: `"aaaa…(102,402 characters)`.
 */
function shorten(text: string, total: number, shown = SHOWN_LENGTH): string {
  let head = text.slice(0, shown);
  const last = head.charCodeAt(head.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) head = head.slice(0, -1);
  // A cut escape (`\u00`, `\`) would read as other characters.
  head = head.replace(/\\(?:u[0-9a-fA-F]{0,3})?$/, '');
  if (/(?:^|[^\\])(?:\\\\)*\\$/.test(head)) head = head.slice(0, -1);
  return `${head}…(${characters(total)})`;
}

/**
 * Renders a received value for an error message: JSON (NaN and Infinity by name, invisible characters escaped),
 * shortened to about 80 characters with the length of the whole, `(missing)` for undefined.
 */
export function formatValue(value: unknown): string {
  if (value === undefined) return '(missing)';
  if (typeof value === 'function') return '(a function)';
  let text: string;
  try {
    text =
      JSON.stringify(value, (_key, v: unknown) => {
        if (typeof v === 'number' && !Number.isFinite(v)) return `${NON_FINITE}${String(v)}${NON_FINITE}`;
        if (typeof v === 'bigint') return `${NON_FINITE}${String(v)}n${NON_FINITE}`;
        if (typeof v === 'function') return '(a function)';
        return v;
      }) ?? String(value);
    text = text.replace(new RegExp(`"${NON_FINITE}([^"${NON_FINITE}]*)${NON_FINITE}"`, 'g'), '$1');
  } catch {
    // Too deep, or containing itself: only its kind can be shown.
    text = Array.isArray(value) ? '[…]' : value !== null && typeof value === 'object' ? '{…}' : String(value);
  }
  text = text.replace(INVISIBLE, escapeCharacter);
  if (text.length <= MAX_VALUE_LENGTH) return text;
  return shorten(text, typeof value === 'string' ? value.length : text.length);
}

/**
 * Renders one key of a record (a tag, a variable, an alarm id) for a path: control and invisible characters
 * escaped, and a long key cut to its first 40 characters with its length, so that a 100 KB key is not echoed whole.
 */
export function pathKey(key: string): string {
  let escaped = '';
  for (const character of key) {
    // Control characters, and halves of surrogate pairs (which cannot be printed), are shown escaped.
    const code = character.charCodeAt(0);
    const unpaired = character.length === 1 && code >= 0xd800 && code <= 0xdfff;
    escaped += code < 0x20 || unpaired ? escapeCharacter(character) : character;
  }
  escaped = escaped.replace(INVISIBLE, escapeCharacter);
  const text = escaped.length <= MAX_KEY_LENGTH ? escaped : shorten(escaped, key.length, MAX_KEY_LENGTH);
  // An empty key, or one that would read as an index, is quoted so that the path stays readable.
  return text === '' || text.startsWith('[') ? `[${JSON.stringify(text)}]` : text;
}

/** A path for a message: one that is still too long (many long keys) keeps its start and its end. */
function formatPath(path: string): string {
  if (path === '') return '(root)';
  if (path.length <= MAX_PATH_LENGTH) return path;
  const half = MAX_PATH_LENGTH / 2;
  return `${path.slice(0, half)}…${path.slice(-half)}`;
}

/** Renders one issue as `path: value - what is allowed`. */
export function formatIssue(issue: SpecIssue): string {
  return `${formatPath(issue.path)}: ${formatValue(issue.value)} - ${issue.message}`;
}

/**
 * Thrown when an environment spec (or a construct's props) is invalid.
 *
 * It carries every problem found, not only the first, so one run shows everything to fix.
 */
export class SpecError extends Error {
  /** Every problem found, in the order they were found. */
  public readonly issues: readonly SpecIssue[];

  constructor(issues: readonly SpecIssue[], title = 'Invalid environment spec') {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super(`${title} (${count}):\n${issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`);
    this.name = 'SpecError';
    this.issues = issues;
  }

  /** True for a SpecError, also across copies of this package. */
  public static isSpecError(error: unknown): error is SpecError {
    return error instanceof Error && error.name === 'SpecError' && Array.isArray((error as SpecError).issues);
  }
}

/** Collects issues so that validation can report every problem at once. */
export class IssueCollector {
  private readonly found: SpecIssue[] = [];

  /** Records one problem. */
  public add(path: string, value: unknown, message: string): void {
    this.found.push({ path, value, message });
  }

  /** Records problems found elsewhere, under a path prefix. */
  public addAll(issues: readonly SpecIssue[], prefix = ''): void {
    for (const issue of issues) this.add(joinPath(prefix, issue.path), issue.value, issue.message);
  }

  /** The problems recorded so far. */
  public get issues(): readonly SpecIssue[] {
    return this.found;
  }

  /** Throws one SpecError listing every problem, if there is any. */
  public throwIfAny(title?: string): void {
    if (this.found.length > 0) throw new SpecError([...this.found], title);
  }
}

/** Joins path segments: `joinPath('prod', 'network.cidr')` is `prod.network.cidr`; numbers become `[n]`. */
export function joinPath(...segments: ReadonlyArray<string | number>): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (segment === '') continue;
    else if (segment.startsWith('[')) out += segment;
    else out += out ? `.${segment}` : segment;
  }
  return out;
}
