/**
 * The JavaScript both clouds' check scripts share (the AWS canary and the Azure probe), pure: `fieldAt(value,
 * path)` reads a dotted path (`data.items.0.id`), and `assertResponse(response)` returns every problem of a
 * response `{ status, body, elapsedMs }` against the script's `CHECK` (`expectedStatus`, `body`,
 * `latencyBudgetMs`), in the words the alarms and logs show: `Status <n>, expected <m>`, `Body does not contain
 * "<text>"`, `Body is not JSON`, `JSON field <path> is <value>, expected <value>` and, with `latency`,
 * `Response took <n> ms, over the budget of <m> ms`.
 */
export function renderResponseAssertions(options: { readonly latency: boolean }): string {
  const source = `function fieldAt(value, path) {
  let current = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = current[key];
  }
  return current;
}

function assertResponse(response) {
  const problems = [];
  if (response.status !== CHECK.expectedStatus) problems.push('Status ' + response.status + ', expected ' + CHECK.expectedStatus);
  const body = CHECK.body;
  if (body && 'contains' in body && !response.body.includes(body.contains)) {
    problems.push('Body does not contain ' + JSON.stringify(body.contains));
  }
  if (body && 'jsonPath' in body) {
    let parsed;
    let isJson = true;
    try { parsed = JSON.parse(response.body); } catch (error) { isJson = false; problems.push('Body is not JSON'); }
    if (isJson) {
      const actual = fieldAt(parsed, body.jsonPath);
      if (actual !== body.equals) {
        problems.push('JSON field ' + body.jsonPath + ' is ' + (actual === undefined ? 'missing' : JSON.stringify(actual)) + ', expected ' + JSON.stringify(body.equals));
      }
    }
  }
  if (response.elapsedMs > CHECK.latencyBudgetMs) {
    problems.push('Response took ' + response.elapsedMs + ' ms, over the budget of ' + CHECK.latencyBudgetMs + ' ms');
  }
  return problems;
}
`;
  return options.latency ? source : source.replace(LATENCY_ASSERTION, '');
}

/** The part of `assertResponse` that fails a response over the budget. */
const LATENCY_ASSERTION = `  if (response.elapsedMs > CHECK.latencyBudgetMs) {
    problems.push('Response took ' + response.elapsedMs + ' ms, over the budget of ' + CHECK.latencyBudgetMs + ' ms');
  }
`;
