import type { Graphviz } from '@hpcc-js/wasm-graphviz';
import { TEXT } from '../review/palette';
import { nodeCount } from './diagram';
import { glyphFile, idPrefix, toDot } from './dot';
import { GLYPHS } from './icons';
import type { Category, Diagram } from './model';

let loaded: Promise<Graphviz> | undefined;

/** Graphviz compiled to WebAssembly (@hpcc-js/wasm-graphviz: no system package, the same layout on every machine). */
function graphviz(): Promise<Graphviz> {
  // The package is ES modules only: Node 20.19+ requires it natively, jest through its transform.
  loaded ??= import('@hpcc-js/wasm-graphviz').then((module) => module.Graphviz.load());
  return loaded;
}

/** Glyph size in the label, in points. */
const GLYPH_SIZE = 16;

/** Escapes text for SVG. */
function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * A diagram as a self-contained SVG to inline in a page: laid out by Graphviz; each glyph an inline `<use>` of a
 * `<symbol>` in the SVG's own `<defs>` (no file, no request); every id prefixed by environment and cloud; the root
 * `role="img"`, named by its `<title>` and carrying `data-nodes` (the node count, for tests and tools).
 */
export async function renderSvg(diagram: Diagram): Promise<string> {
  const gv = await graphviz();
  const categories = [...new Set(diagram.groups.flatMap((g) => g.nodes.map((n) => n.category)))].sort();
  const images = categories.map((category) => ({
    path: glyphFile(category),
    width: `${GLYPH_SIZE}px`,
    height: `${GLYPH_SIZE}px`,
  }));
  const raw = gv.dot(toDot(diagram), 'svg', { images });
  return finishSvg(raw, diagram, categories);
}

/** Post-processes Graphviz's SVG: see {@link renderSvg}. */
export function finishSvg(raw: string, diagram: Diagram, categories: readonly Category[]): string {
  const prefix = idPrefix(diagram);
  const nodes = nodeCount(diagram);
  const edges = diagram.edges.length;
  const cloud = diagram.cloud === 'aws' ? 'AWS' : 'Azure';
  const name = `Diagram of ${diagram.environment} on ${cloud}: ${nodes} components in ${diagram.groups.length} groups, ${edges} references`;
  let svg = raw
    .replace(/<\?xml[^>]*\?>\s*/g, '')
    .replace(/<!DOCTYPE[^>]*>\s*/g, '')
    .replace(/<!--[\s\S]*?-->\s*/g, '')
    // Graphviz writes every hyphen as a character reference; ids are then matched as written.
    .replace(/&#45;/g, '-');
  // Graphviz writes each glyph as <image xlink:href="glyph-x.svg" .../>: an inline symbol instead.
  svg = svg.replace(/<image\b([^>]*)\/>/g, (_match, attributes: string) => {
    const file = /xlink:href="glyph-([a-z-]+)\.svg"/.exec(attributes)?.[1] ?? 'generic';
    const x = /\bx="([^"]*)"/.exec(attributes)?.[1] ?? '0';
    const y = /\by="([^"]*)"/.exec(attributes)?.[1] ?? '0';
    const width = /\bwidth="([\d.]+)/.exec(attributes)?.[1] ?? String(GLYPH_SIZE);
    const height = /\bheight="([\d.]+)/.exec(attributes)?.[1] ?? String(GLYPH_SIZE);
    return `<use href="#${prefix}glyph-${file}" x="${x}" y="${y}" width="${width}" height="${height}" class="glyph"/>`;
  });
  // The root: pixel size from the points Graphviz computed, scaled down to the page's width by CSS.
  svg = svg.replace(/<svg\b([^>]*)>/, (_match, attributes: string) => {
    const width = /\bwidth="([\d.]+)pt"/.exec(attributes)?.[1] ?? '800';
    const height = /\bheight="([\d.]+)pt"/.exec(attributes)?.[1] ?? '600';
    const viewBox = /\bviewBox="([^"]*)"/.exec(attributes)?.[1] ?? `0 0 ${width} ${height}`;
    const defs = categories
      .map(
        (category) =>
          `<symbol id="${prefix}glyph-${category}" viewBox="0 0 24 24" fill="none" stroke="currentColor" ` +
          `stroke-width="1.7" stroke-linecap="round" stroke-linejoin="round">${GLYPHS[category]}</symbol>`,
      )
      .join('');
    return (
      `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" ` +
      `width="${Math.ceil(Number(width))}" height="${Math.ceil(Number(height))}" viewBox="${viewBox}" ` +
      `role="img" aria-labelledby="${prefix}title" data-nodes="${nodes}" data-edges="${edges}" ` +
      `class="diagram-svg" style="color:${TEXT}">` +
      `<title id="${prefix}title">${escapeXml(name)}</title><defs>${defs}</defs>`
    );
  });
  return `${svg.trim()}\n`;
}
