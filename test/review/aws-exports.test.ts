import { diffAwsEnvironment } from '../../lib/review/aws-diff';
import type { EnvironmentDiff } from '../../lib/review/model';
import type { SynthesizedStack } from '../../lib/review/outputs';

type Template = Record<string, unknown>;

function stack(name: string, json: Template): SynthesizedStack {
  return { cloud: 'aws', environment: 'dev', stack: name, file: `/nonexistent/${name}.template.json`, bytes: 0, json };
}

function review(base: Record<string, Template>, head: Record<string, Template>): EnvironmentDiff {
  const stacks = (side: Record<string, Template>): SynthesizedStack[] =>
    Object.entries(side).map(([name, json]) => stack(name, json));
  return diffAwsEnvironment('dev', stacks(base), stacks(head), { newEnvironment: false });
}

const SUBNET_EXPORT = 'foundation:Subnet';

/** The foundation stack: a subnet, exported by its ID. */
function foundation(cidr: string, exported = true): Template {
  return {
    Resources: { Subnet: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: 'vpc-1', CidrBlock: cidr } } },
    ...(exported && { Outputs: { ExportSubnet: { Value: { Ref: 'Subnet' }, Export: { Name: SUBNET_EXPORT } } } }),
  };
}

/** A stack with a server in the imported subnet (and, optionally, its own export of the server's ID). */
function compute(importing = true, exportServer = false): Template {
  return {
    Resources: {
      Server: {
        Type: 'AWS::EC2::Instance',
        Properties: { ImageId: 'ami-1', SubnetId: importing ? { 'Fn::ImportValue': SUBNET_EXPORT } : 'subnet-1' },
      },
      Alarm: {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: {
          MetricName: 'CPUUtilization',
          Namespace: 'AWS/EC2',
          Threshold: 90,
          EvaluationPeriods: 1,
          Dimensions: [{ Name: 'InstanceId', Value: { 'Fn::ImportValue': 'unrelated:Value' } }],
        },
      },
    },
    ...(exportServer && {
      Outputs: { ExportServer: { Value: { Ref: 'Server' }, Export: { Name: 'compute:Server' } } },
    }),
  };
}

/** A stack with an alarm on the server that compute exports. */
function monitoring(): Template {
  return {
    Resources: {
      ServerAlarm: {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: {
          MetricName: 'StatusCheckFailed',
          Namespace: 'AWS/EC2',
          Threshold: 1,
          EvaluationPeriods: 1,
          Dimensions: [{ Name: 'InstanceId', Value: { 'Fn::ImportValue': 'compute:Server' } }],
        },
      },
    },
  };
}

describe('an export whose value changes', () => {
  test('blocks the exporting stack while another stack imports it, and says how to sequence the change', () => {
    const diff = review(
      { foundation: foundation('10.0.0.0/24'), compute: compute() },
      { foundation: foundation('10.0.1.0/24'), compute: compute() },
    );
    expect(diff.blockers).toEqual([
      {
        stack: 'foundation',
        id: SUBNET_EXPORT,
        message:
          'Export foundation:Subnet changes value (it references Subnet, which is replaced), but compute still imports it. CloudFormation refuses to update an export another stack imports: the deployment of foundation fails with "Cannot update export foundation:Subnet as it is in use by compute". Stop importing it first: deploy compute with the reference replaced by a literal value or removed, then change the export; or keep Subnet from being replaced, so the value stays.',
      },
    ]);
  });

  test('shows its consequence in the importing stack, judged by the library, with the cause', () => {
    const diff = review(
      { foundation: foundation('10.0.0.0/24'), compute: compute() },
      { foundation: foundation('10.0.1.0/24'), compute: compute() },
    );
    expect([diff.stacks, diff.changes.filter((c) => c.stack === 'compute')]).toEqual([
      [
        { stack: 'compute', status: 'changed' },
        { stack: 'foundation', status: 'changed' },
      ],
      [
        {
          stack: 'compute',
          id: 'Server',
          type: 'AWS::EC2::Instance',
          action: 'replace',
          stateful: true,
          dataLoss: true,
          consequence:
            'Replaces the EC2 instance Server of dev with a new, empty one: its root volume (everything written to its disk since it started) is lost.',
          properties: [
            {
              path: 'SubnetId',
              replacement: 'always',
              before: { 'Fn::ImportValue': SUBNET_EXPORT },
              after: { 'Fn::ImportValue': SUBNET_EXPORT },
              cause: 'imports foundation:Subnet from foundation, whose value changes',
            },
          ],
          security: [],
          notes: [],
        },
      ],
    ]);
  });

  test('a changed Value expression changes the export even when nothing is replaced', () => {
    const head = foundation('10.0.0.0/24');
    head.Outputs = { ExportSubnet: { Value: 'subnet-literal', Export: { Name: SUBNET_EXPORT } } };
    const diff = review(
      { foundation: foundation('10.0.0.0/24'), compute: compute() },
      { foundation: head, compute: compute() },
    );
    expect([
      diff.blockers.map((b) => b.message.split('. ')[0]),
      diff.changes.map((c) => [c.stack, c.id, c.action]),
    ]).toEqual([
      [
        'Export foundation:Subnet changes value (its Value changes from {"Ref":"Subnet"} to "subnet-literal"), but compute still imports it',
      ],
      [['compute', 'Server', 'replace']],
    ]);
  });

  test('follows the change through an importer whose replaced resource changes its own export', () => {
    const diff = review(
      { foundation: foundation('10.0.0.0/24'), compute: compute(true, true), monitoring: monitoring() },
      { foundation: foundation('10.0.1.0/24'), compute: compute(true, true), monitoring: monitoring() },
    );
    expect([
      diff.blockers.map((b) => [b.stack, b.id]),
      diff.changes
        .filter((c) => c.stack === 'monitoring')
        .map((c) => [c.id, c.action, c.properties.map((p) => p.cause)]),
    ]).toEqual([
      [
        ['compute', 'compute:Server'],
        ['foundation', SUBNET_EXPORT],
      ],
      [['ServerAlarm', 'update', ['imports compute:Server from compute, whose value changes']]],
    ]);
  });

  test('is no blocker when no deployed stack imports it', () => {
    const diff = review(
      { foundation: foundation('10.0.0.0/24') },
      { foundation: foundation('10.0.1.0/24'), compute: compute() },
    );
    expect(diff.blockers).toEqual([]);
  });
});

describe('an export that is removed', () => {
  test('blocks the exporter while a stack still imports it', () => {
    const diff = review(
      { foundation: foundation('10.0.0.0/24'), compute: compute() },
      { foundation: foundation('10.0.0.0/24', false), compute: compute() },
    );
    expect(diff.blockers).toEqual([
      {
        stack: 'foundation',
        id: SUBNET_EXPORT,
        message:
          'Export foundation:Subnet is removed (or renamed), but compute still imports it. CloudFormation refuses to delete an export another stack imports: the deployment of foundation fails with "Export foundation:Subnet cannot be deleted as it is in use by compute". Keep the export (exportValue in foundation) until compute no longer imports it, and remove it in a later deployment.',
      },
    ]);
  });

  test('blocks the exporter when the importer drops the import but nothing makes it deploy first', () => {
    const diff = review(
      { foundation: foundation('10.0.0.0/24'), compute: compute() },
      { foundation: foundation('10.0.0.0/24', false), compute: compute(false) },
    );
    expect(diff.blockers).toEqual([
      {
        stack: 'foundation',
        id: SUBNET_EXPORT,
        message:
          'Export foundation:Subnet is removed (or renamed), but compute, as deployed, imports it and nothing makes it deploy before foundation. CloudFormation refuses to delete an export another stack imports: the deployment of foundation fails with "Export foundation:Subnet cannot be deleted as it is in use by compute". Deploy compute first on its own (cdk deploy compute --exclusively), then foundation.',
      },
    ]);
  });

  test('is no blocker when the importer drops the import and the exporter depends on it, so it deploys first', () => {
    const exporterAfter = foundation('10.0.0.0/24', false);
    exporterAfter.Resources = {
      ...(exporterAfter.Resources as Template),
      Watch: {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: {
          MetricName: 'CPUUtilization',
          Namespace: 'AWS/EC2',
          Threshold: 90,
          EvaluationPeriods: 1,
          Dimensions: [{ Name: 'InstanceId', Value: { 'Fn::ImportValue': 'compute:Server' } }],
        },
      },
    };
    const diff = review(
      { foundation: foundation('10.0.0.0/24'), compute: compute(true, true) },
      { foundation: exporterAfter, compute: compute(false, true) },
    );
    expect(diff.blockers).toEqual([]);
  });

  test('blocks the exporter while an importer that left the app stays deployed', () => {
    const diff = review(
      { foundation: foundation('10.0.0.0/24'), compute: compute() },
      { foundation: foundation('10.0.0.0/24', false) },
    );
    expect(diff.blockers).toEqual([
      {
        stack: 'foundation',
        id: SUBNET_EXPORT,
        message:
          'Export foundation:Subnet is removed (or renamed), but compute, which has left the app, is still deployed and imports it. CloudFormation refuses to delete an export another stack imports: the deployment of foundation fails with "Export foundation:Subnet cannot be deleted as it is in use by compute". Delete compute first (cdk destroy), or keep the export as it is.',
      },
    ]);
  });

  test('blocks a new stack that imports it', () => {
    const diff = review(
      { foundation: foundation('10.0.0.0/24') },
      { foundation: foundation('10.0.0.0/24', false), compute: compute() },
    );
    expect(diff.blockers).toEqual([
      {
        stack: 'compute',
        id: SUBNET_EXPORT,
        message:
          'compute imports foundation:Subnet, which foundation no longer exports: its deployment fails with "No export named foundation:Subnet found". Import a value that is still exported, or keep the export.',
      },
    ]);
  });
});
