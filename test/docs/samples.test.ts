import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  applySamples,
  checkExcerpt,
  generateSamples,
  sampleBlocks,
  sampleMarkers,
  samplePages,
  type SampleName,
} from '../../bin/cli/docs-samples';

const root = path.resolve(__dirname, '../..');
const pages = samplePages(root).map((file) => ({
  page: path.relative(root, file),
  text: fs.readFileSync(file, 'utf8'),
}));

/**
 * Every sample output shown in README.md and docs/*.md (a fenced block after `<!-- sample: NAME -->`) is what the
 * commands' own code prints now: one synthesis of dev into a temporary folder (validation off), the check over it, and
 * the spec errors. `npm run docs:samples` rewrites the pages.
 */
describe('sample outputs in the docs', () => {
  let samples: Record<SampleName, string>;
  beforeAll(async () => {
    samples = await generateSamples();
  });

  test('every sample marker is followed by a fenced block and names a sample that is generated', () => {
    const problems = pages.flatMap(({ page, text }) => {
      const blocks = sampleBlocks(text).map((b) => b.name);
      return sampleMarkers(text)
        .filter((name) => !blocks.includes(name) || !(name in samples))
        .map((name) => `${page}: ${name}`);
    });
    expect(problems).toEqual([]);
  });

  test('every generated sample is shown on a page', () => {
    const shown = pages.flatMap(({ text }) => sampleBlocks(text).map((b) => b.name));
    expect(Object.keys(samples).filter((name) => !shown.includes(name))).toEqual([]);
  });

  test('each page shows the samples as they are generated now (npm run docs:samples rewrites them)', () => {
    const stale = pages
      .filter(({ text }) => applySamples(text, samples) !== text)
      .map(({ page, text }) => ({
        page,
        samples: sampleBlocks(text)
          .filter((b) => b.content.replace(/\n$/, '') !== samples[b.name as SampleName])
          .map((b) => ({ name: b.name, shown: b.content, generated: samples[b.name as SampleName] })),
      }));
    expect(stale).toEqual([]);
  });

  test('the synth summary names AWS stacks by their path, which cdk deploy selects, and Azure stacks by folder', () => {
    const lines = samples['synth-summary'].split('\n');
    expect(lines[0]).toMatch(/^environment\s+cloud\s+stack\s+resources\s+output$/);
    const rows = lines.slice(2).map((line) => line.split(/\s+/));
    expect(rows.filter((r) => r[1] === 'aws').every((r) => /^platform-dev\/[a-z0-9-]+$/.test(r[2]!))).toBe(true);
    expect(rows.filter((r) => r[1] === 'azure').map((r) => [r[2], r[4]])).toEqual([
      ['platform-dev', 'cdktf.out/stacks/platform-dev/cdk.tf.json'],
    ]);
    expect(rows.filter((r) => r[1] === 'aws').map((r) => r[4]!.split('/')[0])).toEqual(
      rows.filter((r) => r[1] === 'aws').map(() => 'cdk.out'),
    );
  });
});

describe('the sample helpers', () => {
  test('applySamples replaces only the content of the named blocks, and keeps unknown ones', () => {
    const page = [
      '# Page',
      '',
      '<!-- sample: a -->',
      '',
      '```text',
      'old',
      '```',
      '',
      '<!-- sample: b -->',
      '',
      '```',
      'kept',
      '```',
      '',
    ].join('\n');
    expect(applySamples(page, { a: 'new\nlines' })).toBe(page.replace('old', 'new\nlines'));
    expect(sampleBlocks(page).map((b) => [b.name, b.content])).toEqual([
      ['a', 'old\n'],
      ['b', 'kept\n'],
    ]);
    expect(sampleBlocks('<!-- sample: a -->\n\nno block\n')).toEqual([]);
    expect(sampleMarkers('<!-- sample: a -->\n\nno block\n')).toEqual(['a']);
  });

  test('checkExcerpt keeps the header, the first finding of each stack and the summary', () => {
    const table = [
      'cloud  stack  rule',
      '-----  -----  ----',
      'aws    one    r1',
      'aws    one    r2',
      'aws    two    r3',
      '',
      '3 findings: 0 unacknowledged errors, 3 acknowledged, 0 warnings',
    ].join('\n');
    expect(checkExcerpt(table).split('\n')).toEqual([
      'cloud  stack  rule',
      '-----  -----  ----',
      'aws    one    r1',
      'aws    two    r3',
      '... (1 more finding)',
      '',
      '3 findings: 0 unacknowledged errors, 3 acknowledged, 0 warnings',
    ]);
  });
});
