import { parser } from '@prometheus-io/lezer-promql';

/** One problem found in a PromQL expression. */
export interface PromqlProblem {
  /** Where it is: the offset in the expression, from 0. */
  readonly offset: number;
  /** The line, from 1. */
  readonly line: number;
  /** The column on that line, from 1. */
  readonly column: number;
  /** What is wrong there. */
  readonly message: string;
}

type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

/**
 * Functions whose argument is a range vector (`rate(foo[5m])`), by the position of that argument. The parser accepts
 * `rate(foo)`, which Prometheus refuses when the rule is loaded, so it is checked here.
 */
const RANGE_FUNCTIONS: ReadonlyMap<string, number> = new Map([
  ['rate', 0],
  ['irate', 0],
  ['increase', 0],
  ['delta', 0],
  ['idelta', 0],
  ['deriv', 0],
  ['predict_linear', 0],
  ['changes', 0],
  ['resets', 0],
  ['holt_winters', 0],
  ['double_exponential_smoothing', 0],
  ['quantile_over_time', 1],
]);

/** The argument position of a function's range vector, or undefined when it takes none. */
function rangeArgument(name: string): number | undefined {
  return RANGE_FUNCTIONS.get(name) ?? (name.endsWith('_over_time') ? 0 : undefined);
}

function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) out.push(child);
  return out;
}

function unwrapParens(node: SyntaxNode): SyntaxNode {
  let inner = node;
  while (inner.name === 'ParenExpr' && inner.firstChild) inner = inner.firstChild;
  return inner;
}

/** Line and column (both from 1) of an offset. */
function position(expr: string, offset: number): { line: number; column: number } {
  const before = expr.slice(0, offset);
  const lines = before.split('\n');
  return { line: lines.length, column: (lines[lines.length - 1] ?? '').length + 1 };
}

/** What the parser could not read at an error node. */
function syntaxMessage(expr: string, from: number, to: number): string {
  if (from >= expr.length) return 'the expression ends too early';
  const token = (to > from ? expr.slice(from, to) : /^\S+|^\s/.exec(expr.slice(from))?.[0]) ?? '';
  const unknown = /([A-Za-z_:][A-Za-z0-9_:]*)\s*$/.exec(expr.slice(0, from));
  if (token.startsWith('(') && unknown) return `unknown function "${unknown[1]}"`;
  const shown = token.length > 20 ? `${token.slice(0, 20)}…` : token;
  return `unexpected ${JSON.stringify(shown)}`;
}

/**
 * Every problem of a PromQL expression meant for a rule on both clouds, in order: the first syntax error (the
 * parser recovers, so later ones are mostly echoes of it), then range functions called without a range vector
 * (`rate(foo)`), duration arithmetic in a range (`[5m*2]`, experimental in Prometheus and promised by neither managed
 * service) and an expression whose result a rule cannot use (a range vector or a string).
 */
export function promqlProblems(expr: string): PromqlProblem[] {
  const found: Array<{ offset: number; message: string }> = [];
  if (expr.trim() === '') {
    found.push({ offset: 0, message: 'an expression is required' });
  } else {
    const tree = parser.parse(expr);
    let syntax: { offset: number; message: string } | undefined;
    tree.iterate({
      enter: (ref) => {
        if (syntax === undefined && ref.type.isError) {
          syntax = { offset: ref.from, message: syntaxMessage(expr, ref.from, ref.to) };
        }
      },
    });
    if (syntax) {
      found.push(syntax);
    } else {
      semanticProblems(expr, tree.topNode, found);
    }
  }
  return found
    .sort((a, b) => a.offset - b.offset)
    .map((p) => ({ offset: p.offset, ...position(expr, p.offset), message: p.message }));
}

function semanticProblems(expr: string, top: SyntaxNode, found: Array<{ offset: number; message: string }>): void {
  const root = top.firstChild ? unwrapParens(top.firstChild) : undefined;
  if (root && ['MatrixSelector', 'SubqueryExpr', 'StringLiteral'].includes(root.name)) {
    found.push({
      offset: root.from,
      message: `a rule's expression returns an instant vector or a number, not ${root.name === 'StringLiteral' ? 'a string' : 'a range vector'}`,
    });
  }
  const cursor = top.cursor();
  let more = true;
  while (more) {
    const node = cursor.node;
    let enter = true;
    if (node.name === 'FunctionCall') {
      const identifier = node.getChild('FunctionIdentifier');
      const body = node.getChild('FunctionCallBody');
      const name = identifier ? expr.slice(identifier.from, identifier.to) : '';
      const index = rangeArgument(name);
      if (index !== undefined && body) {
        const argument = children(body)[index];
        const inner = argument && unwrapParens(argument);
        if (!inner || (inner.name !== 'MatrixSelector' && inner.name !== 'SubqueryExpr')) {
          found.push({
            offset: argument?.from ?? body.from,
            message: `${name}() takes a range vector${index === 0 ? '' : ` as argument ${index + 1}`}, such as ${name}(${index === 0 ? '' : '0.9, '}http_requests_total[5m])`,
          });
        }
      }
    }
    if (node.name === 'DurationExpr' && node.getChildren('DurationExpr').length > 0) {
      found.push({
        offset: node.from,
        message: `a single duration such as 5m in a range, not arithmetic (${expr.slice(node.from, node.to)})`,
      });
      // Its parts are not reported again.
      enter = false;
    }
    more = cursor.next(enter);
  }
}

/**
 * The first problem of a PromQL expression as one line for an error message, or undefined when it has none:
 * `invalid PromQL at character 24 (line 1, column 25): the expression ends too early: "…by (x⟨here⟩"`.
 */
export function promqlProblem(expr: string): string | undefined {
  const first = promqlProblems(expr)[0];
  if (!first) return undefined;
  const start = Math.max(0, first.offset - 24);
  const before = `${start > 0 ? '…' : ''}${expr.slice(start, first.offset)}`;
  const rest = expr.slice(first.offset, first.offset + 16);
  const after = `${rest}${first.offset + 16 < expr.length ? '…' : ''}`;
  return `invalid PromQL at character ${first.offset} (line ${first.line}, column ${first.column}): ${first.message}: ${JSON.stringify(`${before}⟨here⟩${after}`)}`;
}
