import { CfnResource, Stack, TagManager } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { UNTAGGED_TYPES } from '../../lib/aws';
import { AWS_STATEFUL_TYPES, defineEnvironment, type Environment } from '../../lib/core';
import { BackupCopyStack, buildAwsApp, ComputeStack, EnvironmentStage, FoundationStack } from '../../stacks/aws';
import { loadEnvironments } from '../../stacks/environments';
import { dev } from '../../stacks/environments/dev';
import { prod } from '../../stacks/environments/prod';
import { NIGHTLY_JOB, WEB_SERVICE } from '../../stacks/environments/workloads';
import { temporaryFolders } from '../util/temp';

// The suite reads what it expects from each environment (its tier, its spec), never from its name or its place in
// the list, so it holds for any set of environments.
const environments = loadEnvironments();
// Every app writes its assembly into a folder of this file's, removed after its tests.
const outdir = temporaryFolders('platform-aws-');
const app = buildAwsApp({ environments, validation: false, outdir: outdir() });
const stages = app.node.children.filter((c): c is EnvironmentStage => c instanceof EnvironmentStage);
const assembly = app.synth();

/** Each stage with the environment it was built from. */
const built = stages.map((stage) => {
  const env = environments.find((e) => `platform-${e.name}` === stage.stageName);
  if (!env) throw new Error(`no environment for ${stage.stageName}`);
  return [stage, env] as const;
});

/** Every stack of a stage, in construct order. */
function stacksOf(stage: EnvironmentStage): Stack[] {
  return stage.node.children.filter((c): c is Stack => c instanceof Stack);
}

/** The backup-copy stack of a stage (when the environment names a second region). */
function copyStackOf(stage: EnvironmentStage): BackupCopyStack | undefined {
  return stage.node.children.find((c): c is BackupCopyStack => c instanceof BackupCopyStack);
}

/** The compute stack of a stage, without creating one (`stage.compute` would). */
function computeStackOf(stage: EnvironmentStage): ComputeStack | undefined {
  return stage.node.children.find((c): c is ComputeStack => c instanceof ComputeStack);
}

/** The one stage of an app built (validation off) for one environment. */
function stageFor(env: Environment): EnvironmentStage {
  const one = buildAwsApp({ environments: [env], validation: false, outdir: outdir() });
  return one.node.children.find((c): c is EnvironmentStage => c instanceof EnvironmentStage)!;
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

/** The workload stack indices an environment's services and jobs name (their resolved `stack`), ascending. */
function workloadIndicesOf(env: Environment): number[] {
  return [...new Set([...env.services, ...env.jobs].map((w) => w.stack))].sort((a, b) => a - b);
}

/** The construct ids of the stacks an environment has, in the order the stage creates them. */
function stackIdsOf(env: Environment): string[] {
  return [
    'foundation',
    ...(env.backup.secondRegion !== undefined ? ['backup-copy'] : []),
    ...(env.servers.length > 0 ? ['compute'] : []),
    ...workloadIndicesOf(env).map((n) => `workloads-${n}`),
    ...(env.kubernetes ? ['kubernetes'] : []),
  ];
}

/** DeletionPolicy and UpdateReplacePolicy of an environment's stateful resources. */
function keptOrDeleted(env: Environment): [string, string] {
  return env.protection.retainData ? ['Retain', 'Retain'] : ['Delete', 'Delete'];
}

describe('AWS stages', () => {
  test('one stage per environment, named platform-<env>', () => {
    expect(stages.map((s) => s.stageName)).toEqual(environments.map((e) => `platform-${e.name}`));
  });

  test('stack names are platform-<env>-<lifecycle>, in the environment account and region (copies in the second)', () => {
    const stacks = assembly.stacksRecursively.map((s) => [s.stackName, s.environment.account, s.environment.region]);
    const expected = environments.flatMap((env) =>
      stackIdsOf(env).map((id) => [
        `platform-${env.name}-${id}`,
        env.aws.account,
        id === 'backup-copy' ? env.backup.secondRegion : env.aws.region,
      ]),
    );
    expect(stacks.sort()).toEqual(expected.sort());
  });

  test('production-tier stacks have termination protection, development does not', () => {
    for (const [stage, env] of built) {
      const stacks = stacksOf(stage);
      expect(stacks.map((s) => s.node.id)).toEqual(stackIdsOf(env));
      for (const stack of stacks)
        expect([stack.node.path, stack.terminationProtection]).toEqual([stack.node.path, env.tier === 'production']);
    }
  });

  test('production tiers retain their data; each stack keeps or deletes every stateful resource as its environment says', () => {
    let checked = 0;
    for (const [stage, env] of built) {
      if (env.tier === 'production') expect(env.protection.retainData).toBe(true);
      for (const stack of stacksOf(stage)) {
        const resources = Object.values(
          Template.fromStack(stack).toJSON().Resources as Record<string, Record<string, unknown>>,
        ).filter((r) => AWS_STATEFUL_TYPES.has(r.Type as string));
        // Every stack holds data of some kind: log groups, keys, a vault or instances.
        expect(resources.length).toBeGreaterThan(0);
        for (const r of resources) {
          expect([r.Type, r.DeletionPolicy, r.UpdateReplacePolicy]).toEqual([r.Type, ...keptOrDeleted(env)]);
        }
        checked += resources.length;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  test.each([
    ['development', 'Delete', dev],
    ['production', 'Retain', prod],
  ] as const)(
    'a %s environment: every stateful type added to any of its stacks gets %s, decided once for the stack',
    (tier, policy, input) => {
      const env = defineEnvironment(input);
      expect([env.tier, env.protection.retainData]).toEqual([tier, tier === 'production']);
      const stage = stageFor(env);
      const stacks = stacksOf(stage);
      expect(stacks.length).toBeGreaterThan(2);
      // Resources of every stateful type, created by nobody's construct: each stack's aspect still decides them.
      for (const stack of stacks) {
        [...AWS_STATEFUL_TYPES].forEach((type, i) => new CfnResource(stack, `Added${i}`, { type }));
      }
      for (const stack of stacks) {
        const resources = Template.fromStack(stack).toJSON().Resources as Record<string, Record<string, unknown>>;
        const added = Object.entries(resources)
          .filter(([id]) => id.startsWith('Added'))
          .map(([, r]) => [r.Type, r.DeletionPolicy, r.UpdateReplacePolicy]);
        expect(added).toEqual([...AWS_STATEFUL_TYPES].map((type) => [type, policy, policy]));
      }
    },
  );

  test("the foundation's log groups (application, flow logs, default-SG handler, audit) follow the environment", () => {
    for (const [stage, env] of built) {
      const groups = Object.values(Template.fromStack(stage.foundation).findResources('AWS::Logs::LogGroup'));
      expect(
        groups.map((g) => [g.Properties.LogGroupName, g.DeletionPolicy, g.Properties.RetentionInDays]).sort(),
      ).toEqual(
        [
          [`/platform/${env.name}/application`, keptOrDeleted(env)[0], env.monitoring.logRetentionDays],
          [`/platform/${env.name}/vpc-default-sg-handler`, keptOrDeleted(env)[0], env.monitoring.logRetentionDays],
          [`/platform/${env.name}/vpc-flow-logs`, keptOrDeleted(env)[0], env.monitoring.logRetentionDays],
          // The audit trail's group keeps events for the audit retention (365 and 90 days are CloudWatch's too).
          ...(env.audit.enabled
            ? [[`/platform/${env.name}/audit`, keptOrDeleted(env)[0], env.audit.retentionDays]]
            : []),
        ].sort(),
      );
    }
  });

  test('the instances and the image pin log group of the compute stack are retained, and protected, in production tiers only', () => {
    for (const [stage, env] of built) {
      const compute = computeStackOf(stage);
      expect(compute !== undefined).toBe(env.servers.length > 0);
      if (!compute) continue;
      const template = Template.fromStack(compute);
      const instances = Object.values(template.findResources('AWS::EC2::Instance'));
      expect(instances).toHaveLength(env.servers.reduce((n, s) => n + s.count, 0));
      const production = env.tier === 'production';
      for (const instance of instances) {
        expect([instance.DeletionPolicy, instance.Properties.DisableApiTermination]).toEqual([
          keptOrDeleted(env)[0],
          production,
        ]);
      }
      expect(
        Object.values(template.findResources('AWS::Logs::LogGroup')).map((g) => [
          g.Properties.LogGroupName,
          g.DeletionPolicy,
          g.Properties.RetentionInDays,
        ]),
      ).toEqual([[`/platform/${env.name}/image-pin`, keptOrDeleted(env)[0], env.monitoring.logRetentionDays]]);
    }
  });

  test('the network spans the zones of the spec, with the NAT gateways it names (one or one per zone)', () => {
    for (const [stage, env] of built) {
      const template = Template.fromStack(stage.foundation);
      template.resourceCountIs('AWS::EC2::NatGateway', env.network.natGateways);
      template.resourceCountIs('AWS::EC2::Subnet', env.network.zones * 3);
    }
  });

  test('every taggable resource carries environment, owner and managed-by; the UNTAGGED_TYPES carry no tags', () => {
    /** The fewest taggable resources each kind of stack holds, so the loop below never checks nothing. */
    const atLeast = (stack: Stack): number =>
      stack instanceof FoundationStack ? 20 : stack instanceof BackupCopyStack ? 1 : 10;
    for (const [stage, env] of built) {
      const untagged = new Set<string>();
      // Every stack: the foundation; the compute stack (instances, security groups, roles, patch baselines, SSM
      // documents and parameters); the workload stacks (task definitions, services, load balancers, target groups,
      // state machines, alarms); the backup-copy stack (its key and vault).
      for (const stack of stacksOf(stage)) {
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
        expect(taggable.length).toBeGreaterThan(atLeast(stack));
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
              environment: env.name,
              owner: env.tags.owner,
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
    expect(assembly.stacksRecursively.length).toBeGreaterThan(0);
    for (const stack of assembly.stacksRecursively) {
      expect(Object.keys(stack.template.Resources ?? {}).length).toBeLessThanOrEqual(450);
    }
  });

  test('an environment with servers has its compute stack, depending on the foundation, never the reverse', () => {
    const withServers = built.filter(([, env]) => env.servers.length > 0);
    expect(withServers.length).toBeGreaterThan(0);
    for (const [stage, env] of withServers) {
      // The compute stack is created before the workload stacks; these follow in the order of their index. The
      // backup-copy stack, where the environment names a second region, follows the foundation.
      expect(stage.node.children.map((c) => c.node.id)).toEqual(stackIdsOf(env));
      expect(stage.compute.stackName).toBe(`${stage.stageName}-compute`);
      expect(stage.compute.dependencies).toEqual([stage.foundation]);
      // The foundation depends on nothing but the backup-copy stack.
      const copies = copyStackOf(stage);
      expect(stage.foundation.dependencies).toEqual(copies ? [copies] : []);
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

  test('production tiers have platform-<env>-backup-copy in the second region, which the foundation depends on; development has none', () => {
    for (const [stage, env] of built) {
      const copies = copyStackOf(stage);
      if (env.tier === 'development') {
        expect(env.backup.secondRegion).toBeUndefined();
        expect(copies).toBeUndefined();
        continue;
      }
      const secondRegion = env.backup.secondRegion;
      expect(secondRegion).toMatch(/^[a-z]{2}(-[a-z]+)+-\d$/);
      expect(secondRegion).not.toBe(env.aws.region);
      expect(copies).toBeInstanceOf(BackupCopyStack);
      const { account } = stage.foundation;
      expect([copies!.stackName, copies!.account, copies!.region]).toEqual([
        `${stage.stageName}-backup-copy`,
        account,
        secondRegion,
      ]);
      expect(copies!.region).not.toBe(stage.foundation.region);
      // The foundation deploys after it and it depends on nothing; it holds the copy vault and its key only.
      expect(stage.foundation.dependencies).toEqual([copies]);
      expect(copies!.dependencies).toEqual([]);
      const template = Template.fromStack(copies!);
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
        `"DestinationBackupVaultArn":"arn:aws:backup:${secondRegion}:${account}:backup-vault:${stage.stageName}-copy"`,
      );
      expect(foundation).not.toContain(`${stage.stageName}-backup-copy`);
    }
  });

  test('every service and job lands in exactly one workload stack, the one its spec names, and no other stack exists', () => {
    for (const [stage, env] of built) {
      const held = workloadsOf(stage);
      // The workload stacks are exactly those the services and jobs name.
      expect(Object.keys(held).sort()).toEqual(
        workloadIndicesOf(env)
          .map((n) => `${stage.stageName}-workloads-${n}`)
          .sort(),
      );
      expect([...stage.workloads.keys()]).toEqual(workloadIndicesOf(env));
      for (const [kind, list] of [
        ['services', env.services],
        ['jobs', env.jobs],
      ] as const) {
        for (const workload of list) {
          const holders = Object.entries(held).filter(([, w]) => w[kind].includes(workload.name));
          expect([workload.name, holders.map(([name]) => name)]).toEqual([
            workload.name,
            [`${stage.stageName}-workloads-${workload.stack}`],
          ]);
        }
      }
      // Nothing else is in them.
      expect(
        Object.values(held)
          .flatMap((w) => w.services)
          .sort(),
      ).toEqual(env.services.map((s) => s.name).sort());
      expect(
        Object.values(held)
          .flatMap((w) => w.jobs)
          .sort(),
      ).toEqual(env.jobs.map((j) => j.name).sort());
      // The foundation holds what they share: the cluster platform-<env> and the access-log bucket (besides the
      // audit trail's bucket and its access-log bucket, and the artifacts bucket of the URL checks).
      const foundation = Template.fromStack(stage.foundation);
      foundation.resourceCountIs('AWS::ECS::Cluster', 1);
      foundation.hasResourceProperties('AWS::ECS::Cluster', { ClusterName: stage.stageName });
      const urlChecks = env.checks.checks.filter((c) => 'url' in c.target).length;
      foundation.resourceCountIs('AWS::S3::Bucket', 1 + (env.audit.enabled ? 2 : 0) + (urlChecks > 0 ? 1 : 0));
      foundation.resourceCountIs('AWS::Synthetics::Canary', urlChecks);
    }
  });

  test('each workload stack depends on the foundation only and imports only its exports; the foundation never references a workload stack', () => {
    for (const [stage] of built) {
      const foundation = Template.fromStack(stage.foundation).toJSON() as {
        Outputs?: Record<string, { Export?: { Name?: string } }>;
      };
      const exported = Object.values(foundation.Outputs ?? {}).map((o) => o.Export?.Name);
      const foundationJson = JSON.stringify(foundation);
      const compute = computeStackOf(stage);
      const computeJson = compute ? JSON.stringify(Template.fromStack(compute).toJSON()) : '';
      expect(stage.workloads.size).toBeGreaterThan(0);
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
      if (compute) expect(compute.dependencies).toEqual([stage.foundation]);
    }
  });

  test('the service and job log groups follow the environment: kept or deleted, for its retention', () => {
    for (const [stage, env] of built) {
      const expected = [...keptOrDeleted(env), env.monitoring.logRetentionDays];
      for (const [n, workload] of stage.workloads) {
        const groups = Object.values(Template.fromStack(workload).findResources('AWS::Logs::LogGroup'));
        // One per service, two per job (its output and its executions), and in production tiers one per public
        // service for the requests its web ACL logs.
        const services = env.services.filter((s) => s.stack === n).length;
        const jobs = env.jobs.filter((j) => j.stack === n).length;
        const webAcls = env.services.filter((s) => s.stack === n && s.public && env.tier === 'production').length;
        expect(groups).toHaveLength(services + 2 * jobs + webAcls);
        for (const group of groups) {
          expect([group.DeletionPolicy, group.UpdateReplacePolicy, group.Properties.RetentionInDays]).toEqual(expected);
        }
        // The load balancers cannot be deleted in production tiers either.
        if (services > 0) {
          Template.fromStack(workload).hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
            LoadBalancerAttributes: Match.arrayWith([
              { Key: 'deletion_protection.enabled', Value: String(env.tier === 'production') },
            ]),
          });
        }
      }
    }
  });

  test('the access-log bucket of the foundation follows the environment and expires logs after its retention', () => {
    for (const [stage, env] of built) {
      // The load balancers' access-log bucket (the audit trail's buckets are tested in test/aws/audit-trail.test.ts).
      const buckets = Object.entries(Template.fromStack(stage.foundation).findResources('AWS::S3::Bucket'))
        .filter(([id]) => id.startsWith('ContainersAccessLogs'))
        .map(([, r]) => r);
      expect(
        buckets.map((r) => [r.DeletionPolicy, r.Properties.LifecycleConfiguration.Rules[0].ExpirationInDays]),
      ).toEqual([[keptOrDeleted(env)[0], env.monitoring.logRetentionDays]]);
    }
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
    const base = defineEnvironment({ ...dev, services: [WEB_SERVICE], jobs: [NIGHTLY_JOB] });
    const job = base.jobs[0]!.stack;
    // No services and no jobs: no workload stack, and no cluster or access-log bucket in the foundation.
    const none = stageFor({ ...base, services: [], jobs: [] });
    expect(none.node.children.map((c) => c.node.id)).toEqual(['foundation', 'compute']);
    expect(none.workloads.size).toBe(0);
    expect(none.foundation.containers).toBeUndefined();
    const bare = Template.fromStack(none.foundation);
    bare.resourceCountIs('AWS::ECS::Cluster', 0);
    // Only the audit trail's bucket and its access-log bucket.
    bare.resourceCountIs('AWS::S3::Bucket', 2);
    // Only the job: only its stack.
    const jobOnly = stageFor({ ...base, services: [] });
    expect(jobOnly.node.children.map((c) => c.node.id)).toEqual(['foundation', 'compute', `workloads-${job}`]);
    expect(workloadsOf(jobOnly)).toEqual({
      [`platform-dev-workloads-${job}`]: { services: [], jobs: ['nightly-cleanup'] },
    });
    // A pinned service goes to the stack it names; the job stays where its name puts it.
    const pin = job === 11 ? 10 : 11;
    const pinned = stageFor(
      defineEnvironment({ ...dev, services: [{ ...WEB_SERVICE, stack: pin }], jobs: [NIGHTLY_JOB] }),
    );
    expect(pinned.node.children.map((c) => c.node.id)).toEqual([
      'foundation',
      'compute',
      ...[job, pin].sort((a, b) => a - b).map((n) => `workloads-${n}`),
    ]);
    expect(workloadsOf(pinned)).toEqual({
      [`platform-dev-workloads-${job}`]: { services: [], jobs: ['nightly-cleanup'] },
      [`platform-dev-workloads-${pin}`]: { services: ['web'], jobs: [] },
    });
    expect(pinned.workloads.get(pin)!.dependencies).toEqual([pinned.foundation]);
    expect(
      buildAwsApp({ environments: [{ ...base, services: [] }], validation: false, outdir: outdir() })
        .synth()
        .stacksRecursively.map((s) => s.stackName)
        .sort(),
    ).toEqual(['platform-dev-compute', 'platform-dev-foundation', `platform-dev-workloads-${job}`]);
  });

  test('an environment without servers has no compute stack until first use, then one depending on the foundation', () => {
    const env = defineEnvironment({ ...dev, servers: [] });
    const workloads = workloadIndicesOf(env).map((n) => `workloads-${n}`);
    expect(workloads.length).toBeGreaterThan(0);
    const stage = stageFor(env);
    // Its services and jobs still have their workload stacks.
    expect(stage.node.children.map((c) => c.node.id)).toEqual(['foundation', ...workloads]);
    new sns.Topic(stage.compute, 'Jobs');
    expect(stage.node.children.map((c) => c.node.id)).toEqual(['foundation', ...workloads, 'compute']);
    expect(stage.compute.stackName).toBe('platform-dev-compute');
    expect(stage.compute.dependencies).toEqual([stage.foundation]);
    expect(stage.foundation.dependencies).toEqual([]);
    expect(stage.compute.terminationProtection).toBe(false);
    expect(stage.compute.servers.size).toBe(0);
    expect(stage.compute.patching).toBeUndefined();
    // Never used, it is never created: CloudFormation rejects a template without resources.
    const untouched = buildAwsApp({ environments: [env], validation: false, outdir: outdir() });
    expect(untouched.synth().stacksRecursively.map((s) => s.stackName)).toEqual([
      'platform-dev-foundation',
      ...workloads.map((w) => `platform-dev-${w}`),
    ]);
  });
});
