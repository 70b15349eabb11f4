import { CfnResource, Stack, TagManager } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { UNTAGGED_TYPES } from '../../lib/aws';
import { defineEnvironment, workloadStackOf, type Environment } from '../../lib/core';
import { BackupCopyStack, buildAwsApp, EnvironmentStage } from '../../stacks/aws';
import { loadEnvironments } from '../../stacks/environments';
import { dev } from '../../stacks/environments/dev';
import { NIGHTLY_JOB, WEB_SERVICE } from '../../stacks/environments/workloads';
import { temporaryFolders } from '../util/temp';

const environments = loadEnvironments();
// Every app writes its assembly into a folder of this file's, removed after its tests.
const outdir = temporaryFolders('platform-aws-');
const app = buildAwsApp({ environments, validation: false, outdir: outdir() });
const stages = app.node.children.filter((c): c is EnvironmentStage => c instanceof EnvironmentStage);
const assembly = app.synth();

/** Every stack of a stage, in construct order. */
function stacksOf(stage: EnvironmentStage): Stack[] {
  return stage.node.children.filter((c): c is Stack => c instanceof Stack);
}

/** The backup-copy stack of a stage (production tiers only). */
function copyStackOf(stage: EnvironmentStage): BackupCopyStack | undefined {
  return stage.node.children.find((c): c is BackupCopyStack => c instanceof BackupCopyStack);
}

/** The one stage of an app built (validation off) for one environment. */
function stageFor(env: Environment): EnvironmentStage {
  const built = buildAwsApp({ environments: [env], validation: false, outdir: outdir() });
  return built.node.children.find((c): c is EnvironmentStage => c instanceof EnvironmentStage)!;
}

/** What a stage's workload stacks hold, by stack name: the names of their services and jobs. */
function workloadsOf(stage: EnvironmentStage): Record<string, { services: string[]; jobs: string[] }> {
  return Object.fromEntries(
    [...stage.workloads.values()].map((w) => [
      w.stackName,
      { services: [...w.services.keys()], jobs: [...w.jobs.keys()] },
    ]),
  );
}

describe('AWS stages', () => {
  test('one stage per environment, named platform-<env>', () => {
    expect(stages.map((s) => s.stageName)).toEqual(['platform-dev', 'platform-staging', 'platform-prod']);
  });

  test('stack names are platform-<env>-<lifecycle>, in the environment account and region', () => {
    const stacks = assembly.stacksRecursively.map((s) => [s.stackName, s.environment.account, s.environment.region]);
    // Every environment defines servers, so every stage has its compute stack beside the foundation; and the
    // same services and jobs, whose names hash to workload stacks 2 (api, nightly-cleanup) and 7 (web). The
    // production tiers also have the backup-copy stack, in the second region (eu-central-1).
    expect(stacks.sort()).toEqual([
      ['platform-dev-compute', '111111111111', 'eu-west-1'],
      ['platform-dev-foundation', '111111111111', 'eu-west-1'],
      ['platform-dev-workloads-2', '111111111111', 'eu-west-1'],
      ['platform-dev-workloads-7', '111111111111', 'eu-west-1'],
      ['platform-prod-backup-copy', '333333333333', 'eu-central-1'],
      ['platform-prod-compute', '333333333333', 'eu-west-1'],
      ['platform-prod-foundation', '333333333333', 'eu-west-1'],
      ['platform-prod-workloads-2', '333333333333', 'eu-west-1'],
      ['platform-prod-workloads-7', '333333333333', 'eu-west-1'],
      ['platform-staging-backup-copy', '222222222222', 'eu-central-1'],
      ['platform-staging-compute', '222222222222', 'eu-west-1'],
      ['platform-staging-foundation', '222222222222', 'eu-west-1'],
      ['platform-staging-workloads-2', '222222222222', 'eu-west-1'],
      ['platform-staging-workloads-7', '222222222222', 'eu-west-1'],
    ]);
  });

  test('production-tier stacks have termination protection, development does not', () => {
    expect(
      Object.fromEntries(
        stages.map((s) => [
          s.stageName,
          Object.fromEntries(stacksOf(s).map((t) => [t.node.id, t.terminationProtection])),
        ]),
      ),
    ).toEqual({
      'platform-dev': { foundation: false, compute: false, 'workloads-2': false, 'workloads-7': false },
      'platform-staging': {
        foundation: true,
        'backup-copy': true,
        compute: true,
        'workloads-2': true,
        'workloads-7': true,
      },
      'platform-prod': {
        foundation: true,
        'backup-copy': true,
        compute: true,
        'workloads-2': true,
        'workloads-7': true,
      },
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

  test('every taggable resource carries environment, owner and managed-by; the UNTAGGED_TYPES carry no tags', () => {
    for (const stage of stages) {
      const untagged = new Set<string>();
      // The compute stack too: instances, security groups, roles, patch baselines, SSM documents and parameters;
      // and the workload stacks: task definitions, services, load balancers, target groups, state machines, alarms.
      // In production tiers, the backup-copy stack too: its key and vault.
      const copyStack = copyStackOf(stage);
      for (const [stack, atLeast] of [
        [stage.foundation, 20],
        [stage.compute, 10],
        [stage.workloads.get(2)!, 15],
        [stage.workloads.get(7)!, 10],
        ...(copyStack ? ([[copyStack, 1]] as const) : []),
      ] as const) {
        const resources = Template.fromStack(stack).toJSON().Resources as Record<
          string,
          { Properties?: Record<string, unknown> }
        >;
        const all = stack.node.findAll().filter(CfnResource.isCfnResource);
        // The types linters reject tags on are left untagged (lib/aws/tags.ts).
        for (const resource of all.filter((r) => UNTAGGED_TYPES.includes(r.cfnResourceType))) {
          untagged.add(resource.cfnResourceType);
          expect({
            type: resource.cfnResourceType,
            tags: resources[stack.resolve(resource.logicalId) as string]?.Properties?.Tags,
          }).toEqual({ type: resource.cfnResourceType, tags: undefined });
        }
        // Every other resource whose construct takes tags (either tag manager: CloudWatch alarms have the newer
        // one), found from the construct tree rather than a list of types, plus the plain CfnResources of
        // taggable types that TagResources covers.
        const taggable = all.filter(
          (r) =>
            !UNTAGGED_TYPES.includes(r.cfnResourceType) &&
            (TagManager.isTaggable(r) ||
              TagManager.isTaggableV2(r) ||
              ['AWS::IAM::Role', 'AWS::Lambda::Function'].includes(r.cfnResourceType)),
        );
        expect(taggable.length).toBeGreaterThan(atLeast);
        for (const resource of taggable) {
          // Most types hold their tags in Tags; a few in a property of their own (AWS::Backup::BackupVault in
          // BackupVaultTags, AWS::Backup::BackupPlan in BackupPlanTags), which their tag manager names.
          const property = TagManager.of(resource)?.tagPropertyName ?? 'tags';
          const tags =
            resources[stack.resolve(resource.logicalId) as string]?.Properties?.[
              property.charAt(0).toUpperCase() + property.slice(1)
            ];
          // Most types take a list of Key/Value pairs; a few (AWS::SSM::Parameter, the Backup ones) take a map.
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
      // Each untagged type occurs in every stage (dashboard, SSM association, scaling target, listener), so the
      // exclusion is exercised rather than assumed.
      expect([...untagged].sort()).toEqual([...UNTAGGED_TYPES].sort());
    }
  });

  test('no stack is near the CloudFormation resource limit', () => {
    for (const stack of assembly.stacksRecursively) {
      expect(Object.keys(stack.template.Resources ?? {}).length).toBeLessThanOrEqual(450);
    }
  });

  test('an environment with servers has its compute stack, depending on the foundation, never the reverse', () => {
    for (const stage of stages) {
      // The compute stack is created before the workload stacks; these follow in the order of their index.
      // The production tiers' backup-copy stack follows the foundation (see the backup-copy test).
      const production = stage.stageName !== 'platform-dev';
      expect(stage.node.children.map((c) => c.node.id)).toEqual([
        'foundation',
        ...(production ? ['backup-copy'] : []),
        'compute',
        'workloads-2',
        'workloads-7',
      ]);
      expect(stage.compute.stackName).toBe(`${stage.stageName}-compute`);
      expect(stage.compute.dependencies).toEqual([stage.foundation]);
      // The foundation depends on nothing but the backup-copy stack of the production tiers.
      expect(stage.foundation.dependencies).toEqual(production ? [copyStackOf(stage)!] : []);
      // The compute stack imports from the foundation (strong references: the foundation cannot be deleted
      // under it); the foundation exports to it and imports nothing.
      const compute = JSON.stringify(Template.fromStack(stage.compute).toJSON());
      const foundation = JSON.stringify(Template.fromStack(stage.foundation).toJSON());
      expect(compute).toContain(`"Fn::ImportValue":"${stage.stageName}-foundation:`);
      expect(compute).not.toContain('Fn::GetStackOutput');
      expect(compute).not.toContain(`${stage.stageName}-workloads-`);
      expect(foundation).not.toContain('Fn::ImportValue');
      expect(foundation).not.toContain('Fn::GetStackOutput');
      expect(foundation).not.toContain(`${stage.stageName}-compute`);
    }
  });

  test('production-tier stages have platform-<env>-backup-copy in the second region, which the foundation depends on; development has none', () => {
    expect(copyStackOf(stages[0]!)).toBeUndefined();
    for (const stage of stages.slice(1)) {
      const copies = copyStackOf(stage)!;
      const { account } = stage.foundation;
      expect([copies.stackName, copies.account, copies.region]).toEqual([
        `${stage.stageName}-backup-copy`,
        account,
        'eu-central-1',
      ]);
      expect(copies.region).not.toBe(stage.foundation.region);
      // The foundation deploys after it and it depends on nothing; it holds the copy vault and its key only.
      expect(stage.foundation.dependencies).toEqual([copies]);
      expect(copies.dependencies).toEqual([]);
      const template = Template.fromStack(copies);
      expect(
        Object.values(template.toJSON().Resources as Record<string, { Type: string }>)
          .map((r) => r.Type)
          .sort(),
      ).toEqual(['AWS::Backup::BackupVault', 'AWS::KMS::Key']);
      template.hasResourceProperties('AWS::Backup::BackupVault', {
        BackupVaultName: `${stage.stageName}-copy`,
      });
      // The foundation's copy rules name the vault by a literal ARN: no cross-region reference.
      const foundation = JSON.stringify(Template.fromStack(stage.foundation).toJSON());
      expect(foundation).toContain(
        `"DestinationBackupVaultArn":"arn:aws:backup:eu-central-1:${account}:backup-vault:${stage.stageName}-copy"`,
      );
      expect(foundation).not.toContain(`${stage.stageName}-backup-copy`);
    }
  });

  test('the workload stacks are those the services and jobs hash to, each holding exactly its own', () => {
    for (const [stage, env] of stages.map((s, i) => [s, environments[i]!] as const)) {
      expect(env.services.map((s) => [s.name, s.stack])).toEqual([
        ['web', workloadStackOf('service', 'web')],
        ['api', workloadStackOf('service', 'api')],
      ]);
      expect(env.jobs.map((j) => [j.name, j.stack])).toEqual([
        ['nightly-cleanup', workloadStackOf('job', 'nightly-cleanup')],
      ]);
      expect([...stage.workloads.keys()]).toEqual([2, 7]);
      expect(workloadsOf(stage)).toEqual({
        [`${stage.stageName}-workloads-2`]: { services: ['api'], jobs: ['nightly-cleanup'] },
        [`${stage.stageName}-workloads-7`]: { services: ['web'], jobs: [] },
      });
      // The foundation holds what they share: the cluster platform-<env> and the access-log bucket.
      const foundation = Template.fromStack(stage.foundation);
      foundation.resourceCountIs('AWS::ECS::Cluster', 1);
      foundation.hasResourceProperties('AWS::ECS::Cluster', { ClusterName: stage.stageName });
      foundation.resourceCountIs('AWS::S3::Bucket', 1);
    }
  });

  test('each workload stack depends on the foundation only and imports only its exports; the foundation never references a workload stack', () => {
    for (const stage of stages) {
      const foundation = Template.fromStack(stage.foundation).toJSON() as {
        Outputs?: Record<string, { Export?: { Name?: string } }>;
      };
      const exported = Object.values(foundation.Outputs ?? {}).map((o) => o.Export?.Name);
      const foundationJson = JSON.stringify(foundation);
      const computeJson = JSON.stringify(Template.fromStack(stage.compute).toJSON());
      for (const workload of stage.workloads.values()) {
        expect(workload.dependencies).toEqual([stage.foundation]);
        const json = JSON.stringify(Template.fromStack(workload).toJSON());
        const imports = [...json.matchAll(/"Fn::ImportValue":"([^"]+)"/g)].map((m) => m[1]!);
        // The cluster, the access-log bucket, the network, the key and the alarm topics, all from the foundation.
        expect(imports.length).toBeGreaterThan(0);
        for (const name of imports) {
          expect(name.startsWith(`${stage.stageName}-foundation:`)).toBe(true);
          expect(exported).toContain(name);
        }
        expect(json).not.toContain('Fn::GetStackOutput');
        expect(json).not.toContain(`${stage.stageName}-compute`);
        expect(foundationJson).not.toContain(workload.stackName);
        expect(computeJson).not.toContain(workload.stackName);
      }
      // Nor do the compute stack and the workload stacks depend on each other.
      expect(stage.compute.dependencies).toEqual([stage.foundation]);
    }
  });

  test('the service and job log groups are retained in production tiers and destroyed in development, for the tier retention', () => {
    /** Each log group of a stack by logical ID without its hash: [DeletionPolicy, UpdateReplacePolicy, RetentionInDays]. */
    const logGroups = (stack: Stack): Record<string, unknown[]> =>
      Object.fromEntries(
        Object.entries(Template.fromStack(stack).findResources('AWS::Logs::LogGroup')).map(([id, r]) => [
          id.replace(/[0-9A-F]{8}$/, ''),
          [r.DeletionPolicy, r.UpdateReplacePolicy, r.Properties.RetentionInDays],
        ]),
      );
    for (const stage of stages) {
      const production = stage.stageName !== 'platform-dev';
      const expected = production ? ['Retain', 'Retain', 365] : ['Delete', 'Delete', 30];
      expect(Object.fromEntries([...stage.workloads].map(([n, w]) => [n, logGroups(w)]))).toEqual({
        2: {
          ServicesapiLogs: expected,
          JobsnightlycleanupLogGroup: expected,
          JobsnightlycleanupExecutionLogGroup: expected,
        },
        7: { ServiceswebLogs: expected },
      });
      // The load balancers cannot be deleted in production tiers either.
      for (const workload of stage.workloads.values()) {
        Template.fromStack(workload).hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
          LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: String(production) }]),
        });
      }
    }
  });

  test('the access-log bucket of the foundation is retained in production tiers and expires logs after the tier retention', () => {
    const buckets = stages.map((stage) =>
      Object.values(Template.fromStack(stage.foundation).findResources('AWS::S3::Bucket')).map((r) => [
        r.DeletionPolicy,
        r.Properties.LifecycleConfiguration.Rules[0].ExpirationInDays,
      ]),
    );
    expect(buckets).toEqual([[['Delete', 30]], [['Retain', 365]], [['Retain', 365]]]);
  });

  test('removing services leaves the foundation exports as they were, so the foundation deploys while old stacks still import them', () => {
    const outputsOf = (env: Environment): string[] =>
      Object.keys(Template.fromStack(stageFor(env).foundation).toJSON().Outputs as object).sort();
    const all = defineEnvironment(dev);
    const jobOnly = defineEnvironment({ ...dev, services: [] });
    expect(outputsOf(jobOnly)).toEqual(outputsOf(all));
    expect(outputsOf(all)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ExportsOutputFnGetAttNetwork[0-9A-F]+CidrBlock/),
        expect.stringMatching(/^ExportsOutputRefNetworkPublicSubnet1Subnet/),
        expect.stringMatching(/^ExportsOutputRefContainersAccessLogs/),
      ]),
    );
  });

  test('workload stacks exist only for the indices that hold a service or job', () => {
    const base = environments[0]!;
    // No services and no jobs: no workload stack, and no cluster or access-log bucket in the foundation.
    const none = stageFor({ ...base, services: [], jobs: [] });
    expect(none.node.children.map((c) => c.node.id)).toEqual(['foundation', 'compute']);
    expect(none.workloads.size).toBe(0);
    expect(none.foundation.containers).toBeUndefined();
    const bare = Template.fromStack(none.foundation);
    bare.resourceCountIs('AWS::ECS::Cluster', 0);
    bare.resourceCountIs('AWS::S3::Bucket', 0);
    // Only the job: only its stack.
    const jobOnly = stageFor({ ...base, services: [] });
    expect(jobOnly.node.children.map((c) => c.node.id)).toEqual(['foundation', 'compute', 'workloads-2']);
    expect(workloadsOf(jobOnly)).toEqual({ 'platform-dev-workloads-2': { services: [], jobs: ['nightly-cleanup'] } });
    // A pinned service goes to the stack it names; the others stay where their names put them.
    const pinned = stageFor(
      defineEnvironment({ ...dev, services: [{ ...WEB_SERVICE, stack: 11 }], jobs: [NIGHTLY_JOB] }),
    );
    expect(pinned.node.children.map((c) => c.node.id)).toEqual([
      'foundation',
      'compute',
      'workloads-2',
      'workloads-11',
    ]);
    expect(workloadsOf(pinned)).toEqual({
      'platform-dev-workloads-2': { services: [], jobs: ['nightly-cleanup'] },
      'platform-dev-workloads-11': { services: ['web'], jobs: [] },
    });
    expect(pinned.workloads.get(11)!.dependencies).toEqual([pinned.foundation]);
    expect(
      buildAwsApp({ environments: [{ ...base, services: [] }], validation: false, outdir: outdir() })
        .synth()
        .stacksRecursively.map((s) => s.stackName)
        .sort(),
    ).toEqual(['platform-dev-compute', 'platform-dev-foundation', 'platform-dev-workloads-2']);
  });

  test('an environment without servers has no compute stack until first use, then one depending on the foundation', () => {
    const stage = stageFor({ ...environments[0]!, servers: [] });
    // Its services and jobs still have their workload stacks.
    expect(stage.node.children.map((c) => c.node.id)).toEqual(['foundation', 'workloads-2', 'workloads-7']);
    new sns.Topic(stage.compute, 'Jobs');
    expect(stage.node.children.map((c) => c.node.id)).toEqual(['foundation', 'workloads-2', 'workloads-7', 'compute']);
    expect(stage.compute.stackName).toBe('platform-dev-compute');
    expect(stage.compute.dependencies).toEqual([stage.foundation]);
    expect(stage.foundation.dependencies).toEqual([]);
    expect(stage.compute.terminationProtection).toBe(false);
    expect(stage.compute.servers.size).toBe(0);
    expect(stage.compute.patching).toBeUndefined();
    // Never used, it is never created: CloudFormation rejects a template without resources.
    const untouched = buildAwsApp({
      environments: [{ ...environments[0]!, servers: [] }],
      validation: false,
      outdir: outdir(),
    });
    expect(untouched.synth().stacksRecursively.map((s) => s.stackName)).toEqual([
      'platform-dev-foundation',
      'platform-dev-workloads-2',
      'platform-dev-workloads-7',
    ]);
  });
});
