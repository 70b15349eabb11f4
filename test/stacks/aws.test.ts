import { CfnResource, Stage, TagManager } from 'aws-cdk-lib';
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
    expect(stacks.sort()).toEqual([
      ['platform-dev-foundation', '111111111111', 'eu-west-1'],
      ['platform-prod-foundation', '333333333333', 'eu-west-1'],
      ['platform-staging-foundation', '222222222222', 'eu-west-1'],
    ]);
  });

  test('production-tier stacks have termination protection, development does not', () => {
    expect(Object.fromEntries(stages.map((s) => [s.stageName, s.foundation.terminationProtection]))).toEqual({
      'platform-dev': false,
      'platform-staging': true,
      'platform-prod': true,
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
      const stack = stage.foundation;
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
      expect(taggable.length).toBeGreaterThan(20);
      for (const resource of taggable) {
        const tags = resources[stack.resolve(resource.logicalId) as string]?.Properties?.Tags;
        expect({ type: resource.cfnResourceType, tags }).toEqual({
          type: resource.cfnResourceType,
          tags: expect.arrayContaining([
            { Key: 'environment', Value: stage.stageName.replace('platform-', '') },
            { Key: 'owner', Value: 'platform-team' },
            { Key: 'managed-by', Value: 'platform-constructs' },
          ]),
        });
      }
    }
  });

  test('no stack is near the CloudFormation resource limit', () => {
    for (const stack of assembly.stacksRecursively) {
      expect(Object.keys(stack.template.Resources ?? {}).length).toBeLessThanOrEqual(450);
    }
  });

  test('the compute stack is created on first use and depends on the foundation, never the reverse', () => {
    const fresh = buildAwsApp({ environments: [environments[0]!], validation: false });
    const stage = fresh.node.children.find((c): c is EnvironmentStage => c instanceof EnvironmentStage)!;
    expect(stage.node.children.filter((c) => Stage.isStage(c) === false).map((c) => c.node.id)).toEqual(['foundation']);
    new sns.Topic(stage.compute, 'Jobs');
    expect(stage.compute.stackName).toBe('platform-dev-compute');
    expect(stage.compute.dependencies).toEqual([stage.foundation]);
    expect(stage.foundation.dependencies).toEqual([]);
    expect(stage.compute.terminationProtection).toBe(false);
  });
});
