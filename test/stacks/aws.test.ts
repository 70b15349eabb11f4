import { CfnResource, TagManager } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { buildAwsApp, EnvironmentStage } from '../../stacks/aws';
import { loadEnvironments } from '../../stacks/environments';

const environments = loadEnvironments();
const app = buildAwsApp({ environments, validation: false });
const stages = app.node.children.filter((c): c is EnvironmentStage => c instanceof EnvironmentStage);
const assembly = app.synth();

describe('AWS stages', () => {
  test('one stage per environment, named platform-<env>', () => {
    expect(stages.map((s) => s.stageName)).toEqual(['platform-dev', 'platform-staging', 'platform-prod']);
  });

  test('stack names are platform-<env>-<lifecycle>, in the environment account and region', () => {
    const stacks = assembly.stacksRecursively.map((s) => [s.stackName, s.environment.account, s.environment.region]);
    // Every environment defines servers, so every stage has its compute stack beside the foundation.
    expect(stacks.sort()).toEqual([
      ['platform-dev-compute', '111111111111', 'eu-west-1'],
      ['platform-dev-foundation', '111111111111', 'eu-west-1'],
      ['platform-prod-compute', '333333333333', 'eu-west-1'],
      ['platform-prod-foundation', '333333333333', 'eu-west-1'],
      ['platform-staging-compute', '222222222222', 'eu-west-1'],
      ['platform-staging-foundation', '222222222222', 'eu-west-1'],
    ]);
  });

  test('production-tier stacks have termination protection, development does not', () => {
    expect(
      Object.fromEntries(
        stages.map((s) => [s.stageName, [s.foundation.terminationProtection, s.compute.terminationProtection]]),
      ),
    ).toEqual({
      'platform-dev': [false, false],
      'platform-staging': [true, true],
      'platform-prod': [true, true],
    });
  });

  test('the log groups (application, flow logs, default-SG handler) are retained in production tiers and destroyed in development', () => {
    const policy = (stage: EnvironmentStage): unknown[] =>
      Object.values(Template.fromStack(stage.foundation).findResources('AWS::Logs::LogGroup')).map(
        (r) => r.DeletionPolicy,
      );
    expect(stages.map(policy)).toEqual([
      ['Delete', 'Delete', 'Delete'],
      ['Retain', 'Retain', 'Retain'],
      ['Retain', 'Retain', 'Retain'],
    ]);
  });

  test('the instances and the image pin log group of the compute stack are retained and protected in production tiers only', () => {
    const policies = (stage: EnvironmentStage): unknown[] => {
      const template = Template.fromStack(stage.compute);
      return [
        ...Object.values(template.findResources('AWS::EC2::Instance')).map((r) => [
          r.DeletionPolicy,
          r.Properties.DisableApiTermination,
        ]),
        ...Object.values(template.findResources('AWS::Logs::LogGroup')).map((r) => [
          r.DeletionPolicy,
          r.Properties.RetentionInDays,
        ]),
      ];
    };
    expect(stages.map(policies)).toEqual([
      [
        ['Delete', false],
        ['Delete', false],
        ['Delete', 30],
      ],
      [
        ['Retain', true],
        ['Retain', true],
        ['Retain', true],
        ['Retain', 365],
      ],
      [
        ['Retain', true],
        ['Retain', true],
        ['Retain', true],
        ['Retain', true],
        ['Retain', true],
        ['Retain', 365],
      ],
    ]);
  });

  test('flow log retention follows the tier', () => {
    const retention = stages.map(
      (s) =>
        Object.values(Template.fromStack(s.foundation).findResources('AWS::Logs::LogGroup'))[0]?.Properties
          .RetentionInDays,
    );
    expect(retention).toEqual([30, 365, 365]);
  });

  test('staging is sized down: one NAT gateway over three zones', () => {
    const template = Template.fromStack(stages[1]!.foundation);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.resourceCountIs('AWS::EC2::Subnet', 9);
  });

  test('every taggable resource carries environment, owner and managed-by', () => {
    for (const stage of stages) {
      // The compute stack too: instances, security groups, roles, patch baselines, SSM documents and parameters.
      for (const [stack, atLeast] of [
        [stage.foundation, 20],
        [stage.compute, 10],
      ] as const) {
        const resources = Template.fromStack(stack).toJSON().Resources as Record<
          string,
          { Properties?: { Tags?: unknown } }
        >;
        // Every resource whose construct takes tags, found from the construct tree rather than a list of types,
        // plus the plain CfnResources of taggable types that TagResources covers.
        const taggable = stack.node
          .findAll()
          .filter(CfnResource.isCfnResource)
          .filter(
            (r) => TagManager.isTaggable(r) || ['AWS::IAM::Role', 'AWS::Lambda::Function'].includes(r.cfnResourceType),
          );
        expect(taggable.length).toBeGreaterThan(atLeast);
        for (const resource of taggable) {
          const tags = resources[stack.resolve(resource.logicalId) as string]?.Properties?.Tags;
          // Most types take a list of Key/Value pairs; a few (AWS::SSM::Parameter) take a map.
          const byKey = Array.isArray(tags)
            ? Object.fromEntries((tags as Array<{ Key: string; Value: string }>).map((t) => [t.Key, t.Value]))
            : tags;
          expect({ type: resource.cfnResourceType, tags: byKey }).toEqual({
            type: resource.cfnResourceType,
            tags: expect.objectContaining({
              environment: stage.stageName.replace('platform-', ''),
              owner: 'platform-team',
              'managed-by': 'platform-constructs',
            }),
          });
        }
      }
    }
  });

  test('no stack is near the CloudFormation resource limit', () => {
    for (const stack of assembly.stacksRecursively) {
      expect(Object.keys(stack.template.Resources ?? {}).length).toBeLessThanOrEqual(450);
    }
  });

  test('an environment with servers has its compute stack, depending on the foundation, never the reverse', () => {
    for (const stage of stages) {
      expect(stage.node.children.map((c) => c.node.id)).toEqual(['foundation', 'compute']);
      expect(stage.compute.stackName).toBe(`${stage.stageName}-compute`);
      expect(stage.compute.dependencies).toEqual([stage.foundation]);
      expect(stage.foundation.dependencies).toEqual([]);
      // The compute stack imports from the foundation (strong references: the foundation cannot be deleted
      // under it); the foundation exports to it and imports nothing.
      const compute = JSON.stringify(Template.fromStack(stage.compute).toJSON());
      const foundation = JSON.stringify(Template.fromStack(stage.foundation).toJSON());
      expect(compute).toContain(`"Fn::ImportValue":"${stage.stageName}-foundation:`);
      expect(compute).not.toContain('Fn::GetStackOutput');
      expect(foundation).not.toContain('Fn::ImportValue');
      expect(foundation).not.toContain('Fn::GetStackOutput');
      expect(foundation).not.toContain(`${stage.stageName}-compute`);
    }
  });

  test('an environment without servers has no compute stack until first use, then one depending on the foundation', () => {
    const fresh = buildAwsApp({ environments: [{ ...environments[0]!, servers: [] }], validation: false });
    const stage = fresh.node.children.find((c): c is EnvironmentStage => c instanceof EnvironmentStage)!;
    expect(stage.node.children.map((c) => c.node.id)).toEqual(['foundation']);
    new sns.Topic(stage.compute, 'Jobs');
    expect(stage.node.children.map((c) => c.node.id)).toEqual(['foundation', 'compute']);
    expect(stage.compute.stackName).toBe('platform-dev-compute');
    expect(stage.compute.dependencies).toEqual([stage.foundation]);
    expect(stage.foundation.dependencies).toEqual([]);
    expect(stage.compute.terminationProtection).toBe(false);
    expect(stage.compute.servers.size).toBe(0);
    expect(stage.compute.patching).toBeUndefined();
    // Never used, it is never created: CloudFormation rejects a template without resources.
    const untouched = buildAwsApp({ environments: [{ ...environments[0]!, servers: [] }], validation: false });
    expect(untouched.synth().stacksRecursively.map((s) => s.stackName)).toEqual(['platform-dev-foundation']);
  });
});
