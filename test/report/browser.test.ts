import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { runReport, type ReportResult } from '../../bin/cli/report';
import { sharedSynthesis } from '../util/shared-synthesis';
import { temporaryFolders } from '../util/temp';

// The report in a real browser: Debian's chromium, driven by playwright-core, offline. CI installs chromium
// (.ci/install-browser, run by .ci/run) and sets CI, so there a missing browser fails; on a machine without it these
// tests are skipped and say so.
const CHROMIUM = '/usr/bin/chromium';

// The page's globals, for the functions that run inside chromium (this project compiles without the DOM library).
declare const document: { getElementById(id: string): { textContent: string | null } | null };
declare const window: unknown;
type AxeRun = (
  context: unknown,
  options: object,
) => Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }>;
const available = fs.existsSync(CHROMIUM);
const root = path.resolve(__dirname, '../..');
const artifacts = process.env.PLATFORM_TEST_ARTIFACTS ?? path.join(root, 'test-artifacts');
const tempDir = temporaryFolders('platform-report-browser-');

if (!available && process.env.CI) {
  test('chromium is installed for the browser tests', () => {
    throw new Error(`${CHROMIUM} does not exist: run .ci/install-browser (as root) before npm test`);
  });
}

const suite = available ? describe : describe.skip;

suite(
  available ? 'the report in chromium' : `the report in chromium (skipped: no ${CHROMIUM}; run .ci/install-browser)`,
  () => {
    let result: ReportResult;
    let browser: Browser;
    let context: BrowserContext;
    const external: string[] = [];

    beforeAll(async () => {
      const { folder } = await sharedSynthesis('plain');
      const out = path.join(tempDir(), 'report');
      result = await runReport(
        { environments: [], clouds: ['aws', 'azure'], out, check: true },
        { root, outputs: folder, log: () => undefined },
      );
      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      context = await browser.newContext({ viewport: { width: 1440, height: 900 }, offline: true });
      // Anything but a file of the report is recorded and refused: the site must need nothing else.
      await context.route('**/*', async (route) => {
        const url = route.request().url();
        if (url.startsWith('file:')) await route.continue();
        else {
          external.push(url);
          await route.abort();
        }
      });
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
    });

    const pages = (): string[] => result.files.filter((f) => f.endsWith('.html'));

    async function open(file: string): Promise<{ page: Page; problems: string[] }> {
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('requestfailed', (request) => problems.push(`failed: ${request.url()}`));
      await page.goto(pathToFileURL(path.join(result.out, file)).href, { waitUntil: 'load' });
      return { page, problems };
    }

    test('the site has an index and a page per environment, the delivery pipeline last', () => {
      expect(pages()).toEqual(['index.html', 'dev.html', 'staging.html', 'prod.html', 'delivery.html']);
    });

    test('every page loads offline with no console error, no page error and no request outside the report', async () => {
      for (const file of pages()) {
        const { page, problems } = await open(file);
        expect([file, problems]).toEqual([file, []]);
        await page.close();
      }
      expect(external).toEqual([]);
    });

    test('every diagram renders: a visible SVG with as many nodes as the report drew', async () => {
      for (const file of pages().filter((f) => f !== 'index.html')) {
        const { page } = await open(file);
        const diagrams = await page.$$eval('figure.diagram > svg', (svgs) =>
          svgs.map((svg) => {
            const box = svg.getBoundingClientRect();
            return {
              width: box.width,
              height: box.height,
              expected: Number(svg.getAttribute('data-nodes')),
              nodes: svg.querySelectorAll('g.node').length,
              name: document.getElementById(svg.getAttribute('aria-labelledby') ?? '')?.textContent ?? '',
            };
          }),
        );
        expect([file, diagrams.length]).toEqual([file, file === 'delivery.html' ? 1 : 2]);
        for (const diagram of diagrams) {
          expect(diagram.width).toBeGreaterThan(100);
          expect(diagram.height).toBeGreaterThan(100);
          expect(diagram.nodes).toBe(diagram.expected);
          expect(diagram.name).toMatch(/^Diagram of /);
        }
        await page.close();
      }
    });

    test('every link works offline: its page exists and so does the id it points at', async () => {
      const links = new Set<string>();
      for (const file of pages()) {
        const { page } = await open(file);
        for (const href of await page.$$eval('a[href]', (anchors) =>
          anchors.map((a) => (a as unknown as { href: string }).href),
        ))
          links.add(href);
        await page.close();
      }
      expect([...links].filter((href) => !href.startsWith('file:'))).toEqual([]);
      // Each target page is opened once, and every id the links point at is looked up on it.
      const fragments = new Map<string, Set<string>>();
      for (const href of links) {
        const url = new URL(href);
        const file = fileURLToPath(url);
        const wanted = fragments.get(file) ?? new Set<string>();
        if (url.hash) wanted.add(decodeURIComponent(url.hash.slice(1)));
        fragments.set(file, wanted);
      }
      const broken: string[] = [];
      for (const [file, ids] of fragments) {
        if (!fs.existsSync(file)) {
          broken.push(file);
          continue;
        }
        const page = await context.newPage();
        await page.goto(pathToFileURL(file).href);
        const missing = await page.evaluate(
          (wanted) => wanted.filter((id) => document.getElementById(id) === null),
          [...ids],
        );
        broken.push(...missing.map((id) => `${path.basename(file)}#${id}`));
        await page.close();
      }
      expect(broken).toEqual([]);
      expect(links.size).toBeGreaterThan(20);
    });

    test('accessibility: axe finds no WCAG 2 A or AA violation (headings, names, alt text, contrast)', async () => {
      const axe = require.resolve('axe-core/axe.min.js');
      for (const file of pages()) {
        const { page } = await open(file);
        await page.addScriptTag({ path: axe });
        const violations = await page.evaluate(async () => {
          const run = (window as { axe: { run: AxeRun } }).axe.run;
          const { violations: found } = await run(document, {
            runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] },
          });
          return found.map(
            (v) =>
              `${v.id}: ${v.nodes
                .map((n) => n.target.join(' '))
                .slice(0, 3)
                .join(', ')}`,
          );
        });
        expect([file, violations]).toEqual([file, []]);
        await page.close();
      }
    });

    test('a screenshot of each environment page is kept as a test artifact', async () => {
      const folder = path.join(artifacts, 'report');
      fs.mkdirSync(folder, { recursive: true });
      for (const file of pages().filter((f) => f !== 'index.html')) {
        const { page } = await open(file);
        const shot = path.join(folder, file.replace(/\.html$/, '.png'));
        await page.screenshot({ path: shot, fullPage: false });
        await page.close();
        // A PNG of the viewport: the signature, and more than a blank page weighs.
        const bytes = fs.readFileSync(shot);
        expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
        expect(bytes.length).toBeGreaterThan(20_000);
      }
    });
  },
);
