import { diffAwsEnvironment } from '../../lib/review/aws-diff';
import type { DraftChange, EnvironmentDiff } from '../../lib/review/model';
import type { SynthesizedStack } from '../../lib/review/outputs';
import { errorOf } from '../util/fixtures';

type Template = Record<string, unknown>;

/** A synthesized stack of dev whose template lives nowhere on disk (so it has no asset manifest). */
function stack(name: string, json: Template, extra: Partial<SynthesizedStack> = {}): SynthesizedStack {
  return {
    cloud: 'aws',
    environment: 'dev',
    stack: name,
    file: `/nonexistent/${name}.template.json`,
    bytes: 0,
    json,
    ...extra,
  };
}

/** Reviews one stack `app` from `base` to `head` (undefined: the stack is not on that side). */
function review(base: Template | undefined, head: Template | undefined, newEnvironment = false): EnvironmentDiff {
  return diffAwsEnvironment('dev', base ? [stack('app', base)] : [], head ? [stack('app', head)] : [], {
    newEnvironment,
  });
}

function resources(entries: Record<string, unknown>): Template {
  return { Resources: entries };
}

const topic = { Type: 'AWS::SNS::Topic', Properties: { DisplayName: 'alerts' } };
const alarm = (threshold: number): Record<string, unknown> => ({
  Type: 'AWS::CloudWatch::Alarm',
  Properties: { MetricName: 'Errors', Namespace: 'App', Threshold: threshold, EvaluationPeriods: 1 },
});
const subnet = (cidr: string): Record<string, unknown> => ({
  Type: 'AWS::EC2::Subnet',
  Properties: { VpcId: 'vpc-1', CidrBlock: cidr },
});

/** A change with every field at its quiet default, for exact comparisons. */
function change(fields: Partial<DraftChange> & Pick<DraftChange, 'id' | 'type' | 'action'>): DraftChange {
  return { stack: 'app', stateful: false, dataLoss: false, properties: [], security: [], notes: [], ...fields };
}

describe('actions', () => {
  test('a new resource is created, with no property list', () => {
    expect(review(resources({}), resources({ Topic: topic })).changes).toEqual([
      change({ id: 'Topic', type: 'AWS::SNS::Topic', action: 'create' }),
    ]);
  });

  test('a property that updates in place is an update, with its before and after', () => {
    expect(review(resources({ Alarm: alarm(10) }), resources({ Alarm: alarm(3) })).changes).toEqual([
      change({
        id: 'Alarm',
        type: 'AWS::CloudWatch::Alarm',
        action: 'update',
        properties: [{ path: 'Threshold', replacement: 'never', before: 10, after: 3 }],
      }),
    ]);
  });

  test('an immutable property replaces the resource', () => {
    expect(
      review(resources({ Subnet: subnet('10.0.0.0/24') }), resources({ Subnet: subnet('10.0.1.0/24') })).changes,
    ).toEqual([
      change({
        id: 'Subnet',
        type: 'AWS::EC2::Subnet',
        action: 'replace',
        properties: [{ path: 'CidrBlock', replacement: 'always', before: '10.0.0.0/24', after: '10.0.1.0/24' }],
      }),
    ]);
  });

  test('a property CloudFormation replaces on some changes is may-replace', () => {
    const instance = (type: string): Record<string, unknown> => ({
      Type: 'AWS::EC2::Instance',
      Properties: { ImageId: 'ami-1', InstanceType: type },
    });
    const [found] = review(resources({ Web: instance('t3.small') }), resources({ Web: instance('t3.large') })).changes;
    expect([found?.action, found?.properties]).toEqual([
      'may-replace',
      [{ path: 'InstanceType', replacement: 'maybe', before: 't3.small', after: 't3.large' }],
    ]);
  });

  test('a removed resource is destroyed, or orphaned when its DeletionPolicy is Retain', () => {
    const base = resources({ Deleted: topic, Kept: { ...topic, DeletionPolicy: 'Retain' } });
    expect(review(base, resources({})).changes).toEqual([
      change({ id: 'Deleted', type: 'AWS::SNS::Topic', action: 'destroy' }),
      change({ id: 'Kept', type: 'AWS::SNS::Topic', action: 'orphan' }),
    ]);
  });

  test('a resource that references a replaced one is replaced too, and says why', () => {
    const attachment = {
      Type: 'AWS::EC2::SubnetRouteTableAssociation',
      Properties: { SubnetId: { Ref: 'Subnet' }, RouteTableId: 'rtb-1' },
    };
    const found = review(
      resources({ Subnet: subnet('10.0.0.0/24'), Association: attachment }),
      resources({ Subnet: subnet('10.0.1.0/24'), Association: attachment }),
    ).changes.find((c) => c.id === 'Association');
    expect(found).toEqual(
      change({
        id: 'Association',
        type: 'AWS::EC2::SubnetRouteTableAssociation',
        action: 'replace',
        properties: [
          {
            path: 'SubnetId',
            replacement: 'always',
            before: { Ref: 'Subnet' },
            after: { Ref: 'Subnet' },
            cause: 'references Subnet, which is replaced',
          },
        ],
      }),
    );
  });

  test('a new type under the same logical ID replaces the resource', () => {
    expect(review(resources({ Thing: topic }), resources({ Thing: { Type: 'AWS::SQS::Queue' } })).changes).toEqual([
      change({
        id: 'Thing',
        type: 'AWS::SQS::Queue',
        action: 'replace',
        stateful: true,
        properties: [{ path: 'Type', replacement: 'always', before: 'AWS::SNS::Topic', after: 'AWS::SQS::Queue' }],
      }),
    ]);
  });

  test('attributes beside the properties are listed, never replacing, sorted with the properties by path', () => {
    const before = { ...alarm(10), DependsOn: ['Topic'], Metadata: { owner: 'a' } };
    const after = { ...alarm(3), DependsOn: ['Other', 'Topic'], DeletionPolicy: 'Retain', Metadata: { owner: 'b' } };
    const [found] = review(resources({ Alarm: before }), resources({ Alarm: after })).changes;
    expect(found?.properties).toEqual([
      { path: 'DeletionPolicy', replacement: 'never', after: 'Retain' },
      { path: 'DependsOn', replacement: 'never', before: ['Topic'], after: ['Other', 'Topic'] },
      { path: 'Metadata', replacement: 'never', before: { owner: 'a' }, after: { owner: 'b' } },
      { path: 'Threshold', replacement: 'never', before: 10, after: 3 },
    ]);
  });

  test('the construct path comes from the head, else the base; nothing is ever ignored on AWS', () => {
    const withPath = (path: string): Record<string, unknown> => ({ ...topic, Metadata: { 'aws:cdk:path': path } });
    const diff = review(
      resources({ Old: withPath('platform-dev/app/Old/Resource'), Moved: withPath('platform-dev/app/A/Resource') }),
      resources({ Moved: { ...withPath('platform-dev/app/B/Resource'), Properties: { DisplayName: 'new' } } }),
    );
    expect([diff.changes.map((c) => [c.id, c.path]), diff.ignored]).toEqual([
      [
        ['Moved', 'platform-dev/app/B/Resource'],
        ['Old', 'platform-dev/app/Old/Resource'],
      ],
      [],
    ]);
  });
});

describe('stacks', () => {
  test('every stack on either side has a status, in name order', () => {
    const diff = diffAwsEnvironment(
      'dev',
      [
        stack('same', resources({ T: topic })),
        stack('edited', resources({ A: alarm(1) })),
        stack('gone', resources({})),
      ],
      [
        stack('same', resources({ T: topic })),
        stack('edited', resources({ A: alarm(2) })),
        stack('new', resources({})),
      ],
      { newEnvironment: false },
    );
    expect(diff.stacks).toEqual([
      { stack: 'edited', status: 'changed' },
      { stack: 'gone', status: 'removed' },
      { stack: 'new', status: 'added' },
      { stack: 'same', status: 'unchanged' },
    ]);
  });

  test('a new stack creates everything in it', () => {
    const diff = diffAwsEnvironment('dev', [], [stack('app', resources({ B: topic, A: alarm(1) }))], {
      newEnvironment: true,
    });
    expect(diff.changes.map((c) => [c.id, c.action])).toEqual([
      ['A', 'create'],
      ['B', 'create'],
    ]);
  });

  test('a stack that leaves the app destroys or orphans everything, and says that deploy does not delete it', () => {
    const base = stack(
      'platform-dev-data',
      resources({ Q: { Type: 'AWS::SQS::Queue', DeletionPolicy: 'Retain' }, T: topic }),
      {
        terminationProtection: true,
      },
    );
    const diff = diffAwsEnvironment('dev', [base], [], { newEnvironment: false });
    const notes = [
      'platform-dev-data is no longer in the app, and cdk deploy does not delete a stack that leaves the app: this happens only when someone deletes the stack (cdk destroy platform-dev-data, or the CloudFormation console).',
      'platform-dev-data has termination protection: deleting it is refused until someone turns the protection off.',
    ];
    expect(diff.changes).toEqual([
      change({
        stack: 'platform-dev-data',
        id: 'Q',
        type: 'AWS::SQS::Queue',
        action: 'orphan',
        stateful: true,
        consequence:
          'Keeps the SQS queue Q of dev (retained) with its data, outside the stack: it is no longer managed; delete it or import it again by hand.',
        notes,
      }),
      change({ stack: 'platform-dev-data', id: 'T', type: 'AWS::SNS::Topic', action: 'destroy', notes }),
    ]);
  });
});

describe('noise', () => {
  const cdkNoise = {
    Resources: { CDKMetadata: { Type: 'AWS::CDK::Metadata', Properties: { Analytics: 'v2:deflate64:AAA' } } },
    Conditions: { CDKMetadataAvailable: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] } },
  };

  test('the CDK metadata resource and its condition are not a change', () => {
    const diff = review(resources({ T: topic }), { ...cdkNoise, Resources: { ...cdkNoise.Resources, T: topic } });
    expect([diff.stacks, diff.changes, diff.templateChanges]).toEqual([
      [{ stack: 'app', status: 'unchanged' }],
      [],
      [],
    ]);
  });

  test('the bootstrap version parameter and rule are not a change', () => {
    const bootstrap = {
      Parameters: { BootstrapVersion: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/cdk-bootstrap/x' } },
      Rules: { CheckBootstrapVersion: { Assertions: [] } },
    };
    const diff = review(resources({ T: topic }), { ...bootstrap, ...resources({ T: topic }) });
    expect([diff.stacks, diff.changes, diff.templateChanges]).toEqual([
      [{ stack: 'app', status: 'unchanged' }],
      [],
      [],
    ]);
  });

  test('construct paths, asset, cdk-nag and acknowledgement metadata are not a change', () => {
    const noisy = {
      ...topic,
      Metadata: {
        'aws:cdk:path': 'platform-dev/app/T/Resource',
        'aws:asset:path': 'asset.abc',
        'aws:asset:property': 'Code',
        cdk_nag: { rules_to_suppress: [] },
        'platform:review': [{ risk: 'security', reason: 'reviewed by the platform team' }],
      },
    };
    const diff = review(resources({ T: topic }), resources({ T: noisy }));
    expect([diff.stacks, diff.changes]).toEqual([[{ stack: 'app', status: 'unchanged' }], []]);
  });

  test('template metadata of the build is not a change', () => {
    const diff = review(resources({ T: topic }), {
      ...resources({ T: topic }),
      Metadata: { PlatformConstructs: { Tier: 'development' }, 'platform:review': [] },
    });
    expect([diff.stacks, diff.changes, diff.templateChanges]).toEqual([
      [{ stack: 'app', status: 'unchanged' }],
      [],
      [],
    ]);
  });

  test('a real change beside the noise is still found, and the noise is not in it', () => {
    const head = {
      ...cdkNoise,
      Resources: {
        ...cdkNoise.Resources,
        T: { ...topic, Metadata: { 'aws:cdk:path': 'p/app/T/Resource', cdk_nag: {}, owner: 'team-b' } },
      },
    };
    const diff = review(resources({ T: { ...topic, Metadata: { owner: 'team-a' } } }), head);
    expect(diff.changes).toEqual([
      change({
        id: 'T',
        type: 'AWS::SNS::Topic',
        action: 'update',
        path: 'p/app/T/Resource',
        properties: [
          { path: 'Metadata', replacement: 'never', before: { owner: 'team-a' }, after: { owner: 'team-b' } },
        ],
      }),
    ]);
  });

  test('normalizing never changes the input templates', () => {
    const head = {
      ...cdkNoise,
      Resources: { ...cdkNoise.Resources, T: { ...topic, Metadata: { 'aws:cdk:path': 'x' } } },
    };
    const copy = structuredClone(head);
    review(resources({}), head);
    expect(head).toEqual(copy);
  });
});

describe('data loss', () => {
  const bucket = (
    extra: Record<string, unknown> = {},
    properties: Record<string, unknown> = {},
  ): Record<string, unknown> => ({
    Type: 'AWS::S3::Bucket',
    Properties: { BucketName: 'platform-dev-logs', ...properties },
    ...extra,
  });

  test('destroying a stateful resource loses its data, named by its physical name', () => {
    expect(review(resources({ Logs: bucket() }), resources({})).changes).toEqual([
      change({
        id: 'Logs',
        type: 'AWS::S3::Bucket',
        action: 'destroy',
        stateful: true,
        dataLoss: true,
        consequence: 'Deletes the S3 bucket platform-dev-logs of dev and every object in it.',
      }),
    ]);
  });

  test('replacing a stateful resource loses its data', () => {
    const [found] = review(
      resources({ Logs: bucket({}, { ObjectLockEnabled: false }) }),
      resources({ Logs: bucket({}, { ObjectLockEnabled: true }) }),
    ).changes;
    expect([found?.action, found?.dataLoss, found?.consequence]).toEqual([
      'replace',
      true,
      'Replaces the S3 bucket platform-dev-logs of dev with a new, empty one: every object in it is lost.',
    ]);
  });

  test('replacing a stateful resource whose UpdateReplacePolicy is Retain keeps the old one, but the new one starts empty', () => {
    const retained = { UpdateReplacePolicy: 'Retain', DeletionPolicy: 'Retain' };
    const [found] = review(
      resources({ Logs: bucket(retained, { ObjectLockEnabled: false }) }),
      resources({ Logs: bucket(retained, { ObjectLockEnabled: true }) }),
    ).changes;
    expect([found?.dataLoss, found?.consequence]).toEqual([
      true,
      'Replaces the S3 bucket platform-dev-logs of dev with a new, empty one; the old one is kept (retained) outside the stack with every object in it, no longer used or managed.',
    ]);
  });

  test('an orphaned stateful resource keeps its data: no data loss', () => {
    const [found] = review(resources({ Logs: bucket({ DeletionPolicy: 'Retain' }) }), resources({})).changes;
    expect([found?.action, found?.dataLoss, found?.consequence]).toEqual([
      'orphan',
      false,
      'Keeps the S3 bucket platform-dev-logs of dev (retained) with its data, outside the stack: it is no longer managed; delete it or import it again by hand.',
    ]);
  });

  test('a server is named by its Name tag, else by its construct path below the stack, else by its ID', () => {
    const instance = (extra: Record<string, unknown>): Record<string, unknown> => ({
      Type: 'AWS::EC2::Instance',
      Properties: { ImageId: 'ami-1' },
      ...extra,
    });
    const diff = diffAwsEnvironment(
      'dev',
      [
        stack(
          'platform-dev-compute',
          resources({
            Tagged: instance({
              Properties: { ImageId: 'ami-1', Tags: [{ Key: 'Name', Value: 'platform-dev-web-1' }] },
            }),
            Pathed: instance({ Metadata: { 'aws:cdk:path': 'platform-dev/compute/Servers/web/Instance1/Resource' } }),
            Bare: instance({}),
          }),
        ),
      ],
      [stack('platform-dev-compute', resources({}))],
      { newEnvironment: false },
    );
    expect(diff.changes.map((c) => c.consequence)).toEqual([
      'Deletes the EC2 instance Bare of dev and its root volume (everything written to its disk since it started).',
      'Deletes the EC2 instance Servers/web/Instance1 of dev and its root volume (everything written to its disk since it started).',
      'Deletes the EC2 instance platform-dev-web-1 of dev and its root volume (everything written to its disk since it started).',
    ]);
  });

  test('a stateless resource loses nothing', () => {
    const [found] = review(resources({ T: topic }), resources({})).changes;
    expect([found?.stateful, found?.dataLoss, found?.consequence]).toEqual([false, false, undefined]);
  });

  test('replacing a resource that keeps its custom name cannot deploy', () => {
    const diff = review(
      resources({ Logs: bucket({}, { ObjectLockEnabled: false }) }),
      resources({ Logs: bucket({}, { ObjectLockEnabled: true }) }),
    );
    expect(diff.blockers).toEqual([
      {
        stack: 'app',
        id: 'Logs',
        message:
          'Logs (AWS::S3::Bucket) is replaced, but its BucketName is set to platform-dev-logs: CloudFormation cannot replace a resource with a custom name and fails with "CloudFormation cannot update a stack when a custom-named resource requires replacing". Give it a new name, or remove the name so CloudFormation generates one.',
      },
    ]);
  });
});

describe('template changes', () => {
  test('outputs, parameters, conditions, mappings and rules that are added, removed or changed', () => {
    const base = {
      ...resources({ T: topic }),
      Outputs: { Kept: { Value: 'a' }, Changed: { Value: 'a' }, Gone: { Value: 'a' } },
      Parameters: { Size: { Type: 'Number', Default: 1 } },
      Mappings: { Ami: { 'eu-west-1': { id: 'ami-1' } } },
    };
    const head = {
      ...resources({ T: topic }),
      Outputs: { Kept: { Value: 'a' }, Changed: { Value: 'b' }, New: { Value: 'a' } },
      Parameters: { Size: { Type: 'Number', Default: 1 } },
      Conditions: { IsProd: { 'Fn::Equals': ['a', 'b'] } },
      Rules: { Check: { Assertions: [] } },
    };
    expect(review(base, head).templateChanges).toEqual([
      { stack: 'app', section: 'Outputs', id: 'Changed', action: 'update' },
      { stack: 'app', section: 'Outputs', id: 'Gone', action: 'destroy' },
      { stack: 'app', section: 'Outputs', id: 'New', action: 'create' },
      { stack: 'app', section: 'Conditions', id: 'IsProd', action: 'create' },
      { stack: 'app', section: 'Mappings', id: 'Ami', action: 'destroy' },
      { stack: 'app', section: 'Rules', id: 'Check', action: 'create' },
    ]);
  });
});

describe('acknowledgements', () => {
  test('are indexed from resource and template metadata on both sides; malformed entries are skipped', () => {
    const acknowledged = {
      ...topic,
      Metadata: {
        'platform:review': [
          { risk: 'data-loss', reason: 'the topic holds nothing worth keeping' },
          { risk: 'everything', reason: 'not a risk the review knows' },
          { risk: 'security', reason: 'short' },
          'not an object',
        ],
      },
    };
    const head = {
      ...resources({ T: acknowledged }),
      Metadata: {
        'platform:review': [
          { resource: 'OldQueue', risk: 'data-loss', reason: 'the queue was drained and is retired' },
          { risk: 'data-loss', reason: 'no resource named, so it cannot apply' },
        ],
      },
    };
    const diff = review(resources({ T: topic }), head);
    expect([[...diff.headAcknowledgements].map(([s, ids]) => [s, [...ids]]), [...diff.baseAcknowledgements]]).toEqual([
      [
        [
          'app',
          [
            [
              'OldQueue',
              [
                {
                  resource: 'OldQueue',
                  risk: 'data-loss',
                  reason: 'the queue was drained and is retired',
                  on: 'stack',
                },
              ],
            ],
            ['T', [{ risk: 'data-loss', reason: 'the topic holds nothing worth keeping', on: 'resource' }]],
          ],
        ],
      ],
      [],
    ]);
  });
});

describe('determinism', () => {
  test('the key order of the templates does not change the review', () => {
    const base = resources({ A: alarm(1), B: subnet('10.0.0.0/24'), C: topic });
    const head = resources({ C: { ...topic, Properties: { DisplayName: 'x' } }, B: subnet('10.0.1.0/24'), D: topic });
    const reversed = (t: Template): Template =>
      JSON.parse(
        JSON.stringify(t, (_k, v: unknown) => (isPlain(v) ? Object.fromEntries(Object.entries(v).reverse()) : v)),
      ) as Template;
    const forward = review(base, head);
    const backward = review(reversed(base), reversed(head));
    expect(JSON.stringify(backward.changes)).toEqual(JSON.stringify(forward.changes));
  });
});

function isPlain(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

describe('lazy loading', () => {
  /** Loads lib/review/aws afresh with the diff library replaced by one that records being loaded. */
  function isolatedDiffer(): { differ: typeof diffAwsEnvironment; loaded: () => boolean } {
    let loaded = false;
    let differ: typeof diffAwsEnvironment | undefined;
    jest.isolateModules(() => {
      jest.doMock('@aws-cdk/cloudformation-diff', () => {
        loaded = true;
        return jest.requireActual('@aws-cdk/cloudformation-diff');
      });
      differ = jest.requireActual<{ diffAwsEnvironment: typeof diffAwsEnvironment }>(
        '../../lib/review/aws-diff',
      ).diffAwsEnvironment;
    });
    return { differ: differ!, loaded: () => loaded };
  }

  test('a review of identical output never loads the diff library', () => {
    const { differ, loaded } = isolatedDiffer();
    const stacks = [stack('app', resources({ T: topic }))];
    const diff = differ(
      'dev',
      stacks,
      [stack('app', { ...resources({ T: topic }), Metadata: { PlatformConstructs: {} } })],
      {
        newEnvironment: false,
      },
    );
    expect([diff.stacks, loaded()]).toEqual([[{ stack: 'app', status: 'unchanged' }], false]);
  });

  test('a review of changed output loads it', () => {
    const { differ, loaded } = isolatedDiffer();
    differ('dev', [stack('app', resources({}))], [stack('app', resources({ T: topic }))], { newEnvironment: false });
    expect(loaded()).toBe(true);
  });
});

describe('malformed input', () => {
  test('a template that is not an object, and Resources that are not an object, are named with the stack and file', () => {
    const error = errorOf(() =>
      diffAwsEnvironment(
        'dev',
        [stack('one', [] as unknown as Template)],
        [stack('two', { Resources: 'none' }), stack('three', { Resources: { X: { Properties: {} } } })],
        { newEnvironment: false },
      ),
    );
    expect(error.message).toBe(
      [
        'The AWS output of dev cannot be reviewed (3 problems):',
        '  - one (/nonexistent/one.template.json): the template is an array, not a JSON object',
        '  - two (/nonexistent/two.template.json): Resources is string "none", not an object',
        '  - three (/nonexistent/three.template.json): Resources.X has no Type',
      ].join('\n'),
    );
  });

  test('a resource the diff library cannot read fails with the stack and file, not a TypeError', () => {
    const policy = { Type: 'AWS::IAM::Policy', Properties: { Roles: [{ Ref: 'Role' }] } };
    const error = errorOf(() => review(resources({ P: policy }), resources({})));
    expect([error.constructor, error.message]).toEqual([
      Error,
      "app (/nonexistent/app.template.json): @aws-cdk/cloudformation-diff could not compare the templates (Cannot read properties of undefined (reading 'Statement')); is the template valid CloudFormation?",
    ]);
  });
});
