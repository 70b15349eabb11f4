import { App, Duration, Stack, Stage, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_CDK_CLI_VERSION,
  DeliveryChecksRole,
  DeliveryPipeline,
  gatedStages,
  PlatformChecks,
  PlatformStack,
  WAIT_FOR_CANARIES_SCRIPT,
  type DeliveryPipelineProps,
  type DeliveryStageOptions,
} from '../../lib/aws';
import { SpecError } from '../../lib/core';
import { errorOf } from '../util/fixtures';
import { temporaryFolders } from '../util/temp';

const tempDir = temporaryFolders('delivery-pipeline-');
const CONNECTION = 'arn:aws:codeconnections:eu-west-1:999999999999:connection/11111111-2222-3333-4444-555555555555';
const SOURCE = { repository: 'acme/payments', branch: 'main', connectionArn: CONNECTION };
const CHECK_ROLE = 'arn:aws:iam::333333333333:role/platform-prod-delivery-checks';

/** An ARN in a stack whose partition is left to CloudFormation (`arn:${AWS::Partition}:<rest>`). */
function partitioned(rest: string): unknown {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:${rest}`]] };
}

interface Action {
  readonly Name: string;
  readonly RunOrder: number;
  readonly Configuration?: Record<string, unknown>;
}

/** An app with a pipeline stack and three one-queue stages (dev, staging, prod), each in its own account. */
function build(overrides: Partial<DeliveryPipelineProps> = {}, stageOptions: Partial<DeliveryStageOptions>[] = []) {
  const app = new App({ outdir: tempDir() });
  const stack = new PlatformStack(app, 'delivery', {
    env: { account: '999999999999', region: 'eu-west-1' },
    availabilityZones: ['eu-west-1a'],
  });
  const stages = (['dev', 'staging', 'prod'] as const).map((name, index) => {
    const stage = new Stage(app, `app-${name}`, { env: { account: `${index + 1}`.repeat(12), region: 'eu-west-1' } });
    new sqs.Queue(new Stack(stage, 'queue'), 'Queue', { enforceSSL: true });
    return { stage, name, production: name !== 'dev', ...stageOptions[index] };
  });
  const delivery = new DeliveryPipeline(stack, 'Delivery', { source: SOURCE, stages, ...overrides });
  const template = Template.fromStack(stack);
  const pipeline = Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0]!.Properties as {
    Stages: { Name: string; Actions: Action[] }[];
  };
  return { app, stack, delivery, template, pipelineStages: pipeline.Stages };
}

describe('DeliveryPipeline', () => {
  // One pipeline for most tests: prod has checks, the others none.
  const built = build({}, [{}, {}, { checks: { canaryNames: ['platform-prod-api'], roleArn: CHECK_ROLE } }]);
  const actionsOf = (name: string): Action[] => built.pipelineStages.find((s) => s.Name === name)!.Actions;

  test('gates every production-tier stage but the first of several, and a lone one', () => {
    expect(gatedStages([{ production: false }, { production: true }])).toEqual([false, true]);
    expect(gatedStages([{ production: false }, { production: true }, { production: true }])).toEqual([
      false,
      false,
      true,
    ]);
    expect(gatedStages([{ production: true }, {}, { production: true }, { production: true }])).toEqual([
      false,
      false,
      true,
      true,
    ]);
    expect(gatedStages([{}, {}])).toEqual([false, false]);
  });

  test('deploys one wave per stage, in order, after source, synth and self-mutation', () => {
    expect(built.pipelineStages.map((s) => s.Name)).toEqual([
      'Source',
      'Build',
      'UpdatePipeline',
      'app-dev',
      'app-staging',
      'app-prod',
    ]);
    built.template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Name: 'platform-delivery',
      PipelineType: 'V2',
    });
  });

  test('runs review, broadening check and approval in sequence before a gated stage only', () => {
    expect(actionsOf('app-prod').map((a) => `${a.Name}:${a.RunOrder}`)).toEqual([
      'Review:1',
      'Broadening.Check:2',
      'Broadening.Confirm:3',
      'Approve:4',
      'queue.Prepare:5',
      'queue.Deploy:6',
      'ApiChecks:7',
    ]);
    expect(actionsOf('app-staging').map((a) => a.Name)).toEqual(['Prepare', 'Deploy']);
    expect(actionsOf('app-dev').map((a) => a.Name)).toEqual(['Prepare', 'Deploy']);
  });

  test('the check step runs as a role that may only assume the stage check role', () => {
    built.template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'platform-delivery-checks-prod',
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'codebuild.amazonaws.com' } })],
      },
    });
    const role = built.delivery.checkStepRoles.get('prod')!;
    expect([...built.delivery.checkStepRoles.keys()]).toEqual(['prod']);
    const policy = built.template.toJSON().Resources[
      built.stack.getLogicalId(role.node.findChild('DefaultPolicy').node.defaultChild as CfnElement)
    ] as { Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } } };
    const sts = policy.Properties.PolicyDocument.Statement.filter((s) =>
      [s.Action].flat().some((a) => a.startsWith('sts:')),
    );
    expect(sts).toEqual([expect.objectContaining({ Action: 'sts:AssumeRole', Resource: CHECK_ROLE })]);
  });

  test('keeps artifacts in its own bucket, encrypted with a rotating key, versioned and logged', () => {
    const key = built.stack.resolve(built.delivery.key.keyArn) as unknown;
    built.template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    built.template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      ArtifactStore: { Type: 'S3', EncryptionKey: { Type: 'KMS', Id: key } },
    });
    built.template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'artifacts/' }),
    });
  });

  test('keeps build logs by the tier: a year in production, 30 days in development', () => {
    built.template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/platform-delivery/builds',
      RetentionInDays: 365,
    });
    const dev = build({ tier: 'development', pipelineName: 'payments-delivery' });
    dev.template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/payments-delivery/builds',
      RetentionInDays: 30,
    });
  });

  test('installs the pinned CDK CLI to update itself and to check broadening, never the latest', () => {
    const installs = (template: Template): string[] =>
      Object.values(template.findResources('AWS::CodeBuild::Project')).flatMap(
        (p) => JSON.stringify(p.Properties).match(/npm install -g aws-cdk[^"\\]*/g) ?? [],
      );
    expect(installs(built.template).sort()).toEqual([
      `npm install -g aws-cdk@${DEFAULT_CDK_CLI_VERSION}`,
      `npm install -g aws-cdk@${DEFAULT_CDK_CLI_VERSION}`,
    ]);
    expect(installs(build({ cliVersion: '2.1150.0' }).template)).toEqual([
      'npm install -g aws-cdk@2.1150.0',
      'npm install -g aws-cdk@2.1150.0',
    ]);
    // The default is the CLI this repository synthesizes and lists with.
    const pinned = (
      JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as {
        devDependencies: Record<string, string>;
      }
    ).devDependencies['aws-cdk'];
    expect(pinned?.replace(/^[~^]/, '')).toBe(DEFAULT_CDK_CLI_VERSION);
  });

  test('synthesizes with the given commands and output directory', () => {
    const custom = build({ synthCommands: ['yarn install', 'yarn cdk synth'], synthOutputDirectory: 'out' });
    const synth = Object.values(custom.template.findResources('AWS::CodeBuild::Project')).find((p) =>
      JSON.stringify(p.Properties).includes('yarn cdk synth'),
    );
    const spec = JSON.parse((synth!.Properties as { Source: { BuildSpec: string } }).Source.BuildSpec) as {
      phases: { build: { commands: string[] } };
      artifacts: { 'base-directory': string };
    };
    expect(spec.phases.build.commands).toEqual(['yarn install', 'yarn cdk synth']);
    expect(spec.artifacts['base-directory']).toBe('out');
  });

  test('announces approvals on a given topic instead of its own', () => {
    const app = new App({ outdir: tempDir() });
    const stack = new Stack(app, 'pipeline', { env: { account: '999999999999', region: 'eu-west-1' } });
    const topic = new sns.Topic(stack, 'Approvals');
    const stage = new Stage(app, 'prod', { env: { account: '333333333333', region: 'eu-west-1' } });
    new sqs.Queue(new Stack(stage, 'queue'), 'Queue');
    const staging = new Stage(app, 'staging', { env: { account: '222222222222', region: 'eu-west-1' } });
    new sqs.Queue(new Stack(staging, 'queue'), 'Queue');
    const delivery = new DeliveryPipeline(stack, 'Delivery', {
      source: SOURCE,
      stages: [
        { stage: staging, production: true },
        { stage, production: true },
      ],
      notificationTopic: topic,
    });
    expect(delivery.notificationTopic).toBe(topic);
    Template.fromStack(stack).resourceCountIs('AWS::SNS::Topic', 1);
  });

  test('leaves no unacknowledged guardrail finding in its stack', () => {
    const findings = [
      new AwsSolutionsChecks(),
      new NIST80053R5Checks(),
      new PlatformChecks(undefined, { tier: 'production' }),
    ].flatMap((pack) =>
      pack
        .validateScope(built.stack)
        .violations.map((v) => `${v.ruleName} at ${v.violatingResources[0]?.constructPath}`),
    );
    expect(findings).toEqual([]);
  });

  test('reports every bad prop at once', () => {
    const app = new App({ outdir: tempDir() });
    const stack = new Stack(app, 'pipeline', { env: { account: '999999999999', region: 'eu-west-1' } });
    const stage = new Stage(app, 'prod');
    const error = errorOf(
      () =>
        new DeliveryPipeline(stack, 'Delivery', {
          source: { repository: 'payments', branch: 'main', connectionArn: 'arn:aws:s3:::bucket' },
          stages: [
            { stage, name: 'prod' },
            { stage, name: 'prod', checks: { canaryNames: [], roleArn: CHECK_ROLE } },
            { stage: 'prod' as unknown as Stage },
          ],
          tier: 'staging' as never,
        }),
    );
    expect(SpecError.isSpecError(error)).toBe(true);
    expect(error.message).toContain('Invalid DeliveryPipeline props (pipeline/Delivery)');
    for (const path of [
      'props.source.repository',
      'props.source.connectionArn',
      'props.tier',
      'props.stages[1].name',
      'props.stages[1].checks.canaryNames',
      'props.stages[2].stage',
    ]) {
      expect(error.message).toContain(path);
    }
  });

  test('names a missing prop and its kind', () => {
    const app = new App({ outdir: tempDir() });
    const stack = new Stack(app, 'pipeline');
    const error = errorOf(
      () => new DeliveryPipeline(stack, 'Delivery', { stages: [] } as unknown as DeliveryPipelineProps),
    );
    expect(error.message).toMatch(/props\.source: \(missing\) - required: the repository, branch and CodeConnections/);
  });

  test('refuses an empty list of stages', () => {
    const app = new App({ outdir: tempDir() });
    const stack = new Stack(app, 'pipeline', { env: { account: '999999999999', region: 'eu-west-1' } });
    expect(() => new DeliveryPipeline(stack, 'Delivery', { source: SOURCE, stages: [] })).toThrow(
      /props\.stages: .* - at least one stage to deploy/,
    );
  });
});

describe('DeliveryChecksRole', () => {
  function roleTemplate(): Template {
    const stack = new Stack(new App({ outdir: tempDir() }), 'foundation', {
      env: { account: '333333333333', region: 'eu-west-1' },
    });
    new DeliveryChecksRole(stack, 'DeliveryChecks', {
      environment: 'prod',
      canaryNames: ['platform-prod-api', 'platform-prod-web'],
      deliveryAccount: '999999999999',
    });
    return Template.fromStack(stack);
  }

  test('trusts only the check step role of the delivery account', () => {
    roleTemplate().hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'platform-prod-delivery-checks',
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { AWS: partitioned('iam::999999999999:root') },
            Condition: {
              ArnEquals: { 'aws:PrincipalArn': partitioned('iam::999999999999:role/platform-delivery-checks-prod') },
            },
          },
        ],
      },
    });
  });

  test('may only start and read the named canaries', () => {
    roleTemplate().hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          {
            Sid: 'RunApiChecks',
            Effect: 'Allow',
            Action: ['synthetics:GetCanary', 'synthetics:GetCanaryRuns', 'synthetics:StartCanary'],
            Resource: [
              partitioned('synthetics:eu-west-1:333333333333:canary:platform-prod-api'),
              partitioned('synthetics:eu-west-1:333333333333:canary:platform-prod-web'),
            ],
          },
        ],
      },
    });
  });

  test('reports every bad prop at once', () => {
    const stack = new Stack(new App({ outdir: tempDir() }), 'foundation');
    const error = errorOf(
      () =>
        new DeliveryChecksRole(stack, 'DeliveryChecks', {
          environment: 'a-very-long-environment-name-that-overflows-iam',
          canaryNames: [],
          deliveryAccount: '9999',
        }),
    );
    expect(error.message).toContain('props.canaryNames');
    expect(error.message).toContain('props.deliveryAccount: "9999" - a 12-digit AWS account ID');
    expect(error.message).toMatch(/props\.environment: .* - a shorter name/);
  });
});

describe('the check step script', () => {
  /**
   * Runs the script against a fake `aws` CLI that answers from `canaries` (state and the state of a run that
   * started after the script began), recording each call.
   */
  function run(canaries: Record<string, { state: string; run: 'PASSED' | 'FAILED' }>) {
    const dir = tempDir();
    const log = join(dir, 'calls.log');
    const fake = `#!/usr/bin/env node
const fs = require('node:fs');
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(log)}, args.join(' ') + ' [' + (process.env.AWS_SESSION_TOKEN || '') + ']\\n');
const canaries = ${JSON.stringify(canaries)};
const name = args[args.indexOf('--name') + 1];
const out = (o) => process.stdout.write(JSON.stringify(o));
if (args[0] === 'sts') out({ Credentials: { AccessKeyId: 'A', SecretAccessKey: 'S', SessionToken: 'assumed' } });
else if (args[1] === 'get-canary') out({ Canary: { Status: { State: canaries[name].state } } });
else if (args[1] === 'start-canary') out({});
else if (args[1] === 'get-canary-runs') out({ CanaryRuns: [
  { Status: { State: 'FAILED' }, Timeline: { Started: '2020-01-01T00:00:00Z' } },
  { Status: { State: canaries[name].run }, Timeline: { Started: new Date(Date.now() + 1000).toISOString() } },
] });
`;
    writeFileSync(join(dir, 'aws'), fake);
    chmodSync(join(dir, 'aws'), 0o755);
    const result = spawnSync(process.execPath, ['-e', WAIT_FOR_CANARIES_SCRIPT], {
      encoding: 'utf8',
      env: {
        PATH: `${dir}:${process.env.PATH ?? ''}`,
        CHECK_ROLE_ARN: CHECK_ROLE,
        CHECK_REGION: 'eu-west-1',
        CANARIES: Object.keys(canaries).join(' '),
        TIMEOUT_SECONDS: '60',
      },
    });
    const calls = readFileSync(log, 'utf8');
    return { status: result.status, output: result.stdout + result.stderr, calls: calls.trim().split('\n') };
  }

  test('starts a stopped canary, leaves a scheduled one, and passes when both pass after the deployment', () => {
    const result = run({
      'platform-prod-api': { state: 'RUNNING', run: 'PASSED' },
      'platform-prod-web': { state: 'READY', run: 'PASSED' },
    });
    expect(result.status).toBe(0);
    expect(result.output).toContain('Every API check passed after the deployment');
    expect(result.calls[0]).toBe(
      `sts assume-role --role-arn ${CHECK_ROLE} --role-session-name delivery-checks --output json []`,
    );
    const starts = result.calls.filter((c) => c.includes('start-canary'));
    expect(starts).toEqual([
      'synthetics start-canary --name platform-prod-web --region eu-west-1 --output json [assumed]',
    ]);
  });

  test('fails when a run after the deployment fails, ignoring older runs', () => {
    const result = run({ 'platform-prod-api': { state: 'RUNNING', run: 'FAILED' } });
    expect(result.status).toBe(1);
    expect(result.output).toContain('platform-prod-api: FAILED after the deployment');
  });

  test('the step waits longer than the default check timeout only when told', () => {
    const custom = build({}, [
      {},
      {},
      { checks: { canaryNames: ['platform-prod-api'], roleArn: CHECK_ROLE, timeout: Duration.minutes(70) } },
    ]);
    const project = Object.values(custom.template.findResources('AWS::CodeBuild::Project')).find((p) =>
      JSON.stringify(p.Properties).includes('WAIT_FOR_CANARIES'),
    )!.Properties as {
      TimeoutInMinutes: number;
      Environment: { EnvironmentVariables: { Name: string; Value: string }[] };
    };
    expect(project.TimeoutInMinutes).toBe(80);
    expect(project.Environment.EnvironmentVariables.find((v) => v.Name === 'TIMEOUT_SECONDS')!.Value).toBe('4200');
  });
});
