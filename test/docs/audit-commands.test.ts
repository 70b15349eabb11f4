import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AUDIT_QUERIES as AWS_AUDIT_QUERIES } from '../../lib/aws/audit-trail';
import { AUDIT_QUERIES as AZURE_AUDIT_QUERIES } from '../../lib/azure/audit-trail';

const root = join(__dirname, '..', '..');
const read = (page: string): string => readFileSync(join(root, page), 'utf8');

/** The one command per cloud that runs each saved who-did-what query, as the pages must show it. */
const commands = [
  ...Object.values(AWS_AUDIT_QUERIES).map(
    (query) =>
      `aws logs start-query --log-group-name /platform/<env>/audit --start-time $(date -d '-1 day' +%s) --end-time $(date +%s) --query-string '${query.replaceAll('\n', ' ')}'`,
  ),
  ...AZURE_AUDIT_QUERIES.map(
    ({ query }) => `az monitor log-analytics query --workspace <id> --timespan P1D --analytics-query '${query}'`,
  ),
];

describe('the who-did-what commands in the docs run the saved queries', () => {
  test('there are four queries per cloud', () => {
    expect(commands).toHaveLength(8);
  });

  test.each(['README.md', 'docs/monitoring.md'])(
    '%s shows the command of every saved query, on both clouds',
    (page) => {
      const text = read(page);
      expect(commands.filter((command) => !text.includes(command))).toEqual([]);
    },
  );

  test('the README has a Checks and audit section linking to the checks page', () => {
    const section = /^## Checks and audit\n([\s\S]*?)^## /m.exec(read('README.md'))?.[1] ?? '';
    expect(section).toContain('(docs/checks.md)');
    expect(section.match(/^(aws logs start-query|az monitor log-analytics query) /gm)).toHaveLength(8);
  });
});
