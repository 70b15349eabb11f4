import { readCdkOut, readCdktfOut, type SynthesizedStack } from '../../lib/review/outputs';
import { groupName, kebabCase, resourceGraph, type GraphEdge } from '../../lib/review/resource-graph';
import { sharedSynthesis } from '../util/shared-synthesis';

function awsStack(
  stack: string,
  resources: Record<string, unknown>,
  outputs?: Record<string, unknown>,
): SynthesizedStack {
  return {
    cloud: 'aws',
    environment: 'dev',
    stack,
    file: `${stack}.template.json`,
    bytes: 0,
    json: { Resources: resources, ...(outputs ? { Outputs: outputs } : {}) },
  };
}

const at = (path: string) => ({ 'aws:cdk:path': path });

const edgesOf = (edges: readonly GraphEdge[]): string[] => edges.map((e) => `${e.from} -> ${e.to} (${e.kind})`);

describe('AWS references', () => {
  const foundation = awsStack(
    'platform-dev-foundation',
    {
      Key: { Type: 'AWS::KMS::Key', Metadata: at('platform-dev/foundation/Monitoring/Key/Resource') },
      Topic: {
        Type: 'AWS::SNS::Topic',
        Properties: { KmsMasterKeyId: { 'Fn::GetAtt': ['Key', 'Arn'] } },
        Metadata: at('platform-dev/foundation/Monitoring/CriticalTopic/Resource'),
      },
      Logs: {
        Type: 'AWS::Logs::LogGroup',
        Properties: { KmsKeyId: { 'Fn::GetAtt': 'Key.Arn' } },
        DependsOn: ['Topic'],
        Metadata: at('platform-dev/foundation/Monitoring/Logs/Resource'),
      },
      Policy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:sns:${Topic.TopicName}' },
          Role: { Ref: 'AWS::Region' },
        },
        Metadata: at('platform-dev/foundation/AuditTrail/LogsPolicy/Resource'),
      },
    },
    { ExportTopic: { Value: { Ref: 'Topic' }, Export: { Name: 'platform-dev-foundation:Topic' } } },
  );
  const compute = awsStack('platform-dev-compute', {
    Alarm: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: { AlarmActions: [{ 'Fn::ImportValue': 'platform-dev-foundation:Topic' }] },
      Metadata: at('platform-dev/compute/Servers/web/Instance-1/CpuAlarm/Resource'),
    },
  });
  const graph = resourceGraph([foundation, compute], 'dev', 'aws');

  test('Ref, both forms of Fn::GetAtt, Fn::Sub placeholders and DependsOn are edges; pseudo parameters are not', () => {
    expect(edgesOf(graph.edges.filter((e) => e.from.startsWith('platform-dev-foundation/')))).toEqual([
      'platform-dev-foundation/Logs -> platform-dev-foundation/Key (ref)',
      'platform-dev-foundation/Logs -> platform-dev-foundation/Topic (depends-on)',
      'platform-dev-foundation/Policy -> platform-dev-foundation/Topic (ref)',
      'platform-dev-foundation/Topic -> platform-dev-foundation/Key (ref)',
    ]);
  });

  test('an Fn::ImportValue leads to the resource the other stack exports', () => {
    expect(edgesOf(graph.edges.filter((e) => e.kind === 'import'))).toEqual([
      'platform-dev-compute/Alarm -> platform-dev-foundation/Topic (import)',
    ]);
  });

  test('the construct path names the group (kebab-case) and the member below it', () => {
    const placed = Object.fromEntries(graph.resources.map((r) => [r.id, [r.group, r.member ?? '']]));
    expect(placed).toEqual({
      Alarm: ['servers', 'web'],
      Key: ['monitoring', 'Key'],
      Logs: ['monitoring', 'Logs'],
      Policy: ['audit-trail', 'LogsPolicy'],
      Topic: ['monitoring', 'CriticalTopic'],
    });
  });

  test('only the environment and cloud asked for are read', () => {
    expect(resourceGraph([foundation, compute], 'prod', 'aws').resources).toEqual([]);
    expect(resourceGraph([foundation, compute], 'dev', 'azure').resources).toEqual([]);
  });
});

describe('Terraform references', () => {
  const meta = (path: string) => ({ '//': { metadata: { path } } });
  const stack: SynthesizedStack = {
    cloud: 'azure',
    environment: 'dev',
    stack: 'platform-dev',
    file: 'cdk.tf.json',
    bytes: 0,
    json: {
      resource: {
        azurerm_resource_group: { rg: { name: 'rg', ...meta('platform-dev/resource-group') } },
        azurerm_subnet: {
          'network_Subnet-apps_1': {
            resource_group_name: '${azurerm_resource_group.rg.name}',
            ...meta('platform-dev/network/Subnet-apps'),
          },
        },
        azurerm_container_app: {
          services_api_2: {
            name: 'ca',
            subnet: '${element(azurerm_subnet.network_Subnet-apps_1.*.id, 0)}',
            identity: '${data.azurerm_client_config.current.object_id}',
            tags: { owner: '${var.owner}', nested: { deeper: ['${lower(azurerm_resource_group.rg.location)}'] } },
            depends_on: ['azurerm_subnet.network_Subnet-apps_1'],
            ...meta('platform-dev/services/api/Resource'),
          },
        },
      },
    },
  };
  const graph = resourceGraph([stack], 'dev', 'azure');

  test('interpolations (nested, inside functions and splats) and depends_on are edges; data and var are not', () => {
    expect(edgesOf(graph.edges)).toEqual([
      'platform-dev/azurerm_container_app.services_api_2 -> platform-dev/azurerm_resource_group.rg (interpolation)',
      'platform-dev/azurerm_container_app.services_api_2 -> platform-dev/azurerm_subnet.network_Subnet-apps_1 (depends-on)',
      'platform-dev/azurerm_container_app.services_api_2 -> platform-dev/azurerm_subnet.network_Subnet-apps_1 (interpolation)',
      'platform-dev/azurerm_subnet.network_Subnet-apps_1 -> platform-dev/azurerm_resource_group.rg (interpolation)',
    ]);
  });

  test('the path below the environment names the group and member', () => {
    expect(graph.resources.map((r) => [r.id, r.group, r.member ?? ''])).toEqual([
      ['azurerm_container_app.services_api_2', 'services', 'api'],
      ['azurerm_resource_group.rg', 'resource-group', ''],
      ['azurerm_subnet.network_Subnet-apps_1', 'network', 'Subnet-apps'],
    ]);
  });
});

describe('group names', () => {
  test.each([
    ['AuditTrail', 'audit-trail'],
    ['PlatformEnvironment', 'platform-environment'],
    ['container-apps', 'container-apps'],
    ['APIChecks', 'api-checks'],
  ])('kebabCase(%s) is %s', (name, expected) => {
    expect(kebabCase(name)).toBe(expected);
  });

  test('the clouds name one capability alike, and aws-cdk-lib singletons are internal', () => {
    expect(['Cluster', 'container-apps', 'ApiCheckArtifacts', 'api-checks'].map(groupName)).toEqual([
      'kubernetes',
      'containers',
      'checks',
      'checks',
    ]);
    expect(groupName('Custom::VpcRestrictDefaultSGCustomResourceProvider')).toBe('internal');
    expect(groupName('AWS679f53fac002430cb0da5b7982bd2287')).toBe('internal');
  });
});

describe('the example environments', () => {
  let stacks: SynthesizedStack[];
  beforeAll(async () => {
    const { cdkOut, cdktfOut } = await sharedSynthesis('plain');
    stacks = [...readCdkOut(cdkOut), ...readCdktfOut(cdktfOut)];
  });

  test('both clouds draw the same capabilities in groups of the same names', () => {
    // Each cloud's own helpers aside: AWS's stack outputs and singletons, Azure's resource group.
    const own = new Set(['platform-environment', 'internal', 'delivery-checks', 'resource-group']);
    for (const environment of ['dev', 'prod']) {
      const groups = (cloud: 'aws' | 'azure'): string[] =>
        [...new Set(resourceGraph(stacks, environment, cloud).resources.map((r) => r.group))]
          .filter((g) => !own.has(g))
          .sort();
      expect(groups('azure')).toEqual(groups('aws'));
    }
  });

  test('every resource is placed and every edge joins two resources of the graph', () => {
    for (const cloud of ['aws', 'azure'] as const) {
      const graph = resourceGraph(stacks, 'prod', cloud);
      const keys = new Set(graph.resources.map((r) => r.key));
      expect(graph.resources.filter((r) => r.group === 'other')).toEqual([]);
      expect(graph.edges.filter((e) => !keys.has(e.from) || !keys.has(e.to) || e.from === e.to)).toEqual([]);
    }
  });

  test('the compute stack alarms reach the foundation topic through an import', () => {
    const graph = resourceGraph(stacks, 'prod', 'aws');
    const imports = graph.edges.filter(
      (e) =>
        e.kind === 'import' &&
        e.from.startsWith('platform-prod-compute/') &&
        e.to.startsWith('platform-prod-foundation/'),
    );
    expect(imports.map((e) => e.to)).toContain(
      graph.resources.find((r) => r.type === 'AWS::SNS::Topic' && r.path?.includes('/Monitoring/CriticalTopic/'))!.key,
    );
  });
});
