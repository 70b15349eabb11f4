import { buildDiagram } from '../../lib/report/diagram';
import { factsOf } from '../../lib/report/facts';
import type { CloudReport, EnvironmentReport, PlatformReport } from '../../lib/report/model';
import { pageFile, renderSite, SECTIONS } from '../../lib/report/site';
import { environmentTokens, reviewBetween } from '../../lib/review/between';
import { countChanges, type EnvironmentReview, type ResourceChange } from '../../lib/review/model';
import { readCdkOut, readCdktfOut, type SynthesizedStack } from '../../lib/review/outputs';
import { resourceGraph } from '../../lib/review/resource-graph';
import { loadEnvironments } from '../../stacks/environments';
import { environmentReview, resourceChange } from '../util/review-fixtures';
import { sharedSynthesis } from '../util/shared-synthesis';

const HOSTILE = `<script>alert("x")</script> & 'q'`;

/** A change for a hand-made review. */
function change(id: string, action: ResourceChange['action'], risk: Partial<ResourceChange> = {}): ResourceChange {
  return resourceChange({ stack: 'platform-prod-foundation', id, type: 'AWS::S3::Bucket', action, ...risk });
}

/** The review `--base` would give: one create, a widened security group, a replaced bucket (in that order). */
function review(environment: string, cloud: 'aws' | 'azure'): EnvironmentReview {
  return environmentReview(
    [
      change('Queue', 'create'),
      change('WebGroup', 'update', {
        security: [
          { kind: 'network-ingress', broadened: true, description: 'opens TCP 443 to 0.0.0.0/0 (the internet)' },
        ],
      }),
      change('Data', 'replace', { stateful: true, dataLoss: true, consequence: 'its objects are lost' }),
    ],
    { environment, cloud },
  );
}

/**
 * A report built by hand from the shared output: facts, diagrams and differences as the report builder makes them,
 * a small SVG standing in for the layout, a hostile finding and head, and with `base` a review.
 */
function handReport(stacks: readonly SynthesizedStack[], base?: string): PlatformReport {
  const environments = loadEnvironments();
  const tokens = environmentTokens;
  const names = [...environments.map((e) => e.name), 'delivery'];
  const pages = names.map((name, index): EnvironmentReport => {
    const spec = environments[index];
    const previous = index > 0 ? environments[index - 1] : undefined;
    const clouds = (['aws', 'azure'] as const).flatMap((cloud): CloudReport[] => {
      const mine = stacks.filter((s) => s.environment === name && s.cloud === cloud);
      if (mine.length === 0) return [];
      const graph = resourceGraph(mine, name, cloud);
      const between =
        spec && previous
          ? reviewBetween(stacks, tokens(previous), tokens(spec), [cloud]).environments.find((e) => e.cloud === cloud)
          : undefined;
      const title = `${name}-${cloud}-title`;
      return [
        {
          cloud,
          diagram: buildDiagram(graph),
          svg: `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" role="img" aria-labelledby="${title}" viewBox="0 0 10 10"><title id="${title}">${name} on ${cloud}</title></svg>`,
          resourceCount: graph.resources.length,
          ...factsOf(mine, cloud),
          findings: [
            {
              cloud,
              stack: mine[0]!.stack,
              rule: 'Test-Rule',
              severity: 'warning',
              resource: HOSTILE,
              message: HOSTILE,
            },
          ],
          ...(between && previous ? { between: { from: previous.name, review: between } } : {}),
          ...(base ? { review: review(name, cloud) } : {}),
        },
      ];
    });
    return { environment: name, ...(spec ? { tier: spec.tier } : {}), clouds };
  });
  return { generatedFrom: { head: `working tree ${HOSTILE}`, ...(base ? { base } : {}) }, environments: pages };
}

let report: PlatformReport;
let site: ReadonlyMap<string, string>;
let reviewed: ReadonlyMap<string, string>;

beforeAll(async () => {
  const { cdkOut, cdktfOut } = await sharedSynthesis('plain');
  const stacks = [...readCdkOut(cdkOut), ...readCdktfOut(cdktfOut)];
  report = handReport(stacks);
  site = renderSite(report);
  reviewed = renderSite(handReport(stacks, 'origin/main'));
});

const pages = (files: ReadonlyMap<string, string>): [string, string][] =>
  [...files].filter(([name]) => name.endsWith('.html'));

test('an index, one page per environment and the report as JSON', () => {
  expect([...site.keys()]).toEqual([
    'index.html',
    'dev.html',
    'staging.html',
    'prod.html',
    'delivery.html',
    'report.json',
  ]);
});

test('report.json is the report without the SVGs', () => {
  const json = site.get('report.json')!;
  expect(json).not.toContain('<svg');
  const strip = (r: PlatformReport): unknown => ({
    ...r,
    environments: r.environments.map((e) => ({
      ...e,
      clouds: e.clouds.map((c) => Object.fromEntries(Object.entries(c).filter(([key]) => key !== 'svg'))),
    })),
  });
  expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(strip(report))));
});

test('the same report gives the same files, byte for byte', () => {
  expect(renderSite(report)).toEqual(site);
});

test('escapes what the output says: a hostile name cannot inject markup', () => {
  for (const [name, html] of pages(site)) {
    expect([name, html.includes('<script')]).toEqual([name, false]);
    expect([name, html.includes("& 'q'")]).toEqual([name, false]);
  }
  expect(site.get('prod.html')).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;');
});

test.each(['index.html', 'dev.html', 'prod.html', 'delivery.html'])('%s has lang and a title', (name) => {
  expect(site.get(name)).toMatch(/^<!DOCTYPE html>\n<html lang="en">\n<head>[\s\S]*<title>[^<]+<\/title>/);
});

test.each(['index.html', 'dev.html', 'prod.html', 'delivery.html'])(
  '%s has one h1, first, and never skips a heading level',
  (name) => {
    for (const files of [site, reviewed]) {
      const levels = [...files.get(name)!.matchAll(/<h([1-6])\b/g)].map((m) => Number(m[1]));
      expect(levels[0]).toBe(1);
      expect(levels.filter((l) => l === 1)).toHaveLength(1);
      expect(levels.filter((level, i) => i > 0 && level > levels[i - 1]! + 1)).toEqual([]);
    }
  },
);

test('no URL anywhere but the SVG namespaces: no script, no stylesheet link, endpoints are text', () => {
  for (const [name, html] of [...pages(site), ...pages(reviewed)]) {
    const outside = html.replace(/xmlns(:xlink)?="http:\/\/www\.w3\.org\/(2000\/svg|1999\/xlink)"/g, '');
    expect([name, outside.match(/https?:\/\//g) ?? []]).toEqual([name, []]);
    expect([name, /<script|<link\b|@import|url\(/.test(html)]).toEqual([name, false]);
  }
  expect(site.get('prod.html')).toContain('https&#58;//events.pagerduty.com/integration/0000/enqueue');
});

test('every link leads to a page of the site and an id on it', () => {
  for (const files of [site, reviewed]) {
    const ids = new Map(
      pages(files).map(([name, html]) => [name, new Set([...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]!))]),
    );
    const broken: string[] = [];
    let links = 0;
    for (const [name, html] of pages(files)) {
      for (const [, href] of html.matchAll(/<a href="([^"]*)"/g)) {
        links += 1;
        const [file, fragment] = href!.startsWith('#') ? [name, href!.slice(1)] : href!.split('#');
        if (!ids.has(file!) || (fragment !== undefined && !ids.get(file!)!.has(fragment)))
          broken.push(`${name} -> ${href}`);
      }
    }
    expect(links).toBeGreaterThan(100);
    expect(broken).toEqual([]);
  }
});

test('the index links every environment and cloud to its page', () => {
  const index = site.get('index.html')!;
  const targets = report.environments.flatMap((e) => e.clouds.map((c) => `${pageFile(e.environment)}#${c.cloud}`));
  expect(targets).toHaveLength(7);
  expect(targets.filter((t) => !index.includes(`<a href="${t}">`))).toEqual([]);
});

test('each environment page: an h2 per cloud, then its sections as h3 with the contract ids, review only with a base', () => {
  const prod = site.get('prod.html')!;
  const headings = [...prod.matchAll(/<h([23]) id="([^"]+)"/g)].map((m) => `h${m[1]} ${m[2]}`);
  const expected = (['aws', 'azure'] as const).flatMap((cloud) => [
    `h2 ${cloud}`,
    ...SECTIONS.filter((s) => s !== 'review').map((s) => `h3 ${cloud}-${s}`),
  ]);
  expect(headings).toEqual(expected);
  expect(reviewed.get('prod.html')).toContain('<h3 id="aws-review">');
});

test('the navigation links the index, every page, and every section of the page', () => {
  const header = /<header>([\s\S]*?)<\/header>/.exec(site.get('staging.html')!)![1]!;
  const hrefs = [...header.matchAll(/href="([^"]+)"/g)].map((m) => m[1]);
  expect(hrefs).toEqual([
    'index.html',
    'dev.html',
    'staging.html',
    'prod.html',
    'delivery.html',
    ...['aws', 'azure'].flatMap((c) => [`#${c}`, ...SECTIONS.filter((s) => s !== 'review').map((s) => `#${c}-${s}`)]),
  ]);
});

test('each diagram is a figure with a caption, and its nodes are a table beside it', () => {
  const prod = site.get('prod.html')!;
  const figures = [
    ...prod.matchAll(/<figure class="diagram">\n(<svg [\s\S]*?<\/svg>)\n<figcaption>[^<]+<\/figcaption>\n<\/figure>/g),
  ];
  expect(figures.map((f) => /role="img"/.test(f[1]!))).toEqual([true, true]);
  const nodes = report.environments[2]!.clouds.map((c) => c.diagram.groups.flatMap((g) => g.nodes).length);
  const tables = [...prod.matchAll(/<caption>Components of prod on (?:AWS|Azure)<\/caption>[\s\S]*?<\/tbody>/g)].map(
    (t) => t[0].split('<tr>').length - 2,
  );
  expect(tables).toEqual(nodes);
});

test('every alarm of prod is a row of its table, with its endpoints as text', () => {
  const prod = site.get('prod.html')!;
  for (const cloud of report.environments[2]!.clouds) {
    const section = prod.slice(prod.indexOf(`id="${cloud.cloud}-alarms"`), prod.indexOf(`id="${cloud.cloud}-checks"`));
    expect(section.split('<tr>').length - 2).toBe(cloud.alarms.length);
  }
  expect(prod).not.toMatch(/<a href="[^"]*(@|pagerduty)/);
});

test('the differences list what is only here, only in the previous environment, and what differs, with counts', () => {
  const prod = site.get('prod.html')!;
  const between = report.environments[2]!.clouds[0]!.between!.review;
  const counts = countChanges(between);
  expect(prod).toContain(`<h4>Only in prod (${counts.created})</h4>`);
  expect(prod).toContain(`<h4>Only in staging (${counts.destroyed})</h4>`);
  expect(prod).toContain('<h4>Configured differently (');
  expect(site.get('dev.html')).toContain('The first environment on the list: nothing to compare with.');
});

test('with a base: data loss first, then widened access, in words as well as colour, then the changes by risk', () => {
  const prod = reviewed.get('prod.html')!;
  const section = prod.slice(prod.indexOf('id="aws-review"'), prod.indexOf('id="aws-alarms"'));
  const loss = section.indexOf('<div class="callout loss" role="note"><strong>⚠ Data loss:</strong>');
  const access = section.indexOf('<div class="callout access" role="note"><strong>⚠ Access widens:</strong>');
  const list = section.indexOf('<table>');
  expect([loss > 0, access > loss, list > access]).toEqual([true, true, true]);
  const rows = [...section.slice(list).matchAll(/<code>platform-prod-foundation\/(\w+)<\/code>/g)].map((m) => m[1]);
  expect(rows).toEqual(['Data', 'WebGroup', 'Queue']);
});

test('with a base, the index shows the review of each environment and the legend', () => {
  const index = reviewed.get('index.html')!;
  expect(index).toContain('<th scope="col">Review</th>');
  expect(index).toContain('1 created, 1 updated, 1 replaced, 0 destroyed; data loss: 1, access widened: 1');
  expect(index).toContain('<ul class="legend"');
  expect(site.get('index.html')).not.toContain('<th scope="col">Review</th>');
});
