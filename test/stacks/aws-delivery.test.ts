import { Stack, type App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { apiCheckCanaryName } from '../../lib/aws';
import { defineDelivery, defineEnvironments, type DeliverySpec, type Environment } from '../../lib/core';
import { buildAwsApp, DeliveryStack, EnvironmentStage, type FoundationStack } from '../../stacks/aws';
import { ENVIRONMENT_INPUTS, loadDelivery, loadEnvironments } from '../../stacks/environments';
import { delivery as deliveryInput } from '../../stacks/environments/delivery';
import { prod } from '../../stacks/environments/prod';
import { exampleKeyVaultId } from '../../stacks/environments/workloads';
import { errorOf } from '../util/fixtures';
import { temporaryFolders } from '../util/temp';

const outdir = temporaryFolders('platform-aws-delivery-');
const environments = loadEnvironments();
const delivery = loadDelivery();
const aws = delivery.aws!;

interface Action {
  readonly Name: string;
  readonly RunOrder: number;
  readonly RoleArn?: unknown;
  readonly ActionTypeId: { readonly Category: string; readonly Provider: string };
  readonly Configuration?: Record<string, unknown>;
}
interface PipelineStage {
  readonly Name: string;
  readonly Actions: readonly Action[];
}

function deliveryStackOf(app: App): DeliveryStack {
  return app.node.children.find((c): c is DeliveryStack => c instanceof DeliveryStack)!;
}

function pipelineStagesOf(template: Template): PipelineStage[] {
  const pipelines = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
  expect(pipelines).toHaveLength(1);
  return (pipelines[0]!.Properties as { Stages: PipelineStage[] }).Stages;
}

/** The partition-qualified ARN of a CDK bootstrap role of an environment, as the pipeline names it. */
function bootstrapRole(role: string, env: Environment, region = env.aws.region): unknown {
  return {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        `:iam::${env.aws.account}:role/cdk-hnb659fds-${role}-role-${env.aws.account}-${region}`,
      ],
    ],
  };
}

let app: App;
let stack: DeliveryStack;
let template: Template;
let stages: PipelineStage[];

beforeAll(() => {
  app = buildAwsApp({ environments, delivery, validation: false, outdir: outdir() });
  // The guardrail gate runs here: it throws on any unacknowledged finding of the delivery stack.
  app.synth();
  stack = deliveryStackOf(app);
  template = Template.fromStack(stack);
  stages = pipelineStagesOf(template);
});

describe('the delivery stack (AWS)', () => {
  test('is platform-delivery in the delivery account, with termination protection', () => {
    expect(stack.stackName).toBe('platform-delivery');
    expect([stack.account, stack.region]).toEqual([aws.account, aws.region]);
    expect(stack.terminationProtection).toBe(true);
  });

  test('synthesizes with zero unacknowledged guardrail findings (the gate ran in app.synth())', () => {
    expect(template.toJSON().Metadata.PlatformConstructs).toMatchObject({
      Tier: 'production',
      Packs: ['AwsSolutions', 'NIST.800.53.R5', 'Platform', 'Platform-Stack'],
    });
  });

  test('leaves the stack names of the environments unchanged', () => {
    const names = app.node.children
      .filter((c): c is EnvironmentStage => c instanceof EnvironmentStage)
      .flatMap((s) => s.node.children.filter(Stack.isStack).map((k) => k.stackName));
    expect(names).toEqual(expect.arrayContaining(environments.map((e) => `platform-${e.name}-foundation`)));
    expect(
      names.every((n) => /^platform-[a-z0-9-]+-(foundation|compute|backup-copy|workloads-\d+|kubernetes)$/.test(n)),
    ).toBe(true);
  });

  test('runs a V2 pipeline named platform-delivery with the stages in promotion order', () => {
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', { Name: 'platform-delivery', PipelineType: 'V2' });
    const names = stages.map((s) => s.Name);
    expect(names.filter((n) => n !== 'Assets')).toEqual([
      'Source',
      'Build',
      'UpdatePipeline',
      ...environments.map((e) => `platform-${e.name}`),
    ]);
    expect(names.slice(0, 3)).toEqual(['Source', 'Build', 'UpdatePipeline']);
  });

  test("reads the spec's repository and branch through its CodeConnections connection, as a full clone", () => {
    const source = stages[0]!.Actions;
    expect(source).toHaveLength(1);
    expect(source[0]).toMatchObject({
      ActionTypeId: { Category: 'Source', Owner: 'AWS', Provider: 'CodeStarSourceConnection' },
      Configuration: {
        ConnectionArn: aws.connectionArn,
        FullRepositoryId: delivery.repository,
        BranchName: delivery.branch,
        OutputArtifactFormat: 'CODEBUILD_CLONE_REF',
      },
    });
  });

  test('synthesizes with the README commands, without Docker, and updates itself', () => {
    const synth = Object.values(template.findResources('AWS::CodeBuild::Project')).find((p) =>
      JSON.stringify(p.Properties).includes('npm run synth -- --cloud aws'),
    );
    const spec = JSON.parse((synth!.Properties as { Source: { BuildSpec: string } }).Source.BuildSpec) as {
      phases: { build: { commands: string[] } };
      artifacts: { 'base-directory': string };
    };
    expect(spec.phases.build.commands).toEqual(['npm ci', 'npm run synth -- --cloud aws']);
    expect(spec.artifacts['base-directory']).toBe('cdk.out');
    expect((synth!.Properties as { Environment: { PrivilegedMode: boolean } }).Environment.PrivilegedMode).toBe(false);
    expect(stages[2]!.Actions.map((a) => a.Name)).toEqual(['SelfMutate']);
  });

  test.each(environments.map((e) => [e.name, e] as const))(
    "deploys %s through its own account's bootstrap roles",
    (_name, env) => {
      const stage = stages.find((s) => s.Name === `platform-${env.name}`)!;
      const deploys = stage.Actions.filter((a) => a.ActionTypeId.Provider === 'CloudFormation');
      expect(deploys.length).toBeGreaterThanOrEqual(2);
      for (const action of deploys) {
        const region = action.Name.startsWith('backup-copy.') ? env.backup.secondRegion! : env.aws.region;
        expect(action.RoleArn).toEqual(bootstrapRole('deploy', env, region));
        // The change set runs as the account's CloudFormation execution role.
        if (action.Name.endsWith('.Prepare')) {
          expect(action.Configuration!.RoleArn).toEqual(bootstrapRole('cfn-exec', env, region));
        }
      }
      expect(deploys.map((a) => a.Configuration!.StackName)).toContain(`platform-${env.name}-foundation`);
    },
  );

  test('gates every production-tier environment after the first: review, broadening check, approval, then deploy', () => {
    const firstProduction = environments.findIndex((e) => e.tier === 'production');
    for (const [index, env] of environments.entries()) {
      const actions = stages.find((s) => s.Name === `platform-${env.name}`)!.Actions;
      const order = (name: string): number => actions.find((a) => a.Name === name)?.RunOrder ?? -1;
      const firstDeploy = Math.min(...actions.filter((a) => a.Name.endsWith('.Prepare')).map((a) => a.RunOrder));
      if (env.tier === 'production' && index > firstProduction) {
        expect([order('Review'), order('Broadening.Check'), order('Broadening.Confirm'), order('Approve')]).toEqual([
          1, 2, 3, 4,
        ]);
        expect(firstDeploy).toBe(5);
        expect(actions.find((a) => a.Name === 'Approve')!.ActionTypeId).toMatchObject({ Category: 'Approval' });
      } else {
        expect(actions.map((a) => a.Name)).not.toEqual(
          expect.arrayContaining([expect.stringMatching(/^(Review|Broadening|Approve)/)]),
        );
        expect(firstDeploy).toBe(1);
      }
    }
    expect(environments.some((e, i) => e.tier === 'production' && i > firstProduction)).toBe(true);
  });

  test('the review gate diffs against the commit last deployed to the stage, and may only list this pipeline', () => {
    const review = Object.values(template.findResources('AWS::CodeBuild::Project')).find((p) =>
      JSON.stringify(p.Properties).includes('npm run review'),
    );
    const spec = (review!.Properties as { Source: { BuildSpec: string } }).Source.BuildSpec;
    expect(spec).toContain('succeededInStage={stageName=platform-prod}');
    expect(spec).toContain(
      'npm run review -- --base \\"$BASE\\" --env prod --cloud aws --format markdown --out review/comment.md',
    );
    expect(spec).toContain('nothing to review against, the gate passes');
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'FindLastDeployment',
            Action: 'codepipeline:ListPipelineExecutions',
            Effect: 'Allow',
            Resource: `arn:aws:codepipeline:${aws.region}:${aws.account}:platform-delivery`,
          },
        ]),
      },
    });
  });

  test('announces approvals and broadenings on an encrypted topic to the approval emails', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    for (const email of aws.approvalEmails) {
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: email });
    }
    const approve = stages.find((s) => s.Name === 'platform-prod')!.Actions.find((a) => a.Name === 'Approve')!;
    expect(approve.Configuration).toHaveProperty('NotificationArn');
  });

  test('keeps artifacts in a versioned, logged bucket encrypted with a rotating key, all retained', () => {
    const keys = template.findResources('AWS::KMS::Key');
    expect(
      Object.values(keys).map((k) => [
        k.DeletionPolicy,
        (k.Properties as { EnableKeyRotation: boolean }).EnableKeyRotation,
      ]),
    ).toEqual([['Retain', true]]);
    const key = Object.keys(keys)[0]!;
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            Match.objectLike({
              ServerSideEncryptionByDefault: {
                SSEAlgorithm: 'aws:kms',
                KMSMasterKeyID: { 'Fn::GetAtt': [key, 'Arn'] },
              },
            }),
          ],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'artifacts/' }),
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      }),
    });
  });

  test('logs every build to one encrypted log group kept for a year, retained', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      Properties: { LogGroupName: '/platform-delivery/builds', RetentionInDays: 365, KmsKeyId: Match.anyValue() },
    });
    const group = stack.resolve(stack.delivery.logGroup.logGroupName) as unknown;
    for (const project of Object.values(template.findResources('AWS::CodeBuild::Project'))) {
      expect(project.Properties).toMatchObject({
        LogsConfig: { CloudWatchLogs: { Status: 'ENABLED', GroupName: group } },
      });
    }
    for (const group of Object.values(template.findResources('AWS::Logs::LogGroup'))) {
      expect(group.Properties).toHaveProperty('RetentionInDays');
    }
  });

  test('checks the replication bucket of the backup-copy region with the same guardrails, retained and protected', () => {
    const support = stack.delivery.supportStacks;
    const regions = [...new Set(environments.flatMap((e) => (e.backup.secondRegion ? [e.backup.secondRegion] : [])))];
    expect(support.map((s) => s.region).sort()).toEqual(regions.sort());
    for (const s of support) {
      expect(s.stackName).toBe(`platform-delivery-support-${s.region}`);
      expect(s.terminationProtection).toBe(true);
      const t = Template.fromStack(s);
      t.hasResource('AWS::KMS::Key', {
        DeletionPolicy: 'Retain',
        Properties: Match.objectLike({ EnableKeyRotation: true }),
      });
      t.hasResource('AWS::S3::Bucket', {
        DeletionPolicy: 'Retain',
        Properties: Match.objectLike({
          VersioningConfiguration: { Status: 'Enabled' },
          LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'artifacts/' }),
        }),
      });
      expect(t.toJSON().Metadata.PlatformConstructs).toMatchObject({ Tier: 'production' });
    }
  });
});

describe('API checks after each wave (AWS)', () => {
  test.each(environments.map((e) => [e.name, e] as const))('%s: a check step exactly when it has checks', (_n, env) => {
    const actions = stages.find((s) => s.Name === `platform-${env.name}`)!.Actions;
    const check = actions.find((a) => a.Name === 'ApiChecks');
    if (env.checks.checks.length === 0) {
      expect(check).toBeUndefined();
      return;
    }
    const lastDeploy = Math.max(...actions.filter((a) => a.Name.endsWith('.Deploy')).map((a) => a.RunOrder));
    expect(check!.RunOrder).toBeGreaterThan(lastDeploy);
    const project = template.toJSON().Resources[(check!.Configuration!.ProjectName as { Ref: string }).Ref] as {
      Properties: { Environment: { EnvironmentVariables: { Name: string; Value: unknown }[] }; ServiceRole: unknown };
    };
    const variables = Object.fromEntries(
      project.Properties.Environment.EnvironmentVariables.map((v) => [v.Name, v.Value]),
    );
    expect(String(variables.CANARIES).split(' ')).toEqual(
      env.checks.checks.map((c) => apiCheckCanaryName(env.name, c.name)),
    );
    expect(variables.TIMEOUT_SECONDS).toBe(
      String((Math.max(...env.checks.checks.map((c) => c.intervalMinutes)) + 10) * 60),
    );
    const checkRole = `arn:aws:iam::${env.aws.account}:role/platform-${env.name}-delivery-checks`;
    expect(variables.CHECK_ROLE_ARN).toEqual(checkRole);

    // Its role is named for the foundation's trust, and the only role it may assume is that environment's check role.
    const roleId = (project.Properties.ServiceRole as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: `platform-delivery-checks-${env.name}` });
    expect(template.toJSON().Resources[roleId].Properties.RoleName).toBe(`platform-delivery-checks-${env.name}`);
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify((p.Properties as { Roles: unknown }).Roles).includes(roleId),
    );
    const statements = policies.flatMap(
      (p) =>
        (p.Properties as { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } })
          .PolicyDocument.Statement,
    );
    const assume = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('sts:')));
    expect(assume).toEqual([expect.objectContaining({ Action: 'sts:AssumeRole', Resource: checkRole })]);
  });

  test.each(environments.filter((e) => e.checks.checks.length > 0).map((e) => [e.name, e] as const))(
    "%s's foundation lends the pipeline a role that runs exactly its canaries",
    (_n, env) => {
      const stage = app.node.findChild(`platform-${env.name}`) as EnvironmentStage;
      const foundation = Template.fromStack(stage.foundation);
      foundation.hasResourceProperties('AWS::IAM::Role', {
        RoleName: `platform-${env.name}-delivery-checks`,
        AssumeRolePolicyDocument: {
          Statement: [
            {
              Action: 'sts:AssumeRole',
              Effect: 'Allow',
              Principal: {
                AWS: `arn:aws:iam::${aws.account}:root`,
              },
              Condition: {
                ArnEquals: {
                  'aws:PrincipalArn': `arn:aws:iam::${aws.account}:role/platform-delivery-checks-${env.name}`,
                },
              },
            },
          ],
        },
      });
      foundation.hasResourceProperties('AWS::IAM::ManagedPolicy', {
        PolicyDocument: {
          Statement: [
            {
              Sid: 'RunApiChecks',
              Effect: 'Allow',
              Action: ['synthetics:GetCanary', 'synthetics:GetCanaryRuns', 'synthetics:StartCanary'],
              Resource: env.checks.checks
                .map(
                  (c) =>
                    `arn:aws:synthetics:${env.aws.region}:${env.aws.account}:canary:${apiCheckCanaryName(env.name, c.name)}`,
                )
                .sort(),
            },
          ],
        },
      });
    },
  );

  test('the foundation lends no role without a delivery', () => {
    const plain = buildAwsApp({ environments: [environments[0]!], validation: false, outdir: outdir() });
    const stage = plain.node.children.find((c): c is EnvironmentStage => c instanceof EnvironmentStage)!;
    expect((stage.foundation as FoundationStack).deliveryChecks).toBeUndefined();
    Template.fromStack(stage.foundation).resourcePropertiesCountIs(
      'AWS::IAM::Role',
      { RoleName: Match.stringLikeRegexp('delivery-checks') },
      0,
    );
    expect(plain.node.children.some((c) => c instanceof DeliveryStack)).toBe(false);
  });
});

describe('a new environment (AWS)', () => {
  test('appended to the list, it is a new wave after the others, with no pipeline change', () => {
    const dr = {
      ...prod,
      name: 'dr',
      aws: { account: '444444444444', region: 'eu-west-1' },
      azure: { ...prod.azure!, keyVaultId: exampleKeyVaultId('dr') },
      network: { cidr: '10.40.0.0/16' },
      servers: [],
      services: [],
      jobs: [],
      checks: undefined,
    };
    const four = defineEnvironments([...ENVIRONMENT_INPUTS, dr]);
    const spec: DeliverySpec = defineDelivery(deliveryInput, four);
    const bigger = buildAwsApp({ environments: four, delivery: spec, validation: false, outdir: outdir() });
    const names = pipelineStagesOf(Template.fromStack(deliveryStackOf(bigger))).map((s) => s.Name);
    expect(names.filter((n) => n.startsWith('platform-'))).toEqual([
      ...environments.map((e) => `platform-${e.name}`),
      'platform-dr',
    ]);
    const drStage = pipelineStagesOf(Template.fromStack(deliveryStackOf(bigger))).find(
      (s) => s.Name === 'platform-dr',
    )!;
    // Production-tier after the first production-tier one: gated; no checks: no check step.
    expect(drStage.Actions.map((a) => a.Name).slice(0, 4)).toEqual([
      'Review',
      'Broadening.Check',
      'Broadening.Confirm',
      'Approve',
    ]);
    expect(drStage.Actions.map((a) => a.Name)).not.toContain('ApiChecks');
  });

  test('with some of the environments the stages are built as in the whole app, without the pipeline', () => {
    const prod = environments[environments.length - 1]!;
    const subset = buildAwsApp({ environments: [prod], delivery, validation: false, outdir: outdir() });
    const stacks = subset.node.children.filter((c): c is Stack => c instanceof Stack).map((s) => s.stackName);
    expect(stacks).toEqual([]);
    const foundation = Template.fromStack(
      (subset.node.findChild(`platform-${prod.name}`) as EnvironmentStage).node.findChild('foundation') as Stack,
    );
    foundation.hasResourceProperties('AWS::IAM::Role', { RoleName: `platform-${prod.name}-delivery-checks` });
  });

  test('an environment the delivery does not deploy is refused', () => {
    const stray = { ...environments[0]!, name: 'stray' };
    expect(
      errorOf(() => buildAwsApp({ environments: [stray], delivery, validation: false, outdir: outdir() })).message,
    ).toContain(`the delivery deploys ${environments.map((e) => e.name).join(', ')}, not stray;`);
  });
});
