import * as path from 'node:path';
import { importCycles, importGraph, importSpecifiers, type ImportGraph } from '../util/imports';

const root = path.resolve(__dirname, '../..');

/** A graph from `a -> b` pairs, every file named. */
function graphOf(edges: ReadonlyArray<readonly [string, string]>): ImportGraph {
  const graph = new Map<string, string[]>();
  for (const [from, to] of edges) {
    graph.set(from, [...(graph.get(from) ?? []), to].sort());
    if (!graph.has(to)) graph.set(to, []);
  }
  return graph;
}

describe('import circles', () => {
  // Two files that import each other can be neither read nor changed alone, and the order they load in decides
  // which sees the other half-initialised. A shared file beneath both breaks the circle.
  const graph = importGraph(root, ['lib', 'stacks', 'bin']);
  const cycles = importCycles(graph);

  test.each(['lib/core', 'lib/aws', 'lib/azure', 'lib/review', 'lib/report', 'stacks', 'bin'])(
    'no file under %s/ imports itself through others',
    (folder) => {
      expect([...graph.keys()].filter((f) => f.startsWith(`${folder}/`)).length).toBeGreaterThan(0);
      expect(cycles.filter((c) => c.split(' -> ').some((f) => f.startsWith(`${folder}/`)))).toEqual([]);
    },
  );

  test('the graph follows every kind of relative import, to the file it resolves to', () => {
    // bin/aws.ts: a static import of a folder (its index.ts), and of files of bin/cli.
    expect(graph.get('bin/aws.ts')).toEqual([
      'bin/cli/command.ts',
      'bin/cli/load-environments.ts',
      'bin/cli/sources.ts',
      'stacks/aws/index.ts',
    ]);
    // bin/cli/synth-unit.ts: a type-only import and two dynamic imports, which load a cloud only when it is used.
    expect(graph.get('bin/cli/synth-unit.ts')).toEqual([
      'lib/core/index.ts',
      'stacks/aws/index.ts',
      'stacks/azure/index.ts',
    ]);
    expect(
      importSpecifiers(
        "import type { A } from './a';\nexport * from './b';\nconst c = import('./c');\nrequire('./d');\n// import './e';\nconst f = \"import('./f')\";\n",
      ),
    ).toEqual(['./a', './b', './c', './d']);
  });

  describe('the check itself', () => {
    test('reports a circle of two files, and one of three, each once, from its smallest file', () => {
      const graph = graphOf([
        ['lib/aws/monitoring.ts', 'lib/aws/log-analysis.ts'],
        ['lib/aws/log-analysis.ts', 'lib/aws/monitoring.ts'],
        ['lib/azure/network.ts', 'lib/azure/network-alarms.ts'],
        ['lib/azure/network-alarms.ts', 'lib/azure/monitoring.ts'],
        ['lib/azure/monitoring.ts', 'lib/azure/network.ts'],
        ['lib/azure/monitoring.ts', 'lib/core/index.ts'],
      ]);
      expect(importCycles(graph)).toEqual([
        'lib/aws/log-analysis.ts -> lib/aws/monitoring.ts -> lib/aws/log-analysis.ts',
        'lib/azure/monitoring.ts -> lib/azure/network.ts -> lib/azure/network-alarms.ts -> lib/azure/monitoring.ts',
      ]);
    });

    test('reports a file that imports itself, and every circle through a shared file', () => {
      const graph = graphOf([
        ['a.ts', 'a.ts'],
        ['b.ts', 'c.ts'],
        ['c.ts', 'b.ts'],
        ['c.ts', 'd.ts'],
        ['d.ts', 'c.ts'],
      ]);
      expect(importCycles(graph)).toEqual(['a.ts -> a.ts', 'b.ts -> c.ts -> b.ts', 'c.ts -> d.ts -> c.ts']);
    });

    test('finds none in layers that only import downwards', () => {
      const graph = graphOf([
        ['bin/platform.ts', 'bin/cli/synth.ts'],
        ['bin/cli/synth.ts', 'stacks/aws/index.ts'],
        ['bin/cli/synth.ts', 'lib/core/index.ts'],
        ['stacks/aws/index.ts', 'lib/core/index.ts'],
      ]);
      expect(importCycles(graph)).toEqual([]);
    });
  });
});
