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

/** Renders a received value for an error message: JSON, shortened, `(missing)` for undefined. */
export function formatValue(value: unknown): string {
  if (value === undefined) return '(missing)';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH - 3)}...` : text;
}

/** Renders one issue as `path: value - what is allowed`. */
export function formatIssue(issue: SpecIssue): string {
  return `${issue.path || '(root)'}: ${formatValue(issue.value)} - ${issue.message}`;
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
