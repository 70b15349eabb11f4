import { CfnResource, Duration, RemovalPolicy, Stack, Stage, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import {
  AWS_STATEFUL_TYPES,
  checkProps,
  DELIVERY_PIPELINE_NAME,
  gatedEnvironments,
  IssueCollector,
  type Tier,
} from '../core';
import { acknowledge, acknowledgeWildcardGrant, nagResourceLabel } from './acknowledge';
import { logAccessesTo, serverAccessLogBucket } from './access-logs';
import { renderFlowLogKeyStatement } from './network';
import { deliveryCheckStepRoleName } from './delivery-checks-role';
import { grantsOf, isWildcardGrant } from './policy/rules/wildcard-grant';
import { RetainStatefulResources, tierOf, tierProtection } from './protection';
import { toRetentionDays } from './retention';

/** Where the pipeline takes its changes from: a GitHub (or other) repository read through a CodeConnections connection. */
export interface DeliverySource {
  /** The repository, `owner/name`. */
  readonly repository: string;
  /** The branch whose commits the pipeline delivers. */
  readonly branch: string;
  /** The ARN of the CodeConnections (CodeStar) connection to the repository, in the pipeline's account and region. */
  readonly connectionArn: string;
}

/** The API checks the pipeline waits for after deploying one stage. */
export interface DeliveryChecks {
  /** The names of the Synthetics canaries in the stage's account and region (`apiCheckCanaryName`). */
  readonly canaryNames: readonly string[];
  /**
   * The role in the stage's account the check step assumes to start and read the canaries (`DeliveryChecksRole`,
   * `platform-<env>-delivery-checks`). It must trust the step role `<pipeline>-checks-<name>` of the delivery
   * account.
   */
  readonly roleArn: string;
  /**
   * How long the step waits for every canary to finish a run that started after the deployment; longer than the
   * checks' longest interval, because a scheduled canary cannot be started early.
   * @default Duration.minutes(15)
   */
  readonly timeout?: Duration;
}

/** One stage the pipeline deploys, in the pipeline's order. */
export interface DeliveryStageOptions {
  /** The Stage to deploy: its stacks deploy through its account's CDK bootstrap roles (`cdk bootstrap --trust`). */
  readonly stage: Stage;
  /**
   * The stage's short name: the wave's id, the `--env` of the review, and part of the check step role's name
   * (`<pipeline>-checks-<name>`).
   * @default - the Stage's stageName
   */
  readonly name?: string;
  /**
   * Whether the stage is production-tier. Production-tier stages but the first of several are gated: see
   * {@link DeliveryPipeline}.
   * @default false
   */
  readonly production?: boolean;
  /**
   * The API checks to wait for after the stage is deployed; the step fails the pipeline when one fails.
   * @default - no check step
   */
  readonly checks?: DeliveryChecks;
  /**
   * The commands of the review gate before a gated stage, run in a full clone of the repository with `$BASE` set
   * to the commit last deployed to the stage; they fail the gate by exiting non-zero. Without an earlier
   * deployment the gate says so and passes.
   * @default - `npm ci`, then this library's review: `npm run review -- --base "$BASE" --env <name> --cloud aws
   *   --format markdown --out review/comment.md` (exit 2: a risk nobody acknowledged), printing the comment
   */
  readonly reviewCommands?: readonly string[];
}

/** Props of {@link DeliveryPipeline}. */
export interface DeliveryPipelineProps {
  /** The repository, branch and connection the pipeline reads. */
  readonly source: DeliverySource;
  /** The stages to deploy, in order, one wave each: a new stage in the list is a new wave. */
  readonly stages: readonly DeliveryStageOptions[];
  /**
   * The commands that synthesize the cloud assembly (the guardrails run during synthesis and fail it).
   * @default ['npm ci', 'npm run synth -- --cloud aws']
   */
  readonly synthCommands?: readonly string[];
  /**
   * The directory the synth commands write the cloud assembly to.
   * @default 'cdk.out'
   */
  readonly synthOutputDirectory?: string;
  /**
   * The pipeline's name; it also names the check step roles (`<pipeline>-checks-<stage>`).
   * @default 'platform-delivery'
   */
  readonly pipelineName?: string;
  /**
   * Who is emailed when a gated stage waits for approval or a permissions broadening waits for confirmation
   * (subscriptions to the topic this construct creates).
   * @default - no email subscription
   */
  readonly notificationEmails?: readonly string[];
  /**
   * The topic told of approvals and permissions broadenings, instead of one this construct creates.
   * @default - a topic of this construct, encrypted with its key
   */
  readonly notificationTopic?: sns.ITopic;
  /**
   * The version of the CDK CLI (npm `aws-cdk`) the pipeline installs to update itself and to check permissions
   * broadening: pinned, because a new major version may not read the cloud assemblies of this aws-cdk-lib.
   * @default DEFAULT_CDK_CLI_VERSION, the CLI this library is tested with
   */
  readonly cliVersion?: string;
  /**
   * The tier of the pipeline: how long its build logs and artifacts are kept.
   * @default - the tier of the PlatformStack it is in, else production
   */
  readonly tier?: Tier;
}

/**
 * The CDK CLI version the pipeline installs by default: the one this library's tests synthesize and list with (a
 * test keeps it equal to the `aws-cdk` devDependency). aws-cdk-lib would install the latest, whose next major
 * version may not read current cloud assemblies.
 */
export const DEFAULT_CDK_CLI_VERSION = '2.1148.1';

/** The build image of every CodeBuild project of the pipeline: Ubuntu with Node.js 20 (the library's engines). */
const BUILD_IMAGE = codebuild.LinuxBuildImage.STANDARD_7_0;

/** The Node.js version the projects select on the image (`runtime-versions`). */
const NODE_VERSION = 20;

/** The default synth commands: install exactly the lock file, then synthesize (with the guardrails) for AWS. */
export const DEFAULT_SYNTH_COMMANDS: readonly string[] = ['npm ci', 'npm run synth -- --cloud aws'];

/**
 * Which stages are gated (review, permissions-broadening check, manual approval, in that order, before the
 * deployment): the production-tier ones, as {@link gatedEnvironments} decides: every one but the first of several
 * (staging, the rehearsal), or the only one. Pure.
 *
 * @returns one flag per stage, in order
 */
export function gatedStages(stages: readonly Pick<DeliveryStageOptions, 'production'>[]): boolean[] {
  return gatedEnvironments(stages.map((s) => (s.production === true ? 'production' : 'development')));
}

/**
 * The check step's script (Node.js, on the build image, with the AWS CLI): assumes the check role, starts each
 * canary that is not running on its schedule, then waits until each has a finished run that started after the step
 * began; fails on a failed run or when the time runs out. Reads CHECK_ROLE_ARN, CHECK_REGION, CANARIES (space
 * separated) and TIMEOUT_SECONDS.
 */
export const WAIT_FOR_CANARIES_SCRIPT = `
const { execFileSync } = require('node:child_process');
const { CHECK_ROLE_ARN, CHECK_REGION, CANARIES, TIMEOUT_SECONDS } = process.env;
const started = Date.now();
const deadline = started + Number(TIMEOUT_SECONDS) * 1000;
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
let env, assumedAt = 0;
function credentials() {
  if (Date.now() - assumedAt < 30 * 60 * 1000) return env;
  const out = execFileSync('aws', ['sts', 'assume-role', '--role-arn', CHECK_ROLE_ARN, '--role-session-name', 'delivery-checks', '--output', 'json'], { encoding: 'utf8' });
  const c = JSON.parse(out).Credentials;
  env = { ...process.env, AWS_ACCESS_KEY_ID: c.AccessKeyId, AWS_SECRET_ACCESS_KEY: c.SecretAccessKey, AWS_SESSION_TOKEN: c.SessionToken };
  assumedAt = Date.now();
  return env;
}
const aws = (...args) => JSON.parse(execFileSync('aws', ['synthetics', ...args, '--region', CHECK_REGION, '--output', 'json'], { encoding: 'utf8', env: credentials() }) || '{}');
const pending = new Set(CANARIES.split(' ').filter(Boolean));
for (const name of pending) {
  const state = aws('get-canary', '--name', name).Canary.Status.State;
  if (state === 'READY' || state === 'STOPPED') {
    console.log(name + ': ' + state + ', starting it');
    try { aws('start-canary', '--name', name); } catch (e) { console.log(name + ': not started (' + e.message.trim() + '), waiting for its next run'); }
  } else console.log(name + ': ' + state + ', waiting for its next run');
}
while (pending.size > 0) {
  for (const name of [...pending]) {
    const runs = aws('get-canary-runs', '--name', name, '--max-results', '10').CanaryRuns || [];
    const done = runs.filter((r) => Date.parse(r.Timeline && r.Timeline.Started) >= started && r.Status.State !== 'RUNNING');
    if (done.some((r) => r.Status.State === 'FAILED')) { console.error(name + ': FAILED after the deployment'); process.exit(1); }
    if (done.some((r) => r.Status.State === 'PASSED')) { console.log(name + ': passed'); pending.delete(name); }
  }
  if (pending.size === 0) break;
  if (Date.now() > deadline) { console.error('No finished run since the deployment of: ' + [...pending].join(', ')); process.exit(1); }
  sleep(20000);
}
console.log('Every API check passed after the deployment');
`.trim();

/** Why the access logs of the artifact buckets need no copy in another region. */
const ARTIFACT_ACCESS_LOGS_NEED_NO_REPLICA =
  'Server access logs are kept for audit in the pipeline region with versioning; no deployment needs them';

/** A wildcard grant aws-cdk-lib's pipeline writes into a policy it generates, and why it is safe. */
interface GeneratedGrant {
  /** The actions, as the policy names them. */
  readonly actions: RegExp;
  /** Whether a resource (by its label in the template, as cdk-nag names it) is the one accepted. */
  readonly resource: (label: string) => boolean;
  /**
   * Whether the policy (by construct path) is the one the grant is accepted on.
   * @default - any policy of the pipeline
   */
  readonly policy?: RegExp;
  /** Why nothing narrower will do. */
  readonly reason: string;
}

/** The labels (`nagResourceLabel`) of the pipeline's own resources that its generated grants name. */
interface PipelineResourceLabels {
  /** The artifact buckets (this region's and the replication buckets of other regions), with and without `/*`. */
  readonly artifactStores: ReadonlySet<string>;
  /** The pipeline's key. */
  readonly key: string;
}

/**
 * The wildcard grants aws-cdk-lib's pipeline writes into the policies it generates, each accepted by its actions,
 * its exact resource (or the shape of a per-project name) and, where only one policy holds it, that policy, with
 * why nothing narrower will do. Any other wildcard grant stays a Platform-WildcardGrant finding. Pure.
 */
function generatedGrants(labels: PipelineResourceLabels): GeneratedGrant[] {
  // A partition is literal (`aws`) where the stack's region is known, else the pseudo parameter.
  const arn = (rest: string): RegExp => new RegExp(`^arn:(?:<AWS::Partition>|[a-z-]+):${rest}$`);
  const codebuildLogs = arn('logs:[a-z0-9-]+:\\d{12}:log-group:/aws/codebuild/<[A-Za-z0-9]+>(:\\*)?');
  const reportGroups = arn('codebuild:[a-z0-9-]+:\\d{12}:report-group/<[A-Za-z0-9]+>-\\*');
  const assetLogs = arn('logs:[a-z0-9-]+:\\d{12}:log-group:/aws/codebuild/\\*');
  const assetReportGroups = arn('codebuild:[a-z0-9-]+:\\d{12}:report-group/\\*');
  const assets = /\/Assets\/(File|Docker)Role\/DefaultPolicy$/;
  return [
    {
      actions:
        /^s3:(GetObject\*|GetBucket\*|List\*|DeleteObject\*|Abort\*|PutObject|PutObjectAcl|PutObjectVersionAcl|PutObjectLegalHold|PutObjectRetention|PutObjectTagging|PutObjectVersionTagging)$/,
      resource: (label) => labels.artifactStores.has(label),
      reason:
        "aws-cdk-lib's grants on the pipeline's own artifact buckets: each execution writes its artifacts under keys generated per run, so no narrower object ARN exists",
    },
    {
      actions: /^kms:(Decrypt|Encrypt|ReEncrypt\*|GenerateDataKey\*|DescribeKey)$/,
      resource: (label) => label === labels.key,
      reason:
        "The action families aws-cdk-lib grants on the pipeline's own key (artifacts, build logs, notifications); the resource is that one key",
    },
    {
      actions: /^kms:(Decrypt|Encrypt|ReEncrypt\*|GenerateDataKey\*|DescribeKey)$/,
      resource: (label) => label === '*',
      policy: /\/Pipeline\/Pipeline\/Role\/DefaultPolicy$/,
      reason:
        "The pipeline's role encrypts the artifacts it replicates to another region (an environment's backup-copy region) with that region's key, which aws-cdk-lib's support stack creates and names only by an alias; the delivery account holds nothing but the pipeline",
    },
    {
      actions: /^logs:(CreateLogGroup|CreateLogStream|PutLogEvents)$/,
      resource: (label) => codebuildLogs.test(label),
      reason:
        "CodeBuild's default log group of this one project (aws-cdk-lib grants it on every project; the builds log to the pipeline's own group); log streams are named per build",
    },
    {
      actions: /^codebuild:(CreateReportGroup|CreateReport|UpdateReport|BatchPutTestCases|BatchPutCodeCoverages)$/,
      resource: (label) => reportGroups.test(label),
      reason:
        "The test report groups of this one project (aws-cdk-lib grants them on every project): CodeBuild names them '<project>-<report>' at run time",
    },
    {
      actions:
        /^(logs:(CreateLogGroup|CreateLogStream|PutLogEvents)|codebuild:(CreateReportGroup|CreateReport|UpdateReport|BatchPutTestCases|BatchPutCodeCoverages|BatchGetBuilds|StartBuild|StopBuild))$/,
      resource: (label) => label === '*' || assetLogs.test(label) || assetReportGroups.test(label),
      policy: assets,
      reason:
        "aws-cdk-lib's one role for all of the pipeline's asset-publishing projects, whose number and names follow the assets of each synthesis; it holds no other permission on them",
    },
    {
      actions: /^sts:AssumeRole$/,
      resource: (label) => label === '*' || /^arn:\*:iam::\d{12}:role\/\*$/.test(label),
      policy: /\/(UpdatePipeline\/SelfMutation|PipelinesSecurityCheck\/CDKSecurityCheck)\/Role\/DefaultPolicy$/,
      reason:
        'Self-mutation and the permissions-broadening check run `cdk deploy` and `cdk diff`, which assume the CDK bootstrap roles of every account; a condition on the iam:ResourceTag/aws-cdk:bootstrap-role tag holds them to those roles',
    },
    {
      actions: /^(cloudformation:DescribeStacks|s3:ListBucket)$/,
      resource: (label) => label === '*',
      policy: /\/UpdatePipeline\/SelfMutation\/Role\/DefaultPolicy$/,
      reason:
        'Self-mutation runs `cdk deploy` of the pipeline stack: the CLI reads stack status and lists the bootstrap bucket, whose names it learns at run time',
    },
    {
      actions: /^codepipeline:(GetPipelineState|PutApprovalResult)$/,
      resource: (label) => label === '*',
      policy: /\/CDKPipelinesAutoApprove\/ServiceRole\/DefaultPolicy$/,
      reason:
        "aws-cdk-lib's permissions-broadening check approves the stage of whichever pipeline invoked it; only that check invokes its function",
    },
    {
      actions: /^lambda:InvokeFunction$/,
      resource: (label) => /^<[A-Za-z0-9]*AutoApprove[A-Za-z0-9]*\.Arn>:\*$/.test(label),
      reason: "Invokes any version of aws-cdk-lib's auto-approve function of this pipeline, and nothing else",
    },
  ];
}

/** The NIST and AwsSolutions rules aws-cdk-lib's permissions-broadening Lambda fails, and why each is safe. */
const AUTO_APPROVE_ACKNOWLEDGEMENTS: readonly (readonly [string, string])[] = [
  [
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'AWSLambdaBasicExecutionRole only lets the auto-approve function write its own logs; aws-cdk-lib creates the function and its role',
  ],
  [
    'NIST.800.53.R5-LambdaConcurrency',
    'The auto-approve function runs once per permissions-broadening check of this pipeline, never concurrently at scale',
  ],
  [
    'NIST.800.53.R5-LambdaDLQ',
    'The auto-approve function is invoked synchronously by the check; a failed invocation fails the check, which blocks the deployment',
  ],
  [
    'NIST.800.53.R5-LambdaInsideVPC',
    'The auto-approve function calls only the CodePipeline API and holds no data; aws-cdk-lib creates it outside a VPC',
  ],
  [
    'NIST.800.53.R5-CloudWatchLogGroupEncrypted',
    "The auto-approve function's logs hold only the approval it gave; aws-cdk-lib creates the log group without a key",
  ],
];

/**
 * The delivery pipeline of a set of CDK Stages: a CDK Pipelines pipeline (CodePipeline V2) that takes every commit
 * of a branch through a CodeConnections connection, synthesizes it (the guardrails run then), updates itself, and
 * deploys the stages one wave each, in order, into their accounts through each account's CDK bootstrap roles.
 *
 * Production is gated: before every production-tier stage but the first of several (that one, staging, is the
 * rehearsal: production-tier settings, deployed without waiting; a lone production-tier stage is gated), it runs, in this order, a review of the
 * change since the commit last deployed to the stage, aws-cdk-lib's permissions-broadening check, and a manual
 * approval; approvals and broadenings are announced on an encrypted topic. After a stage with API checks, a step
 * starts the checks' canaries in the stage's account and waits for them to pass.
 *
 * Defaults: its own artifact bucket (KMS key with rotation, versioned, SSL only, private, server access logs to a
 * second bucket), one build log group encrypted with the same key and kept by tier, every stateful resource
 * retained, the check steps' roles allowed only to assume their stage's check role. Call nothing after it: it
 * builds the pipeline in its constructor, so that its acknowledgements find the generated resources.
 *
 * @example
 * new DeliveryPipeline(stack, 'Delivery', {
 *   source: { repository: 'acme/payments', branch: 'main', connectionArn },
 *   stages: [
 *     { stage: devStage, name: 'dev' },
 *     { stage: stagingStage, name: 'staging', production: true },
 *     { stage: prodStage, name: 'prod', production: true,
 *       checks: { canaryNames: ['platform-prod-api'], roleArn: prodCheckRoleArn } },
 *   ],
 *   notificationEmails: ['approvers@example.com'],
 * });
 */
export class DeliveryPipeline extends Construct {
  /** The CDK Pipelines pipeline (built). */
  public readonly pipeline: pipelines.CodePipeline;
  /** The key of the artifacts, the build logs and the notification topic. */
  public readonly key: kms.Key;
  /** The artifact bucket. */
  public readonly artifactBucket: s3.Bucket;
  /** The bucket that receives the artifact bucket's server access logs. */
  public readonly accessLogBucket: s3.Bucket;
  /** The log group of every CodeBuild project of the pipeline. */
  public readonly logGroup: logs.LogGroup;
  /** The topic told of approvals and permissions broadenings. */
  public readonly notificationTopic: sns.ITopic;
  /** The check step role of each stage with checks, by the stage's short name. */
  public readonly checkStepRoles: ReadonlyMap<string, iam.Role>;
  /**
   * The support stacks aws-cdk-lib created for the regions other than the pipeline's that stages deploy to
   * (`<pipeline stack>-support-<region>`, each with the replication bucket of its region), made as safe as the
   * pipeline's own bucket: key retained, bucket versioned, logged and retained, termination protection. Check them
   * with the same guardrails as the pipeline's stack (`PolicyChecks.applyTo(stack, ...)`).
   */
  public readonly supportStacks: readonly Stack[];

  constructor(scope: Construct, id: string, props: DeliveryPipelineProps) {
    super(scope, id);
    validateProps(this.node.path, props);
    const stack = Stack.of(this);
    const pipelineName = props.pipelineName ?? DELIVERY_PIPELINE_NAME;
    const tier = props.tier ?? tierOf(this);
    const retentionDays = tierProtection(tier).logRetentionDays;
    const removalPolicy = RetainStatefulResources.removalPolicyOf(this);

    this.key = new kms.Key(this, 'Key', {
      description: `Encrypts the artifacts, build logs and notifications of the ${pipelineName} pipeline`,
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      removalPolicy,
    });
    const logGroupName = `/${pipelineName}/builds`;
    this.key.addToResourcePolicy(renderFlowLogKeyStatement(stack, logGroupName, 'AllowCloudWatchLogsForBuildLogs'));

    this.accessLogBucket = serverAccessLogBucket(this, 'AccessLogs', {
      of: 'the artifact bucket',
      retention: Duration.days(retentionDays),
      removalPolicy,
      whyNoReplica: ARTIFACT_ACCESS_LOGS_NEED_NO_REPLICA,
    });

    this.artifactBucket = new s3.Bucket(this, 'ArtifactBucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy,
      lifecycleRules: [
        {
          id: 'ExpireOldArtifacts',
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });
    logAccessesTo(this.artifactBucket, this.accessLogBucket, 'artifacts/');
    acknowledge(
      this.artifactBucket,
      'NIST.800.53.R5-S3BucketReplicationEnabled',
      'Pipeline artifacts are rebuilt from the repository by the next execution; a copy in a second region would restore nothing the source does not hold',
    );

    this.logGroup = new logs.LogGroup(this, 'BuildLogs', {
      logGroupName,
      encryptionKey: this.key,
      retention: toRetentionDays(retentionDays),
      removalPolicy,
    });

    this.notificationTopic =
      props.notificationTopic ??
      new sns.Topic(this, 'Notifications', {
        displayName: `${pipelineName}: approvals and permissions broadenings`,
        masterKey: this.key,
        enforceSSL: true,
      });
    for (const email of props.notificationEmails ?? []) {
      this.notificationTopic.addSubscription(new subscriptions.EmailSubscription(email));
    }

    const source = pipelines.CodePipelineSource.connection(props.source.repository, props.source.branch, {
      connectionArn: props.source.connectionArn,
      // A full clone (not a zip of the tree): the review gate needs the history to diff against the last deployment.
      codeBuildCloneOutput: true,
    });
    const cliVersion = props.cliVersion ?? DEFAULT_CDK_CLI_VERSION;
    this.pipeline = new pipelines.CodePipeline(this, 'Pipeline', {
      pipelineName,
      pipelineType: codepipeline.PipelineType.V2,
      artifactBucket: this.artifactBucket,
      // Stacks in another region (an environment's backup copies) deploy from a replication bucket of the delivery
      // account in that region, which aws-cdk-lib creates in a support stack; cross-account deployments need it to
      // have a key, and the key to rotate.
      crossAccountKeys: true,
      enableKeyRotation: true,
      selfMutation: true,
      cliVersion,
      dockerEnabledForSynth: false,
      dockerEnabledForSelfMutation: false,
      codeBuildDefaults: {
        buildEnvironment: { buildImage: BUILD_IMAGE, computeType: codebuild.ComputeType.MEDIUM },
        partialBuildSpec: codebuild.BuildSpec.fromObject({
          phases: { install: { 'runtime-versions': { nodejs: NODE_VERSION } } },
        }),
        logging: { cloudWatch: { logGroup: this.logGroup } },
      },
      synth: new pipelines.ShellStep('Synth', {
        input: source,
        commands: [...(props.synthCommands ?? DEFAULT_SYNTH_COMMANDS)],
        primaryOutputDirectory: props.synthOutputDirectory ?? 'cdk.out',
      }),
    });

    const pipelineArn = stack.formatArn({ service: 'codepipeline', resource: pipelineName });
    const gated = gatedStages(props.stages);
    const checkStepRoles = new Map<string, iam.Role>();
    props.stages.forEach((options, index) => {
      const name = options.name ?? options.stage.stageName;
      const pre = gated[index]
        ? pipelines.Step.sequence([
            this.reviewStep(name, options, source, pipelineName, pipelineArn),
            new pipelines.ConfirmPermissionsBroadening('Broadening', {
              stage: options.stage,
              notificationTopic: this.notificationTopic,
            }),
            new pipelines.ManualApprovalStep('Approve', {
              comment: `Deploy this change to ${name}? The review and the permissions-broadening check before it have passed.`,
              notificationTopic: this.notificationTopic,
            }),
          ])
        : [];
      const post: pipelines.Step[] = [];
      if (options.checks) {
        const role = this.checkStepRole(name, options.checks, pipelineName);
        checkStepRoles.set(name, role);
        post.push(this.checkStep(options.stage, options.checks, role));
      }
      this.pipeline.addWave(name).addStage(options.stage, { pre, post });
    });
    this.checkStepRoles = checkStepRoles;

    // Built now rather than just in time, so that the acknowledgements below find the generated resources.
    this.pipeline.buildPipeline();
    const supports = Object.values(this.pipeline.pipeline.crossRegionSupport).filter((s) => s.stack !== stack);
    for (const support of supports) secureSupportStack(support.stack, support.replicationBucket, retentionDays);
    this.supportStacks = supports.map((s) => s.stack);
    this.acknowledgeGenerated(
      supports.map((s) => s.replicationBucket),
      cliVersion,
    );
    acknowledge(
      this.pipeline.pipeline,
      'CloudFormation-Validate::E3703',
      "aws-cdk-lib writes each cross-account deploy action's execution role as Fn::Join of the partition, which " +
        'CloudFormation resolves; cfn-lint only prefers Fn::Sub inside the free-form action Configuration',
    );
  }

  /** The review gate of a stage: diff against the commit the pipeline last deployed to it. */
  private reviewStep(
    name: string,
    options: DeliveryStageOptions,
    source: pipelines.CodePipelineSource,
    pipelineName: string,
    pipelineArn: string,
  ): pipelines.CodeBuildStep {
    const stageName = options.stage.stageName;
    const review = options.reviewCommands ?? [
      'npm ci',
      // The review's markdown goes to the build log whatever the verdict, then its exit code decides.
      `npm run review -- --base "$BASE" --env ${name} --cloud aws --format markdown --out review/comment.md; status=$?; cat review/comment.md 2>/dev/null; exit $status`,
    ];
    return new pipelines.CodeBuildStep('Review', {
      input: source,
      commands: [
        `BASE=$(aws codepipeline list-pipeline-executions --pipeline-name ${pipelineName} --filter 'succeededInStage={stageName=${stageName}}' --max-items 1 --query 'pipelineExecutionSummaries[0].sourceRevisions[0].revisionId' --output text)`,
        `if [ -z "$BASE" ] || [ "$BASE" = None ]; then echo "No earlier execution of ${pipelineName} deployed ${stageName}: nothing to review against, the gate passes"; exit 0; fi`,
        'echo "Reviewing the change since $BASE, the commit last deployed"',
        ...review,
      ],
      rolePolicyStatements: [
        new iam.PolicyStatement({
          sid: 'FindLastDeployment',
          actions: ['codepipeline:ListPipelineExecutions'],
          resources: [pipelineArn],
        }),
      ],
      timeout: Duration.minutes(30),
    });
  }

  /** The role a stage's check step runs as: it may assume the stage's check role, and nothing else of its own. */
  private checkStepRole(name: string, checks: DeliveryChecks, pipelineName: string): iam.Role {
    const role = new iam.Role(this, `ChecksRole-${name}`, {
      roleName: deliveryCheckStepRoleName(name, pipelineName),
      description: `Runs the API checks of ${name} after the ${pipelineName} pipeline deployed it`,
      assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com'),
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'AssumeCheckRole', actions: ['sts:AssumeRole'], resources: [checks.roleArn] }),
    );
    return role;
  }

  /** The step that starts the stage's canaries and waits for them to pass. */
  private checkStep(stage: Stage, checks: DeliveryChecks, role: iam.Role): pipelines.CodeBuildStep {
    const timeout = checks.timeout ?? Duration.minutes(15);
    return new pipelines.CodeBuildStep('ApiChecks', {
      commands: ['node -e "$WAIT_FOR_CANARIES"'],
      env: {
        CHECK_ROLE_ARN: checks.roleArn,
        CHECK_REGION: stage.region ?? Stack.of(this).region,
        CANARIES: checks.canaryNames.join(' '),
        TIMEOUT_SECONDS: String(timeout.toSeconds()),
        WAIT_FOR_CANARIES: WAIT_FOR_CANARIES_SCRIPT,
      },
      role,
      // The wait, plus the time to start the build and assume the role.
      timeout: timeout.plus(Duration.minutes(10)),
    });
  }

  /**
   * Acknowledges what aws-cdk-lib generates and no setting fixes: its inline default policies, the wildcard grants
   * of its projects and actions (each accepted by action and resource, see generatedGrants), and the
   * permissions-broadening check's Lambda.
   */
  private acknowledgeGenerated(supportBuckets: readonly s3.IBucket[], cliVersion: string): void {
    const stack = Stack.of(this);
    const label = (value: string): string => nagResourceLabel(stack.resolve(value));
    const grants = generatedGrants({
      artifactStores: new Set(
        [this.artifactBucket, ...supportBuckets].flatMap((b) => [label(b.bucketArn), label(b.arnForObjects('*'))]),
      ),
      key: label(this.key.keyArn),
    });
    for (const policy of this.node.findAll().filter((c): c is iam.Policy => c instanceof iam.Policy)) {
      acknowledge(
        policy,
        'NIST.800.53.R5-IAMNoInlinePolicy',
        "aws-cdk-lib's pipeline grants each role what its one action or project needs in the role's default policy; no other role shares it",
      );
      acceptGeneratedGrants(policy, grants);
    }
    const securityCheck = this.pipeline.node.tryFindChild('PipelinesSecurityCheck');
    // aws-cdk-lib builds the broadening check's project without the pipeline's CodeBuild defaults: it would log to a
    // group CodeBuild creates on first use, kept forever and unencrypted. It logs to the pipeline's group instead.
    const checkProject = securityCheck?.node.tryFindChild('CDKSecurityCheck');
    if (checkProject instanceof codebuild.Project) {
      const cfn = checkProject.node.defaultChild as codebuild.CfnProject;
      cfn.logsConfig = { cloudWatchLogs: { status: 'ENABLED', groupName: this.logGroup.logGroupName } };
      // It installs the latest CDK CLI whatever cliVersion says: the pinned one instead.
      const buildSpec = (cfn.source as codebuild.CfnProject.SourceProperty).buildSpec;
      cfn.addPropertyOverride('Source.BuildSpec', pinCdkInstall(Stack.of(cfn).resolve(buildSpec), cliVersion));
      this.logGroup.grantWrite(checkProject);
    }
    const autoApprove = securityCheck?.node.tryFindChild('CDKPipelinesAutoApprove');
    if (autoApprove) {
      for (const [rule, reason] of AUTO_APPROVE_ACKNOWLEDGEMENTS) acknowledge(autoApprove, rule, reason);
    }
  }
}

/**
 * The resolved build spec of aws-cdk-lib's broadening check with its `npm install -g aws-cdk` (the latest CLI)
 * pinned to `version`.
 *
 * @throws Error when the build spec installs the CLI in no way this knows, so a change in aws-cdk-lib cannot leave
 *   the latest CLI in place unnoticed
 */
function pinCdkInstall(resolved: unknown, version: string): unknown {
  const unpinned = '"npm install -g aws-cdk"';
  let found = 0;
  const pin = (value: unknown): unknown => {
    if (typeof value === 'string' && value.includes(unpinned)) {
      found++;
      return value.replace(unpinned, `"npm install -g aws-cdk@${version}"`);
    }
    if (Array.isArray(value)) return value.map(pin);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, pin(v)]));
    }
    return value;
  };
  const pinned = pin(resolved);
  if (found !== 1) {
    throw new Error(`DeliveryPipeline: aws-cdk-lib's broadening check no longer installs the CDK CLI as expected`);
  }
  return pinned;
}

/**
 * Makes a support stack of aws-cdk-lib's (a replication bucket and its key, for another region) as safe as the
 * pipeline's own bucket: every stateful resource retained, the bucket versioned, its old versions expired and its
 * accesses logged to a bucket of its own, termination protection on.
 */
function secureSupportStack(stack: Stack, replicationBucket: s3.IBucket, retentionDays: number): void {
  stack.terminationProtection = true;
  RetainStatefulResources.applyTo(stack, { retainData: true });
  // Set now as well: the guardrails may judge the tree before the aspect has run.
  for (const resource of stack.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c))) {
    if (AWS_STATEFUL_TYPES.has(resource.cfnResourceType)) resource.applyRemovalPolicy(RemovalPolicy.RETAIN);
  }
  const bucket = replicationBucket as s3.Bucket;
  const cfn = bucket.node.defaultChild as s3.CfnBucket;
  cfn.versioningConfiguration = { status: 'Enabled' };
  cfn.ownershipControls = { rules: [{ objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED }] };
  bucket.addLifecycleRule({
    id: 'ExpireOldArtifacts',
    noncurrentVersionExpiration: Duration.days(30),
    abortIncompleteMultipartUploadAfter: Duration.days(7),
  });
  const accessLogs = serverAccessLogBucket(stack, 'AccessLogs', {
    of: 'the artifact bucket',
    retention: Duration.days(retentionDays),
    whyNoReplica: ARTIFACT_ACCESS_LOGS_NEED_NO_REPLICA,
  });
  logAccessesTo(bucket, accessLogs, 'artifacts/');
  acknowledge(
    bucket,
    'NIST.800.53.R5-S3BucketReplicationEnabled',
    "This bucket is itself the pipeline's copy of its artifacts in this region; the next execution rebuilds them from the repository",
  );
}

/** Accepts, pair by pair, the wildcard grants of a generated policy that `grants` explain. */
function acceptGeneratedGrants(policy: iam.Policy, grants: readonly GeneratedGrant[]): void {
  const stack = Stack.of(policy);
  const cfn = policy.node.defaultChild as iam.CfnPolicy;
  const byReason = new Map<string, Map<string, Set<string>>>();
  for (const grant of grantsOf(stack.resolve(cfn.policyDocument))) {
    if (!isWildcardGrant(grant)) continue;
    const known = grants.find(
      (g) =>
        g.actions.test(grant.action) &&
        g.resource(grant.resource) &&
        (g.policy === undefined || g.policy.test(policy.node.path)),
    );
    if (!known) continue;
    const resources = byReason.get(known.reason) ?? new Map<string, Set<string>>();
    resources.set(grant.resource, (resources.get(grant.resource) ?? new Set()).add(grant.action));
    byReason.set(known.reason, resources);
  }
  for (const [reason, resources] of byReason) {
    for (const [resource, actions] of resources) {
      acknowledgeWildcardGrant(policy, { actions: [...actions], resources: [resource], reason });
    }
  }
}

function validateProps(path: string, props: DeliveryPipelineProps): void {
  checkProps('DeliveryPipeline', path, props, {
    source: {
      kind: 'object',
      allowed: 'the repository, branch and CodeConnections connection: { repository, branch, connectionArn }',
      fields: {
        repository: { kind: 'string', allowed: 'the repository as owner/name, such as acme/platform' },
        branch: { kind: 'string', allowed: 'the branch to deliver, such as main' },
        connectionArn: { kind: 'string', allowed: 'the ARN of a CodeConnections connection' },
      },
    },
    stages: { kind: 'array', allowed: 'the stages to deploy, in order: [{ stage, name?, production?, checks? }]' },
    synthCommands: { kind: 'array', optional: true, allowed: 'the shell commands that synthesize the app' },
    synthOutputDirectory: { kind: 'string', optional: true, allowed: 'the directory of the cloud assembly' },
    pipelineName: { kind: 'string', optional: true, allowed: 'the pipeline name' },
    notificationEmails: { kind: 'array', optional: true, allowed: 'email addresses' },
    notificationTopic: { kind: 'object', optional: true, allowed: 'an SNS topic (sns.ITopic)' },
    tier: { kind: 'string', optional: true, allowed: "'development' or 'production'" },
    cliVersion: { kind: 'string', optional: true, allowed: 'an exact aws-cdk release, such as 2.1148.1' },
  });
  const issues = new IssueCollector();
  if (props.cliVersion !== undefined && !/^\d+\.\d+\.\d+$/.test(props.cliVersion)) {
    issues.add('props.cliVersion', props.cliVersion, 'an exact aws-cdk release, such as 2.1148.1');
  }
  if (!/^[\w.-]+\/[\w.-]+$/.test(props.source.repository)) {
    issues.add(
      'props.source.repository',
      props.source.repository,
      'the repository as owner/name, such as acme/platform',
    );
  }
  if (
    !Token.isUnresolved(props.source.connectionArn) &&
    !/^arn:aws[\w-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[0-9a-f-]+$/.test(
      props.source.connectionArn,
    )
  ) {
    issues.add(
      'props.source.connectionArn',
      props.source.connectionArn,
      'a CodeConnections connection ARN: arn:aws:codeconnections:<region>:<account>:connection/<id>',
    );
  }
  if (props.tier !== undefined && props.tier !== 'development' && props.tier !== 'production') {
    issues.add('props.tier', props.tier, "'development' or 'production'");
  }
  if (props.stages.length === 0) issues.add('props.stages', props.stages, 'at least one stage to deploy');
  const names = new Map<string, number>();
  props.stages.forEach((options, index) => {
    const at = `props.stages[${index}]`;
    if (typeof options !== 'object' || options === null || !Stage.isStage(options.stage)) {
      issues.add(`${at}.stage`, (options as { stage?: unknown } | null)?.stage, 'a CDK Stage (the stacks to deploy)');
      return;
    }
    const name = options.name ?? options.stage.stageName;
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(name)) {
      issues.add(`${at}.name`, name, 'letters, digits, hyphens and underscores, such as prod');
    }
    const first = names.get(name);
    if (first !== undefined) issues.add(`${at}.name`, name, `a name of its own; props.stages[${first}] has it already`);
    else names.set(name, index);
    const checks = options.checks;
    if (checks !== undefined) {
      if (!Array.isArray(checks.canaryNames) || checks.canaryNames.length === 0) {
        issues.add(
          `${at}.checks.canaryNames`,
          checks.canaryNames,
          'at least one canary name; leave checks out instead',
        );
      }
      if (typeof checks.roleArn !== 'string' || checks.roleArn === '') {
        issues.add(`${at}.checks.roleArn`, checks.roleArn, "the ARN of the check role in the stage's account");
      }
    }
  });
  issues.throwIfAny(`Invalid DeliveryPipeline props (${path})`);
}
