import * as path from 'node:path';
import { SECTIONS } from '../../lib/core';
import {
  apiBreaks,
  apiSnapshot,
  bumpVersion,
  classifyBreaking,
  defaultBreaks,
  loadSpecDefaults,
  renderBreaking,
  requiredBump,
  reviewChanges,
  specDefaultsSnapshot,
  publishedRemoved,
  statefulIdsRemoved,
  type ApiSnapshot,
  type BreakingChange,
  type Review,
  type SpecDefaultsSnapshot,
  type SynthesizedStack,
} from '../../lib/review';

const root = path.resolve(__dirname, '../..');
const fixtures = path.join(__dirname, 'fixtures/breaking');

let ownSnapshot: ApiSnapshot | undefined;
/** This package's own API snapshot, read once for the file. */
function own(): ApiSnapshot {
  ownSnapshot ??= apiSnapshot(root);
  return ownSnapshot;
}

/** Kind, where and subject of each change: what a classification is, without its wording. */
function summary(changes: readonly BreakingChange[]): string[] {
  return changes.map((c) => `${c.kind} ${c.where} ${c.subject}`);
}

/** A deep copy with edits applied, so one real snapshot serves many heads. */
function edited<T>(value: T, edit: (copy: T) => void): T {
  const copy = structuredClone(value);
  edit(copy);
  return copy;
}

describe('apiSnapshot', () => {
  const base = apiSnapshot(path.join(fixtures, 'base'));

  test('lists each entry point’s exports with their kinds, props (optional, default) and public members', () => {
    expect(base).toEqual({
      entryPoints: {
        'platform-constructs': {
          NetworkSpec: {
            kinds: ['interface'],
            file: 'lib/core/index.ts',
            documented: true,
            props: {
              cidr: { optional: false, documented: true, declaredIn: 'lib/core/index.ts:NetworkSpec' },
              zones: { optional: false, documented: true, declaredIn: 'lib/core/index.ts:NetworkSpec' },
            },
          },
          Retention: { kinds: ['class'], file: 'lib/core/index.ts', documented: true, members: ['days'] },
          makeName: { kinds: ['function'], file: 'lib/core/index.ts', documented: true },
        },
        'platform-constructs/aws': {
          LegacyBucket: {
            kinds: ['class'],
            file: 'lib/aws/legacy-bucket.ts',
            documented: true,
            construct: true,
            members: [],
          },
          Network: {
            kinds: ['class'],
            file: 'lib/aws/network.ts',
            documented: true,
            construct: true,
            members: ['cidr', 'static fromVpcId', 'vpcId'],
          },
          NetworkProps: {
            kinds: ['interface'],
            file: 'lib/aws/network.ts',
            documented: true,
            props: {
              flowLogRetentionDays: {
                optional: true,
                default: '365',
                documented: true,
                declaredIn: 'lib/aws/network.ts:NetworkProps',
              },
              name: {
                optional: true,
                default: "- the environment's name",
                documented: true,
                declaredIn: 'lib/aws/network.ts:NetworkProps',
              },
              spec: { optional: false, documented: true, declaredIn: 'lib/aws/network.ts:NetworkProps' },
              tags: {
                optional: true,
                default: 'none.',
                documented: true,
                declaredIn: 'lib/aws/network.ts:NetworkProps',
              },
            },
          },
        },
        'platform-constructs/azure': {
          DEFAULT_LOCATION: { kinds: ['variable'], file: 'lib/azure/index.ts', documented: true },
        },
      },
    });
  });

  test('leaves out an entry point whose file is not there', () => {
    expect(Object.keys(apiSnapshot(path.join(fixtures, 'head')).entryPoints)).toEqual([
      'platform-constructs',
      'platform-constructs/aws',
    ]);
  });

  test('reads the three entry points of this package, constructs marked', () => {
    expect(Object.keys(own().entryPoints)).toEqual([
      'platform-constructs',
      'platform-constructs/aws',
      'platform-constructs/azure',
    ]);
    expect(own().entryPoints['platform-constructs/aws']!.Network!.construct).toBe(true);
    expect(own().entryPoints['platform-constructs/azure']!.Network!.construct).toBe(true);
    expect(own().entryPoints['platform-constructs']!.SpecError!.construct).toBeUndefined();
  });
});

describe('apiBreaks', () => {
  const base = apiSnapshot(path.join(fixtures, 'base'));
  const head = apiSnapshot(path.join(fixtures, 'head'));

  test('finds every removed, changed and newly required export or prop, and nothing that was only added', () => {
    expect(summary(classifyBreaking({ api: { base, head } }))).toEqual([
      'prop-removed platform-constructs NetworkSpec.zones',
      'export-changed platform-constructs Retention',
      'export-removed platform-constructs/aws LegacyBucket',
      'member-removed platform-constructs/aws Network.vpcId',
      'prop-required platform-constructs/aws NetworkProps.availabilityZones',
      'prop-required platform-constructs/aws NetworkProps.name',
      'entry-point-removed platform-constructs/azure platform-constructs/azure',
      'construct-default-changed platform-constructs/aws NetworkProps.flowLogRetentionDays',
    ]);
  });

  test('says what stops compiling, with the values that changed', () => {
    const found = apiBreaks(base, head);
    const of = (subject: string): BreakingChange => found.find((c) => c.subject === subject)!;
    expect(of('LegacyBucket').message).toBe(
      'LegacyBucket (a class) is no longer exported by platform-constructs/aws: code that imports it stops compiling. Keep exporting it (a deprecated alias of its new name) until a breaking release.',
    );
    expect(of('Retention')).toMatchObject({
      category: 'api',
      before: ['class'],
      after: ['type'],
      message:
        'Retention of platform-constructs was a class and is now a type: code that uses it as a class stops compiling.',
    });
    expect(of('NetworkProps.name')).toMatchObject({ before: 'optional', after: 'required' });
    expect(of('NetworkProps.flowLogRetentionDays')).toMatchObject({ category: 'default', before: '365', after: '30' });
  });

  test('a new required prop of an interface the library builds (not *Props or *Options) breaks nothing', () => {
    expect(summary(apiBreaks(base, head)).filter((s) => s.includes('zoneRedundant'))).toEqual([]);
  });

  test('the same snapshot breaks nothing', () => {
    expect(apiBreaks(base, base)).toEqual([]);
  });

  test('a prop removed from a copy of this package’s snapshot is found, and only that', () => {
    const aws = own().entryPoints['platform-constructs/aws']!;
    const [name, props] = Object.entries(aws).find(([n, e]) => n.endsWith('Props') && e.props !== undefined)!;
    const prop = Object.keys(props.props!)[0]!;
    const head = edited(own(), (copy) => {
      delete (copy.entryPoints['platform-constructs/aws']![name]!.props as Record<string, unknown>)[prop];
    });
    expect(summary(apiBreaks(own(), head))).toEqual([`prop-removed platform-constructs/aws ${name}.${prop}`]);
  });

  test('an optional prop of this package’s snapshot that becomes required is found', () => {
    const aws = own().entryPoints['platform-constructs/aws']!;
    const [name, props] = Object.entries(aws).find(
      ([n, e]) => n.endsWith('Props') && Object.values(e.props ?? {}).some((p) => p.optional),
    )!;
    const prop = Object.entries(props.props!).find(([, p]) => p.optional)![0];
    const head = edited(own(), (copy) => {
      const entry = copy.entryPoints['platform-constructs/aws']![name]!;
      (entry.props as Record<string, unknown>)[prop] = { ...entry.props![prop]!, optional: false };
    });
    expect(summary(apiBreaks(own(), head))).toEqual([`prop-required platform-constructs/aws ${name}.${prop}`]);
  });
});

describe('defaultBreaks', () => {
  const base = specDefaultsSnapshot(SECTIONS);
  const edit = (
    change: (copy: Record<string, Record<string, Record<string, unknown>>>) => void,
  ): SpecDefaultsSnapshot => edited(base as Record<string, Record<string, Record<string, unknown>>>, change);

  test('the snapshot holds every section of the registry, with both tiers', () => {
    expect(Object.keys(base)).toEqual(Object.keys(SECTIONS).sort());
    for (const tiers of Object.values(base)) expect(Object.keys(tiers)).toEqual(['development', 'production']);
    expect(JSON.parse(JSON.stringify(base))).toEqual(base);
  });

  test('loadSpecDefaults reads the same snapshot from a checkout', () => {
    expect(loadSpecDefaults(root)).toEqual(base);
  });

  test('loadSpecDefaults of a checkout without lib/core, or whose lib/core has no SECTIONS, is undefined', () => {
    expect(loadSpecDefaults(fixtures)).toBeUndefined();
    expect(loadSpecDefaults(path.join(fixtures, 'head'))).toBeUndefined();
  });

  test('a changed default is found with its values', () => {
    const zones = (base.network!.production as { zones: number }).zones;
    const head = edit((s) => {
      s.network!.production!.zones = zones - 1;
    });
    expect(defaultBreaks(base, head)).toEqual([
      {
        category: 'default',
        kind: 'spec-default-changed',
        where: 'network',
        subject: 'production.zones',
        before: zones,
        after: zones - 1,
        message: `network.zones defaults to ${zones - 1} instead of ${zones} in production environments: those that leave it out change at their next synth.`,
      },
    ]);
  });

  test('a list is one default: a changed list is one change', () => {
    const head = edit((s) => {
      const routing = s.monitoring!.production!.routing as { warning: string[] };
      routing.warning = [...routing.warning, 'pager'];
    });
    expect(summary(defaultBreaks(base, head))).toEqual(['spec-default-changed monitoring production.routing.warning']);
  });

  test('a removed and an added default are found; a removed section is found; a new section breaks nothing', () => {
    const head = edit((s) => {
      delete s.monitoring!.development!.logRetentionDays;
      s.network!.development!.ipv6 = true;
      delete s.backup;
      s.tracing = { development: { sampleRate: 1 }, production: { sampleRate: 0.1 } };
    });
    expect(summary(defaultBreaks(base, head))).toEqual([
      'spec-section-removed backup backup',
      'spec-default-removed monitoring development.logRetentionDays',
      'spec-default-added network development.ipv6',
    ]);
  });

  test('the same defaults break nothing', () => {
    expect(defaultBreaks(base, specDefaultsSnapshot(SECTIONS))).toEqual([]);
  });
});

describe('statefulIdsRemoved', () => {
  type Json = Record<string, unknown>;
  const aws = (json: Json, stack = 'platform-dev-foundation'): SynthesizedStack => ({
    cloud: 'aws',
    environment: 'dev',
    stack,
    file: `/nonexistent/${stack}.template.json`,
    bytes: 0,
    json,
  });
  const azure = (json: Json): SynthesizedStack => ({
    cloud: 'azure',
    environment: 'dev',
    stack: 'platform-dev',
    file: '/nonexistent/cdk.tf.json',
    bytes: 0,
    json,
  });
  const review = (base: SynthesizedStack[], head: SynthesizedStack[]): Review =>
    reviewChanges({ label: 'base', stacks: base }, { label: 'head', stacks: head });
  const logGroup = (name: string, extra: Json = {}): Json => ({
    Type: 'AWS::Logs::LogGroup',
    Properties: { LogGroupName: name },
    ...extra,
  });
  const topic = { Type: 'AWS::SNS::Topic', Properties: { DisplayName: 'alerts' } };
  const account = { name: 'stplatformdev', resource_group_name: 'rg', location: 'westeurope' };

  test('a renamed stateful logical ID is found, with the likely new ID and what is lost', () => {
    const changes = statefulIdsRemoved(
      review(
        [aws({ Resources: { AuditLogs: logGroup('/platform/dev/audit'), Topic: topic } })],
        [aws({ Resources: { AuditLogsV2: logGroup('/platform/dev/audit'), Topic: topic } })],
      ),
    );
    expect(changes).toEqual([
      {
        category: 'state',
        kind: 'stateful-id-removed',
        where: 'dev aws platform-dev-foundation',
        subject: 'AuditLogs',
        message:
          'The logical ID AuditLogs (AWS::Logs::LogGroup) disappears (renamed to AuditLogsV2?), for every team that upgrades. Deletes the log group /platform/dev/audit of dev and every log event in it. Keep the construct id (or pin the logical ID with overrideLogicalId).',
      },
    ]);
  });

  test('a retained one that disappears is found too (orphaned); a removed stateless one is not', () => {
    const changes = statefulIdsRemoved(
      review(
        [aws({ Resources: { Old: logGroup('/old', { DeletionPolicy: 'Retain' }), Topic: topic } })],
        [aws({ Resources: {} })],
      ),
    );
    expect(summary(changes)).toEqual(['stateful-id-removed dev aws platform-dev-foundation Old']);
    expect(changes[0]!.message).toMatch(/Keeps the log group \/old of dev \(retained\)/);
  });

  test('a parameter teams read when they join is found when removed; another parameter is not', () => {
    const parameter = (name: string, path: string): Json => ({
      Type: 'AWS::SSM::Parameter',
      Properties: { Name: name, Type: 'String', Value: 'vpc-1' },
      Metadata: { 'aws:cdk:path': `platform-dev/foundation/${path}/Resource` },
    });
    const published = parameter('/platform/dev/network/vpc-id', 'PlatformEnvironment/Network/vpc-id');
    const own = parameter('/platform/dev/other', 'Servers/web/Parameter');
    const found = publishedRemoved(
      review(
        [aws({ Resources: { VpcId: published, Own: own, Topic: topic } })],
        [aws({ Resources: { Topic: topic } })],
      ),
    );
    expect(found.map((c) => [c.category, c.kind, c.where, c.subject])).toEqual([
      [
        'api',
        'published-removed',
        'dev aws platform-dev-foundation',
        'platform-dev/foundation/PlatformEnvironment/Network/vpc-id/Resource',
      ],
    ]);
    expect(found[0]!.message).toMatch(/every team stack that joins it fails its next deployment/);
  });

  test('Azure: a resource teams look up by name is found when its name changes (replaced)', () => {
    const vnet = (name: string): Json => ({
      resource: {
        azurerm_virtual_network: {
          network: { name, resource_group_name: 'rg', location: 'westeurope', address_space: ['10.0.0.0/16'] },
        },
      },
    });
    const found = publishedRemoved(review([azure(vnet('vnet-platform-dev'))], [azure(vnet('vnet-platform-dev2'))]));
    expect(found.map((c) => [c.kind, c.subject])).toEqual([['published-removed', 'azurerm_virtual_network.network']]);
    expect(found[0]!.message).toMatch(/is replaced \(a new name or ID\)/);
  });

  test('a stack that leaves the app is not a library change', () => {
    const base = [
      aws({ Resources: { Topic: topic } }),
      aws({ Resources: { Logs: logGroup('/x') } }, 'platform-dev-old'),
    ];
    expect(statefulIdsRemoved(review(base, [aws({ Resources: { Topic: topic } })]))).toEqual([]);
  });

  test('Azure: a renamed address is found; with a moved block it is not', () => {
    const base = [azure({ resource: { azurerm_storage_account: { data: account } } })];
    const renamed = [azure({ resource: { azurerm_storage_account: { store: account } } })];
    const moved = [
      azure({
        moved: [{ from: 'azurerm_storage_account.data', to: 'azurerm_storage_account.store' }],
        resource: { azurerm_storage_account: { store: account } },
      }),
    ];
    const found = statefulIdsRemoved(review(base, renamed));
    expect(summary(found)).toEqual(['stateful-id-removed dev azure platform-dev azurerm_storage_account.data']);
    expect(found[0]!.message).toMatch(
      /^The address azurerm_storage_account.data \(azurerm_storage_account\) disappears \(renamed to azurerm_storage_account.store\?\).* add a `moved` block from the old address\.$/,
    );
    expect(statefulIdsRemoved(review(base, moved))).toEqual([]);
  });

  test('a between review compares environments, not versions: nothing', () => {
    const changed = review([aws({ Resources: { A: logGroup('/a') } })], [aws({ Resources: {} })]);
    expect(statefulIdsRemoved(changed)).toHaveLength(1);
    expect(statefulIdsRemoved({ ...changed, mode: 'between' })).toEqual([]);
  });
});

describe('classifyBreaking', () => {
  test('lists state, then API, then defaults; an empty input breaks nothing', () => {
    const api = { base: apiSnapshot(path.join(fixtures, 'base')), head: apiSnapshot(path.join(fixtures, 'head')) };
    const defaults = { base: specDefaultsSnapshot(SECTIONS), head: {} };
    const state = reviewChanges(
      {
        label: 'base',
        stacks: [
          {
            cloud: 'aws',
            environment: 'dev',
            stack: 'platform-dev-foundation',
            file: '/nonexistent/t.json',
            bytes: 0,
            json: { Resources: { Logs: { Type: 'AWS::Logs::LogGroup' } } },
          },
        ],
      },
      {
        label: 'head',
        stacks: [
          {
            cloud: 'aws',
            environment: 'dev',
            stack: 'platform-dev-foundation',
            file: '/nonexistent/t.json',
            bytes: 0,
            json: { Resources: {} },
          },
        ],
      },
    );
    const categories = classifyBreaking({ review: state, api, defaults }).map((c) => c.category);
    expect([...new Set(categories)]).toEqual(['state', 'api', 'default']);
    expect(categories.filter((c) => c === 'state')).toHaveLength(1);
    expect(classifyBreaking({})).toEqual([]);
  });
});

describe('versions', () => {
  const one: BreakingChange[] = [
    { category: 'api', kind: 'export-removed', where: 'platform-constructs/aws', subject: 'X', message: 'X is gone.' },
  ];

  test('in 0.x a breaking change raises the minor version; from 1.0.0 the major', () => {
    expect([requiredBump(one, '0.1.0'), bumpVersion('0.1.0', requiredBump(one, '0.1.0'))]).toEqual(['minor', '0.2.0']);
    expect([requiredBump(one, '1.4.2'), bumpVersion('1.4.2', requiredBump(one, '1.4.2'))]).toEqual(['major', '2.0.0']);
    expect([requiredBump([], '0.1.0'), bumpVersion('0.1.0', 'patch')]).toEqual(['patch', '0.1.1']);
  });

  test('a version that is not MAJOR.MINOR.PATCH is refused', () => {
    expect(() => requiredBump(one, 'next')).toThrow(/next: not a semantic version \(MAJOR.MINOR.PATCH\)/);
  });
});

describe('renderBreaking', () => {
  const changes: BreakingChange[] = [
    {
      category: 'state',
      kind: 'stateful-id-removed',
      where: 'dev aws platform-dev-foundation',
      subject: 'Logs',
      message: 'The logical ID Logs disappears.',
    },
    { category: 'api', kind: 'export-removed', where: 'platform-constructs/aws', subject: 'X', message: 'X is gone.' },
  ];

  test('text: the count, the version the release needs, and each change under its category', () => {
    expect(renderBreaking(changes, { version: '0.1.0' })).toBe(
      [
        'Breaking for application teams',
        '',
        '2 breaking changes: release as 0.2.0 at least (minor bump from 0.1.0; docs/versioning.md).',
        '',
        'Stateful resources whose logical ID or address disappears:',
        '',
        '  dev aws platform-dev-foundation Logs: The logical ID Logs disappears.',
        '',
        'Exports and props of the entry points:',
        '',
        '  platform-constructs/aws X: X is gone.',
        '',
      ].join('\n'),
    );
  });

  test('markdown: a heading and code-formatted places', () => {
    const text = renderBreaking(changes.slice(1), { format: 'markdown' });
    expect(text.split('\n').slice(0, 3)).toEqual([
      '### Breaking for application teams',
      '',
      '1 breaking change (docs/versioning.md).',
    ]);
    expect(text).toContain('- `platform-constructs/aws` `X`: X is gone.');
  });

  test('nothing breaking says so', () => {
    expect(renderBreaking([])).toBe('Breaking for application teams\n\nNothing breaks for application teams.\n');
  });
});

/** Keeps the ApiSnapshot type import honest: a snapshot is plain JSON. */
test('an API snapshot survives a JSON round trip unchanged', () => {
  const snapshot: ApiSnapshot = apiSnapshot(path.join(fixtures, 'base'));
  expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
});
