import { callout, code, escapeHtml, legend, LINK, longText, STYLE, table } from '../../lib/report/html';
import { CHANGE_STYLES, contrastRatio, GROUP_FILL, MUTED_TEXT, PAGE_BACKGROUND, TEXT } from '../../lib/review/palette';

describe('escapeHtml', () => {
  test('escapes the five characters of markup', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  test('writes the colon of a URL scheme as a reference, so the source holds no URL', () => {
    expect(escapeHtml('webhook https://example.com/x')).toBe('webhook https&#58;//example.com/x');
  });

  test('writes anything as text', () => {
    expect([escapeHtml(3), escapeHtml(undefined), code('<b>')]).toEqual(['3', 'undefined', '<code>&lt;b&gt;</code>']);
  });
});

describe('table', () => {
  test('has a caption and column headers, and keeps the cells as given', () => {
    expect(table('Alarms & more', ['Name', 'Kind'], [['<code>a</code>', { html: '2', className: 'num' }]])).toBe(
      [
        '<table>',
        '<caption>Alarms &amp; more</caption>',
        '<thead><tr><th scope="col">Name</th><th scope="col">Kind</th></tr></thead>',
        '<tbody>',
        '<tr><td><code>a</code></td><td class="num">2</td></tr>',
        '</tbody>',
        '</table>',
      ].join('\n'),
    );
  });

  test('is a sentence when it has no rows', () => {
    expect(table('Checks', ['Name'], [], 'No synthetic checks.')).toBe('<p>No synthetic checks.</p>');
  });
});

test('long text is cut short, the whole of it behind a disclosure', () => {
  expect(longText('short')).toBe('short');
  expect(longText('x'.repeat(200), 10)).toBe(
    `<details><summary>${'x'.repeat(9)}…</summary><code>${'x'.repeat(200)}</code></details>`,
  );
});

test('the legend has every change style with its tag and word, in its own colours', () => {
  const html = legend();
  for (const key of ['unchanged', 'create', 'update', 'replace', 'may-replace', 'orphan', 'ghost'] as const) {
    const style = CHANGE_STYLES[key];
    const words = escapeHtml(`${style.tag ? `${style.tag} ` : ''}${style.legend}`);
    expect(html).toContain(
      `<li style="background:${style.fill};border-color:${style.stroke};border-style:${style.dashed ? 'dashed' : 'solid'};color:${style.text}">${words}</li>`,
    );
  }
});

test('a callout leads with its words and a mark, so colour is not the only cue', () => {
  expect(callout('loss', 'Data loss:', '1 change')).toBe(
    '<div class="callout loss" role="note"><strong>⚠ Data loss:</strong> 1 change</div>',
  );
});

describe('colours', () => {
  const colours = (property: string): string[] =>
    [...STYLE.matchAll(new RegExp(`(?:^|[\\s;{])${property}:\\s*(#[0-9a-f]{6})`, 'gi'))].map((m) =>
      m[1]!.toLowerCase(),
    );
  const palette = new Set(
    [
      TEXT,
      MUTED_TEXT,
      PAGE_BACKGROUND,
      GROUP_FILL,
      ...Object.values(CHANGE_STYLES).flatMap((s) => [s.fill, s.stroke, s.text]),
    ].map((c) => c.toLowerCase()),
  );

  test("every text and background colour of the stylesheet is the palette's", () => {
    const used = [...colours('color'), ...colours('background')];
    expect(used.length).toBeGreaterThan(5);
    expect(used.filter((c) => !palette.has(c))).toEqual([]);
  });

  test('every text colour reads at 4.5:1 or more on every background of the stylesheet', () => {
    const backgrounds = [PAGE_BACKGROUND, ...colours('background')];
    const weak = colours('color').flatMap((text) =>
      backgrounds.filter((bg) => contrastRatio(text, bg) < 4.5).map((bg) => `${text} on ${bg}`),
    );
    expect(weak).toEqual([]);
  });

  test('links are the palette blue and read at 4.5:1 on the page and on the header', () => {
    expect(LINK).toBe(CHANGE_STYLES.update.stroke);
    expect(Math.min(contrastRatio(LINK, PAGE_BACKGROUND), contrastRatio(LINK, GROUP_FILL))).toBeGreaterThanOrEqual(4.5);
  });

  test("the legend's text reads at 4.5:1 on its fill", () => {
    const weak = Object.entries(CHANGE_STYLES).filter(([, s]) => contrastRatio(s.text, s.fill) < 4.5);
    expect(weak).toEqual([]);
  });
});
