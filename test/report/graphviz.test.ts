import { buildDiagram, nodeCount } from '../../lib/report/diagram';
import { renderSvg } from '../../lib/report/graphviz';
import type { Diagram } from '../../lib/report/model';
import { readCdkOut, readCdktfOut, type SynthesizedStack } from '../../lib/review/outputs';
import { resourceGraph } from '../../lib/review/resource-graph';
import { sharedSynthesis } from '../util/shared-synthesis';

let stacks: SynthesizedStack[];
const rendered = new Map<string, { diagram: Diagram; svg: string }>();
beforeAll(async () => {
  const { cdkOut, cdktfOut } = await sharedSynthesis('plain');
  stacks = [...readCdkOut(cdkOut), ...readCdktfOut(cdktfOut)];
  for (const cloud of ['aws', 'azure'] as const) {
    const diagram = buildDiagram(resourceGraph(stacks, 'prod', cloud));
    rendered.set(cloud, { diagram, svg: await renderSvg(diagram) });
  }
});

describe.each(['aws', 'azure'] as const)('the SVG of prod on %s', (cloud) => {
  const get = () => rendered.get(cloud)!;

  test('is an image named by its own title, with the node count for tools', () => {
    const { svg, diagram } = get();
    const root = /^<svg\b[^>]*>/.exec(svg)![0];
    expect(root).toContain('role="img"');
    expect(root).toContain(`aria-labelledby="prod-${cloud}-title"`);
    expect(root).toContain(`data-nodes="${nodeCount(diagram)}"`);
    expect(svg).toMatch(
      new RegExp(`<title id="prod-${cloud}-title">Diagram of prod on (AWS|Azure): ${nodeCount(diagram)} components`),
    );
  });

  test('draws every node and edge of the diagram', () => {
    const { svg, diagram } = get();
    expect(svg.match(/<g id="[^"]*" class="node/g)).toHaveLength(nodeCount(diagram));
    expect(svg.match(/<g id="[^"]*" class="edge/g) ?? []).toHaveLength(diagram.edges.length);
    for (const node of diagram.groups.flatMap((g) => g.nodes)) expect(svg).toContain(`id="prod-${cloud}-${node.id}"`);
  });

  test('every id is prefixed by environment and cloud and unique, so two diagrams can share a page', () => {
    const ids = [...get().svg.matchAll(/\bid="([^"]*)"/g)].map((m) => m[1]!);
    expect(ids.filter((id) => !id.startsWith(`prod-${cloud}-`))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('glyphs are inline symbols: one use per node, no image, nothing fetched', () => {
    const { svg, diagram } = get();
    expect(svg).not.toContain('<image');
    expect(svg.match(/<use href="#prod-[a-z]+-glyph-[a-z-]+"/g)).toHaveLength(nodeCount(diagram));
    for (const [, target] of svg.matchAll(/<use href="#([^"]+)"/g)) expect(svg).toContain(`<symbol id="${target}"`);
    const urls = [...svg.matchAll(/https?:\/\/[^\s"']+/g)].map((m) => m[0]);
    expect([...new Set(urls)].sort()).toEqual(['http://www.w3.org/1999/xlink', 'http://www.w3.org/2000/svg']);
  });

  test('has no XML prolog, doctype or comment: it is inlined into HTML', () => {
    expect(get().svg).toMatch(/^<svg\b/);
    expect(get().svg).not.toMatch(/<\?xml|<!DOCTYPE|<!--/);
  });
});

test('the same diagram lays out to the same SVG, byte for byte', async () => {
  const diagram = buildDiagram(resourceGraph(stacks, 'dev', 'azure'));
  expect(await renderSvg(diagram)).toBe(await renderSvg(diagram));
});
