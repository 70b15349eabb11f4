#!/usr/bin/env node
// `npm run docs:samples`: regenerates the sample outputs shown in docs/*.md (and README.md) from the commands'
// own code, so that no sample is typed by hand. test/docs/samples.test.ts fails when a page's sample differs.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defineEnvironments, type EnvironmentInput } from '../../lib/core';
import { checkOutputs, formatCheckTable } from './check';
import { runCli } from './command';
import { importEnvironments } from './load-environments';
import { REPOSITORY_ROOT } from './sources';
import { CLOUDS, formatSummary, synthesize } from './synth';

/** The environment the synth and check samples are generated from: the smallest, so the samples stay short. */
export const SAMPLE_ENVIRONMENT = 'dev';

/** The name of each generated sample, as pages mark it: `<!-- sample: NAME -->` followed by a fenced block. */
export type SampleName = 'synth-summary' | 'check-table' | 'spec-errors' | 'check-errors';

/** The pages that may show samples: README.md and every docs/*.md (not docs/api, which typedoc generates). */
export function samplePages(root: string = REPOSITORY_ROOT): string[] {
  const docs = path.join(root, 'docs');
  const pages = fs.existsSync(docs)
    ? fs
        .readdirSync(docs)
        .filter((f) => f.endsWith('.md'))
        .sort()
        .map((f) => path.join(docs, f))
    : [];
  return [path.join(root, 'README.md'), ...pages];
}

/** One `<!-- sample: NAME -->` block of a page: its name and where its fenced block's content starts and ends. */
export interface SampleBlock {
  /** The sample's name. */
  readonly name: string;
  /** The content of the fenced block, without its fences. */
  readonly content: string;
  /** Offset of the content's first character in the page. */
  readonly start: number;
  /** Offset just after the content's last character (its final line break) in the page. */
  readonly end: number;
}

const SAMPLE_BLOCK = /^<!-- sample: ([a-z0-9-]+) -->\n\n```[a-z]*\n([\s\S]*?)^```$/gm;

/** Every sample block of a page, in order. A marker not followed by a fenced block is not a block. */
export function sampleBlocks(markdown: string): SampleBlock[] {
  const blocks: SampleBlock[] = [];
  for (const match of markdown.matchAll(SAMPLE_BLOCK)) {
    const content = match[2]!;
    const start = match.index + match[0].length - 3 - content.length;
    blocks.push({ name: match[1]!, content, start, end: start + content.length });
  }
  return blocks;
}

/** Markers that name a sample (`<!-- sample: ... -->` on a line of its own), whether or not a fenced block follows. */
export function sampleMarkers(markdown: string): string[] {
  return [...markdown.matchAll(/^<!-- sample: ([^>]*?) -->$/gm)].map((m) => m[1]!);
}

/** The page with each sample block's content replaced by the generated sample of that name. */
export function applySamples(markdown: string, samples: Readonly<Record<string, string>>): string {
  let out = '';
  let at = 0;
  for (const block of sampleBlocks(markdown)) {
    const sample = samples[block.name];
    if (sample === undefined) continue;
    out += `${markdown.slice(at, block.start)}${sample.endsWith('\n') ? sample : `${sample}\n`}`;
    at = block.end;
  }
  return out + markdown.slice(at);
}

/**
 * The rows of a check table worth showing: the header, its rule, the first finding of each stack, a line saying how
 * many were left out, and the summary line, each exactly as `npm run check` prints it.
 */
export function checkExcerpt(table: string): string {
  const lines = table.split('\n');
  const blank = lines.indexOf('');
  if (blank < 2) return table;
  const findings = lines.slice(2, blank);
  const stackOf = (line: string): string =>
    line
      .split(/\s{2,}/)
      .slice(0, 2)
      .join(' ');
  const shown = findings.filter((line, i) => i === 0 || stackOf(findings[i - 1]!) !== stackOf(line));
  const omitted = findings.length - shown.length;
  return [
    ...lines.slice(0, 2),
    ...shown,
    ...(omitted > 0 ? [`... (${omitted} more finding${omitted === 1 ? '' : 's'})`] : []),
    ...lines.slice(blank),
  ].join('\n');
}

/** The error `defineEnvironments` reports for the example production environment given two mistakes at once. */
export function specErrorsSample(prod: EnvironmentInput): string {
  try {
    defineEnvironments([{ ...prod, network: { cidr: '10.30.0.0/24' }, protection: { retainData: false } }]);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error('the spec-errors sample expected the environment to be refused, and it was accepted');
}

/** The errors `defineEnvironments` reports for the example production environment given five bad API checks at once. */
export function checkErrorsSample(prod: EnvironmentInput): string {
  try {
    defineEnvironments([
      {
        ...prod,
        azure: { ...prod.azure, keyVaultId: undefined },
        checks: {
          endpoints: [
            { name: 'plain', url: 'http://api.example.com/health' },
            { name: 'billing', service: 'billing' },
            {
              name: 'home',
              url: 'https://www.example.com/',
              headers: { Accept: 'text/html' },
              body: { json: { path: 'status', equals: 'ok' } },
              latencyBudgetMs: 90_000,
            },
            {
              name: 'partner',
              url: 'https://partner.example.com/v1/ping',
              secretHeaders: { 'X-Api-Key': 'partner-key' },
            },
          ],
        },
      },
    ]);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error('the check-errors sample expected the environment to be refused, and it was accepted');
}

/**
 * Generates every sample: `npm run synth -- --env dev` (its summary table; validation off, which changes no output),
 * `npm run check -- --env dev --no-cfn-lint` over that output (an excerpt of its table, since cfn-lint is not
 * installed everywhere), and the spec errors of `defineEnvironments`. Synthesizes into a temporary folder, in this
 * process, without the cache; the repository's cdk.out/ and cdktf.out/ are not touched.
 */
export async function generateSamples(): Promise<Record<SampleName, string>> {
  const { ENVIRONMENT_INPUTS, loadEnvironments, selectEnvironments } = await importEnvironments();
  const prod = ENVIRONMENT_INPUTS.find((e) => e.name === 'prod');
  if (!prod) throw new Error('the spec-errors sample needs the example environment prod');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-docs-samples-'));
  try {
    const cdkOut = path.join(work, 'cdk.out');
    const cdktfOut = path.join(work, 'cdktf.out');
    const rows = await synthesize({
      environments: selectEnvironments(loadEnvironments(), [SAMPLE_ENVIRONMENT]),
      clouds: CLOUDS,
      validation: false,
      jobs: 1,
      cdkOut,
      cdktfOut,
      warn: () => undefined,
    });
    // Paths as `npm run synth` prints them when run in the repository: relative to the folder holding the output.
    const relative = rows.map((r) => ({ ...r, output: path.relative(work, path.resolve(r.output)) }));
    const checked = await checkOutputs({ clouds: CLOUDS, cdkOut, cdktfOut, root: REPOSITORY_ROOT, cfnLint: false });
    return {
      'synth-summary': formatSummary(relative, work),
      'check-table': checkExcerpt(formatCheckTable(checked)),
      'spec-errors': specErrorsSample(prod),
      'check-errors': checkErrorsSample(prod),
    };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runCli(async () => {
    const samples = await generateSamples();
    for (const page of samplePages()) {
      const text = fs.readFileSync(page, 'utf8');
      const updated = applySamples(text, samples);
      if (updated !== text) {
        fs.writeFileSync(page, updated);
        process.stdout.write(`updated ${path.relative(REPOSITORY_ROOT, page)}\n`);
      }
    }
  });
}
