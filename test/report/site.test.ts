import type { PlatformReport } from '../../lib/report/model';
import { buildReport, type ReportInput } from '../../lib/report/report';
import { escapeHtml, renderSite } from '../../lib/report/site';
import { readCdkOut, readCdktfOut } from '../../lib/review/outputs';
import { loadEnvironments } from '../../stacks/environments';
import { sharedSynthesis } from '../util/shared-synthesis';

let input: ReportInput;
let report: PlatformReport;
let site: ReadonlyMap<string, string>;

beforeAll(async () => {
  const { cdkOut, cdktfOut } = await sharedSynthesis('plain');
  input = {
    stacks: [...readCdkOut(cdkOut), ...readCdktfOut(cdktfOut)],
    environments: loadEnvironments().map((e) => ({
      name: e.name,
      tier: e.tier,
      tokens: {
        name: e.name,
        account: e.aws.account,
        region: e.aws.region,
        location: e.azure.location,
        cidr: e.network.cidr,
      },
    })),
    clouds: ['aws', 'azure'],
    findings: [
      {
        cloud: 'aws',
        stack: 'platform-prod-foundation',
        rule: 'AwsSolutions-X1',
        severity: 'warning',
        resource: 'Thing <script>alert(1)</script>',
        message: 'a "quoted" & <b>bold</b> finding',
      },
    ],
    head: 'the working tree',
  };
  report = await buildReport(input);
  site = renderSite(report);
});

const pages = (): [string, string][] => [...site].filter(([name]) => name.endsWith('.html'));

describe('buildReport', () => {
  test('every environment in list order, then the delivery pipeline (AWS only)', () => {
    expect(
      report.environments.map((e) => [e.environment, e.tier ?? '', e.clouds.map((c) => c.cloud).join('+')]),
    ).toEqual([
      ['dev', 'development', 'aws+azure'],
      ['staging', 'production', 'aws+azure'],
      ['prod', 'production', 'aws+azure'],
      ['delivery', '', 'aws'],
    ]);
  });

  test('the differences from the previous environment, from the second on', () => {
    const between = report.environments.map((e) => e.clouds.map((c) => c.between?.from ?? '-').join(','));
    expect(between).toEqual(['-,-', 'dev,dev', 'staging,staging', '-']);
    const prod = report.environments[2]!.clouds[0]!.between!.review;
    expect(prod.changes.some((c) => c.action === 'create')).toBe(true);
  });

  test('findings go to the environment and cloud of their stack', () => {
    const withFindings = report.environments.flatMap((e) =>
      e.clouds.filter((c) => (c.findings ?? []).length > 0).map((c) => `${e.environment}/${c.cloud}`),
    );
    expect(withFindings).toEqual(['prod/aws']);
  });

  test('two builds of the same output give the same site, byte for byte', async () => {
    const again = renderSite(await buildReport(input));
    expect([...again.keys()]).toEqual([...site.keys()]);
    for (const [name, content] of site) expect(again.get(name)).toBe(content);
  });
});

describe('renderSite', () => {
  test('an index, one page per environment and the report as JSON without the SVGs', () => {
    expect([...site.keys()]).toEqual([
      'index.html',
      'dev.html',
      'staging.html',
      'prod.html',
      'delivery.html',
      'report.json',
    ]);
    const json = site.get('report.json')!;
    expect(json).not.toContain('<svg');
    expect((JSON.parse(json) as PlatformReport).environments).toHaveLength(4);
  });

  test('escapes what the output says: a name cannot inject markup', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const prod = site.get('prod.html')!;
    expect(prod).not.toContain('<script>');
    expect(prod).toContain('Thing &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(prod).toContain('a &quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt; finding');
  });

  test.each(['index.html', 'dev.html', 'prod.html', 'delivery.html'])(
    '%s: lang, title, one h1, no heading level skipped',
    (name) => {
      const html = site.get(name)!;
      expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="en">/);
      expect(html).toMatch(/<title>[^<]+<\/title>/);
      const levels = [...html.matchAll(/<h([1-6])\b/g)].map((m) => Number(m[1]));
      expect(levels.filter((l) => l === 1)).toHaveLength(1);
      expect(levels[0]).toBe(1);
      const skips = levels.filter((level, i) => i > 0 && level > levels[i - 1]! + 1);
      expect(skips).toEqual([]);
    },
  );

  test('nothing is fetched: no script, no external stylesheet, no URL but the SVG namespaces and text', () => {
    for (const [name, html] of pages()) {
      expect([name, /<script|<link\b|@import|src="http/.test(html)]).toEqual([name, false]);
      const hrefs = [...html.matchAll(/\b(?:href|src)="([^"]*)"/g)].map((m) => m[1]!);
      expect([name, hrefs.filter((h) => /^[a-z]+:/i.test(h))]).toEqual([name, []]);
    }
  });

  test('every link leads to a page of the site and an id on it', () => {
    const ids = new Map(
      pages().map(([name, html]) => [name, new Set([...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]!))]),
    );
    const broken: string[] = [];
    for (const [name, html] of pages()) {
      for (const [, href] of html.matchAll(/<a href="([^"]+)"/g)) {
        const [file, fragment] = href!.startsWith('#') ? [name, href!.slice(1)] : href!.split('#');
        if (!ids.has(file!) || (fragment && !ids.get(file!)!.has(fragment))) broken.push(`${name} -> ${href}`);
      }
    }
    expect(broken).toEqual([]);
  });

  test('each environment page has a diagram per cloud with a text alternative, and every section', () => {
    const prod = site.get('prod.html')!;
    for (const cloud of ['aws', 'azure']) {
      for (const section of ['diagram', 'alarms', 'checks', 'backup', 'findings', 'differences'])
        expect(prod).toContain(`<h3 id="${cloud}-${section}">`);
    }
    expect(prod.match(/<figure class="diagram">\n<svg /g)).toHaveLength(2);
    expect(prod.match(/<details><summary>The diagram as a table/g)).toHaveLength(2);
  });
});
