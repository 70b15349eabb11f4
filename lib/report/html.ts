import { CHANGE_STYLES, GROUP_FILL, MUTED_TEXT, PAGE_BACKGROUND, TEXT, type ChangeStyleKey } from '../review/palette';

/**
 * Escapes text for HTML content and attribute values (`& < > " '`). The `:` of a scheme (`https://`) is written
 * as a character reference too: it reads the same, and the page's source then holds no URL, so "nothing on the
 * page points outside" is checked by looking for `http` alone. An endpoint is text, never a link.
 */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/:\/\//g, '&#58;//');
}

/** Text in `<code>`, escaped. */
export function code(value: unknown): string {
  return `<code>${escapeHtml(value)}</code>`;
}

/** Links: the blue of the palette's `update` outline (5.2:1 on the page, 4.9:1 on a table header). */
export const LINK = CHANGE_STYLES.update.stroke;

/** The borders of tables and boxes: decorative, the text beside them carries the meaning. */
const BORDER = '#d1d9e0';

/** The one stylesheet of every page: system fonts, the palette's colours, tables that wrap. */
export const STYLE = `
:root { color: ${TEXT}; background: ${PAGE_BACKGROUND}; }
body { font-family: Helvetica, Arial, "Liberation Sans", sans-serif; margin: 0; line-height: 1.45; font-size: 15px; }
header { border-bottom: 1px solid ${BORDER}; padding: 8px 24px; background: ${GROUP_FILL}; }
main, footer { padding: 0 24px; max-width: 1600px; }
nav ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 2px 14px; }
nav + nav ul { margin-top: 4px; font-size: 13px; }
nav li.label { font-weight: bold; }
a { color: ${LINK}; }
a[aria-current="page"] { color: ${TEXT}; font-weight: bold; text-decoration: none; }
h1 { font-size: 26px; margin: 16px 0 4px; }
h2 { font-size: 21px; margin: 30px 0 8px; border-bottom: 1px solid ${BORDER}; padding-bottom: 4px; }
h3 { font-size: 17px; margin: 22px 0 6px; }
h4 { font-size: 15px; margin: 14px 0 4px; }
.meta, figcaption, caption, .muted { color: ${MUTED_TEXT}; }
table { border-collapse: collapse; margin: 6px 0 14px; font-size: 13px; }
caption { text-align: left; padding: 2px 0; font-size: 13px; }
th, td { border: 1px solid ${BORDER}; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: ${GROUP_FILL}; }
td.num, th.num { text-align: right; }
td.wide { min-width: 16em; }
td.name { min-width: 17em; }
td.route { min-width: 15em; }
td.measure { min-width: 12em; max-width: 24em; overflow-wrap: anywhere; }
td.when { min-width: 8em; }
td.rule { min-width: 12em; }
code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; font-size: 12px; overflow-wrap: anywhere; }
figure.diagram { margin: 8px 0; overflow-x: auto; border: 1px solid ${BORDER}; border-radius: 6px; padding: 8px; }
figure.diagram svg { max-width: 100%; height: auto; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 12px; padding: 0; margin: 6px 0; list-style: none; font-size: 13px; }
.legend li { border: 2px solid; border-radius: 6px; padding: 1px 8px; }
.callout { border-left: 6px solid; padding: 6px 12px; margin: 8px 0; color: ${TEXT}; }
.callout.loss { border-color: ${CHANGE_STYLES.destroy.stroke}; background: ${CHANGE_STYLES.replace.fill}; }
.callout.access { border-color: ${CHANGE_STYLES.orphan.stroke}; background: ${CHANGE_STYLES.orphan.fill}; }
.callout.none { border-color: ${CHANGE_STYLES.create.stroke}; background: ${CHANGE_STYLES.create.fill}; }
.severity-critical { font-weight: bold; }
details { margin: 4px 0 12px; }
summary { cursor: pointer; }
`;

/** A whole page: `lang`, a `<title>`, the stylesheet, the navigation in a header, the body in `<main>`. */
export function page(title: string, navigation: string, body: string): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<header>${navigation}</header>`,
    `<main>\n${body}\n</main>`,
    '<footer><p class="muted">Drawn from the synthesized output by <code>npm run report</code>.</p></footer>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** One cell: HTML already escaped, with an optional class (`num`, `wide`). */
export interface Cell {
  /** The cell's HTML. */
  readonly html: string;
  /** Its class. */
  readonly className?: string;
}

/**
 * A table with a caption and column headers; the cells are HTML (escape what they hold). An empty list is a
 * sentence instead (`empty`), so a screen reader hears no empty table.
 */
export function table(
  caption: string,
  headers: readonly string[],
  rows: readonly (readonly (string | Cell)[])[],
  empty = 'None.',
): string {
  if (rows.length === 0) return `<p>${escapeHtml(empty)}</p>`;
  const head = headers.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('');
  const cell = (c: string | Cell): string =>
    typeof c === 'string' ? `<td>${c}</td>` : `<td${c.className ? ` class="${c.className}"` : ''}>${c.html}</td>`;
  const body = rows.map((row) => `<tr>${row.map(cell).join('')}</tr>`).join('\n');
  return `<table>\n<caption>${escapeHtml(caption)}</caption>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

/** A number, right-aligned. */
export function num(value: number): Cell {
  return { html: String(value), className: 'num' };
}

/** Long text shortened to `limit` characters, the whole of it behind a `<details>`. */
export function longText(value: string, limit = 140): string {
  if (value.length <= limit) return escapeHtml(value);
  return `<details><summary>${escapeHtml(`${value.slice(0, limit - 1)}…`)}</summary>${code(value)}</details>`;
}

/** The order the legend lists the change styles in (`destroy` and `ghost` are drawn alike: the ghost is listed). */
const LEGEND_KEYS: readonly ChangeStyleKey[] = [
  'unchanged',
  'create',
  'update',
  'replace',
  'may-replace',
  'orphan',
  'ghost',
];

/**
 * The legend of the change colours: each entry in its own fill, outline (dashed where the diagram dashes) and
 * text colour, with the tag and the word, so colour is never the only cue.
 */
export function legend(): string {
  const items = LEGEND_KEYS.map((key) => {
    const style = CHANGE_STYLES[key];
    const look = `background:${style.fill};border-color:${style.stroke};border-style:${style.dashed ? 'dashed' : 'solid'};color:${style.text}`;
    return `<li style="${look}">${escapeHtml(`${style.tag ? `${style.tag} ` : ''}${style.legend}`)}</li>`;
  });
  const warning = `<li style="border-color:${CHANGE_STYLES.destroy.stroke};color:${TEXT}">⚠ loses data or widens access</li>`;
  return `<ul class="legend" aria-label="Legend of the change colours">${items.join('')}${warning}</ul>`;
}

/** A callout: data loss (red outline), widened access (amber), or all clear (green), always led by its words. */
export function callout(kind: 'loss' | 'access' | 'none', title: string, html: string): string {
  const mark = kind === 'none' ? '✓' : '⚠';
  return `<div class="callout ${kind}" role="note"><strong>${mark} ${escapeHtml(title)}</strong> ${html}</div>`;
}

/** Singular or plural: `1 alarm`, `2 alarms`. */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}
