import * as path from 'node:path';
import { apiSnapshot, type ApiSnapshot } from '../../lib/review';

const root = path.resolve(__dirname, '../..');
const fixtures = path.resolve(__dirname, '../review/fixtures/breaking');

/** One gap in the TSDoc that application teams read in docs/api. */
interface Gap {
  /** The file that declares the symbol. */
  readonly file: string;
  /** `class Network`, `NetworkProps.zones`. */
  readonly symbol: string;
  /** What is missing. */
  readonly missing: 'summary' | '@default';
}

/**
 * The gaps of the entry points: a construct class without a summary; a property of a `*Props` interface without a
 * summary, or optional without a documented default (`@default`, or `Default: ...` in its summary). A property
 * inherited by several interfaces is reported once, where it is declared.
 */
function gapsOf(snapshot: ApiSnapshot): Gap[] {
  const gaps = new Map<string, Gap>();
  const add = (gap: Gap): void => {
    gaps.set(`${gap.file} ${gap.symbol} ${gap.missing}`, gap);
  };
  for (const exports of Object.values(snapshot.entryPoints)) {
    for (const [name, exported] of Object.entries(exports)) {
      if (exported.construct && !exported.documented)
        add({ file: exported.file, symbol: `class ${name}`, missing: 'summary' });
      if (!name.endsWith('Props') || exported.props === undefined) continue;
      for (const [prop, described] of Object.entries(exported.props)) {
        const [file = '?', owner = name] = described.declaredIn.split(':');
        if (!described.documented) add({ file, symbol: `${owner}.${prop}`, missing: 'summary' });
        if (described.optional && described.default === undefined)
          add({ file, symbol: `${owner}.${prop}`, missing: '@default' });
      }
    }
  }
  return [...gaps.values()].sort(
    (a, b) => compare(a.file, b.file) || compare(a.missing, b.missing) || compare(a.symbol, b.symbol),
  );
}

/** The gaps by file, as a failure message lists them. */
function report(gaps: readonly Gap[], missing: Gap['missing']): string {
  const selected = gaps.filter((g) => g.missing === missing);
  if (selected.length === 0) return 'none';
  const files = [...new Set(selected.map((g) => g.file))];
  const what = missing === 'summary' ? 'without a TSDoc summary' : 'optional without @default';
  return [
    `${selected.length} ${what}, in ${files.length} files:`,
    ...files.flatMap((file) => {
      const inFile = selected.filter((g) => g.file === file);
      return [`${file} (${inFile.length}):`, ...inFile.map((g) => `  ${g.symbol}`)];
    }),
  ].join('\n');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

describe('the TSDoc of the entry points (what docs/api shows)', () => {
  const gaps = gapsOf(apiSnapshot(root));

  test('every exported construct class and every prop of an exported *Props interface has a summary', () => {
    expect(report(gaps, 'summary')).toBe('none');
  });

  test('every optional prop of an exported *Props interface documents its default', () => {
    expect(report(gaps, '@default')).toBe('none');
  });
});

describe('the gap check itself', () => {
  const fixture = apiSnapshot(path.join(fixtures, 'base'));

  test('a documented fixture has no gaps; `Default:` in a summary counts as a documented default', () => {
    expect(fixture.entryPoints['platform-constructs/aws']!.NetworkProps!.props!.tags!.default).toBe('none.');
    expect(gapsOf(fixture)).toEqual([]);
  });

  test('finds a construct without a summary, and a prop without a summary or a default, by file', () => {
    const copy = structuredClone(fixture) as {
      entryPoints: Record<string, Record<string, { documented: boolean; props?: Record<string, object> }>>;
    };
    const aws = copy.entryPoints['platform-constructs/aws']!;
    aws.Network!.documented = false;
    aws.NetworkProps!.props!.name = {
      optional: true,
      documented: false,
      declaredIn: 'lib/aws/network.ts:NetworkProps',
    };
    const found = gapsOf(copy as ApiSnapshot);
    expect(report(found, 'summary')).toBe(
      [
        '2 without a TSDoc summary, in 1 files:',
        'lib/aws/network.ts (2):',
        '  NetworkProps.name',
        '  class Network',
      ].join('\n'),
    );
    expect(report(found, '@default')).toBe(
      ['1 optional without @default, in 1 files:', 'lib/aws/network.ts (1):', '  NetworkProps.name'].join('\n'),
    );
  });
});
