import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { temporaryFolders } from '../util/temp';

const root = path.resolve(__dirname, '../..');
const committed = path.join(root, 'docs/api');
const temporary = temporaryFolders('api-reference-');

/** Every file under a folder, relative to it, with forward slashes, sorted. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

/**
 * The API reference is generated from the TSDoc by `npm run docs` (typedoc with typedoc-plugin-markdown, settings in
 * typedoc.json). typedoc is ESM only, which jest's module system does not load, so it runs as `npm run docs` does:
 * its own CLI in a child process, into a temporary folder. Most of its time is TypeScript reading aws-cdk-lib's
 * declarations (about a million lines), which any program that resolves the constructs' types must.
 */
test('docs/api is what npm run docs generates from the TSDoc now', () => {
  const out = temporary();
  const run = spawnSync(process.execPath, [path.join(root, 'node_modules/typedoc/bin/typedoc'), '--out', out], {
    cwd: root,
    encoding: 'utf8',
  });
  expect({ status: run.status, stderr: run.stderr, stdout: run.stdout }).toEqual({
    status: 0,
    stderr: '',
    stdout: '',
  });

  const generated = filesUnder(out);
  const existing = filesUnder(committed);
  const differ = [
    ...generated.filter((f) => !existing.includes(f)).map((f) => `new: ${f}`),
    ...existing.filter((f) => !generated.includes(f)).map((f) => `gone: ${f}`),
    ...generated
      .filter((f) => existing.includes(f))
      .filter((f) => !fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join(committed, f))))
      .map((f) => `changed: ${f}`),
  ];
  const shown = differ.slice(0, 20).map((line) => `  ${line}`);
  const more = differ.length > shown.length ? [`  ... and ${differ.length - shown.length} more`] : [];
  expect(
    differ.length === 0
      ? 'up to date'
      : [
          `docs/api is stale (${differ.length} files differ): run npm run docs and commit docs/api`,
          ...shown,
          ...more,
        ].join('\n'),
  ).toBe('up to date');
});
