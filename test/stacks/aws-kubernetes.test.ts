import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, NIST80053R5Checks, type NagPack } from 'cdk-nag';
import { parse } from 'yaml';
import { PlatformChecks } from '../../lib/aws';
import { defineEnvironment, type Environment } from '../../lib/core';
import type { KubernetesSpec, PrometheusSpec } from '../../lib/core/kubernetes';
import { buildAwsApp, type EnvironmentStage } from '../../stacks/aws';
import { devEnvironment, devInput, prodEnvironment, prodInput } from '../util/fixtures';
import { temporaryFolders } from '../util/temp';

const outdir = temporaryFolders('platform-aws-kubernetes-');

const KUBERNETES: KubernetesSpec = {
  version: '1.35',
  pools: [
    { name: 'system', size: 'medium', minCount: 3, maxCount: 6, zones: 2, system: true, diskGiB: 50 },
    { name: 'apps', size: 'large', minCount: 2, maxCount: 10, zones: 2, system: false, diskGiB: 100 },
  ],
  publicApiCidrs: [],
  egress: [{ cidr: '203.0.113.0/24', ports: [443], description: 'Partner API' }],
  admins: { aws: ['arn:aws:iam::333333333333:role/platform-admin'], azure: [] },
};

const PROMETHEUS: PrometheusSpec = {
  interval: '1m',
  rules: [
    {
      kind: 'alert',
      name: 'TargetDown',
      expr: '100 * (count by (job, namespace, service) (up == 0) / count by (job, namespace, service) (up)) > 10',
      for: '10m',
      severity: 'warning',
      summary: 'One or more targets are unreachable.',
      labels: {},
      annotations: {},
    },
  ],
  disabledDefaults: {},
};

type WithKubernetes = Environment & { kubernetes?: KubernetesSpec; prometheus?: PrometheusSpec };

/** The environment with a cluster (the core's `kubernetes` and `prometheus` sections, resolved). */
function withCluster(env: Environment, withPrometheus = true): WithKubernetes {
  return { ...env, kubernetes: KUBERNETES, ...(withPrometheus && { prometheus: PROMETHEUS }) };
}

function stageOf(env: Environment): EnvironmentStage {
  const app = buildAwsApp({ environments: [env], validation: false, outdir: outdir() });
  return app.node.children[0] as EnvironmentStage;
}

function packsFor(tier: 'development' | 'production'): NagPack[] {
  return [
    new AwsSolutionsChecks(),
    new PlatformChecks(undefined, { tier }),
    ...(tier === 'production' ? [new NIST80053R5Checks()] : []),
  ];
}

describe('the kubernetes stack (AWS)', () => {
  const prod = withCluster(prodEnvironment());
  let stage: EnvironmentStage;
  let template: Template;
  beforeAll(() => {
    stage = stageOf(prod);
    template = Template.fromStack(stage.kubernetes!);
  });

  test('platform-<env>-kubernetes exists only when the environment has a cluster', () => {
    expect(stage.kubernetes!.stackName).toBe('platform-prod-kubernetes');
    expect(stageOf(prodEnvironment()).kubernetes).toBeUndefined();
  });

  test('it depends on the foundation, termination-protected in production', () => {
    const kubernetes = stage.kubernetes!;
    expect(kubernetes.dependencies.map((s) => s.stackName)).toContain('platform-prod-foundation');
    expect(kubernetes.terminationProtection).toBe(true);
    expect(stageOf(withCluster(devEnvironment())).kubernetes!.terminationProtection).toBe(false);
  });

  test('the cluster, its node groups, add-ons, workspace, rules and scraper are in it', () => {
    template.resourceCountIs('AWS::EKS::Cluster', 1);
    template.resourceCountIs('AWS::EKS::Nodegroup', 2);
    template.resourceCountIs('AWS::EKS::Addon', 6);
    template.resourceCountIs('AWS::APS::Workspace', 1);
    template.resourceCountIs('AWS::APS::RuleGroupsNamespace', 1);
    template.resourceCountIs('AWS::APS::Scraper', 1);
    template.hasResource('AWS::EKS::Cluster', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { Name: 'platform-prod', DeletionProtection: true },
    });
    template.hasResource('AWS::APS::Workspace', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('the foundation admits Prometheus alerts and the control-plane logs, naming nothing of this stack', () => {
    const foundation = JSON.stringify(Template.fromStack(stage.foundation).toJSON());
    expect(foundation).toContain('AllowPrometheusAlertManagerToPublish');
    expect(foundation).toContain('log-group:/aws/eks/platform-prod/cluster');
    expect(foundation).not.toContain('Fn::ImportValue');
    expect(stage.foundation.dependencies.map((s) => s.stackName)).not.toContain('platform-prod-kubernetes');
  });

  test('without prometheus: no workspace, and the foundation topics stay closed to it', () => {
    const noProm = stageOf(withCluster(prodEnvironment(), false));
    Template.fromStack(noProm.kubernetes!).resourceCountIs('AWS::APS::Workspace', 0);
    expect(JSON.stringify(Template.fromStack(noProm.foundation).toJSON())).not.toContain(
      'AllowPrometheusAlertManagerToPublish',
    );
  });

  test.each([
    ['production', prod],
    ['development', withCluster(devEnvironment())],
  ] as const)('%s: zero unacknowledged guardrail findings in the stage', (_tier, env) => {
    const s = env === prod ? stage : stageOf(env);
    const findings = packsFor(env.tier).flatMap((pack) =>
      pack
        .validateScope(s)
        .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`)),
    );
    expect(findings).toEqual([]);
  });

  test.each([
    ['production', prodInput()],
    ['development', devInput()],
  ] as const)(
    '%s: an environment defined with kubernetes: {} gets the cluster and the default rules, without findings',
    (_tier, input) => {
      const env = defineEnvironment({ ...input, kubernetes: {} });
      const s = stageOf(env);
      const t = Template.fromStack(s.kubernetes!);
      t.hasResourceProperties('AWS::EKS::Cluster', { Name: `platform-${env.name}`, Version: env.kubernetes!.version });
      const namespace = Object.values(t.findResources('AWS::APS::RuleGroupsNamespace'))[0] as {
        Properties: { Data: string };
      };
      const rules = (parse(namespace.Properties.Data) as { groups: { rules: { alert?: string }[] }[] }).groups[0]!
        .rules;
      expect(rules.map((r) => r.alert)).toEqual(env.prometheus!.rules.map((r) => r.name));
      expect(rules.map((r) => r.alert)).toEqual(expect.arrayContaining(['KubeNodeNotReady', 'KubePodCrashLooping']));
      const findings = packsFor(env.tier).flatMap((pack) =>
        pack
          .validateScope(s)
          .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`)),
      );
      expect(findings).toEqual([]);
    },
  );

  test('synthesis with every guardrail registered succeeds and writes the stack', () => {
    const resourcesOf = (env: Environment): number | undefined => {
      const assembly = buildAwsApp({ environments: [env], validation: false, outdir: outdir() }).synth();
      const stack = assembly.stacksRecursively.find((s) => s.stackName === 'platform-prod-kubernetes');
      return stack && Object.keys((stack.template as { Resources: object }).Resources).length;
    };
    expect(resourcesOf(prod)).toBeGreaterThan(30);
    expect(resourcesOf(prodEnvironment())).toBeUndefined();
  });
});

describe("the foundation's statements for the cluster carry their reasons for the review", () => {
  /** The `platform:review` acknowledgements of each resource of a type in the foundation. */
  const reviewOf = (env: Environment, type: string): unknown[] =>
    Object.values(Template.fromStack(stageOf(env).foundation).findResources(type)).map(
      (r) => (r.Metadata as Record<string, unknown> | undefined)?.['platform:review'],
    );

  test('the topic policies and the key acknowledge the widened access as security, with a reason', () => {
    const prod = withCluster(prodEnvironment());
    for (const acknowledgements of reviewOf(prod, 'AWS::SNS::TopicPolicy')) {
      expect(acknowledgements).toEqual([
        { risk: 'security', reason: expect.stringContaining('Prometheus workspaces') },
      ]);
    }
    const keyReasons = reviewOf(prod, 'AWS::KMS::Key')
      .flatMap((a) => (a as { risk: string; reason: string }[] | undefined) ?? [])
      .map(
        (a) =>
          `${a.risk}: ${a.reason.includes('Prometheus workspaces') ? 'alerts' : a.reason.includes('control-plane log group of platform-prod') ? 'control-plane logs' : a.reason}`,
      )
      .sort();
    expect(keyReasons).toEqual(['security: alerts', 'security: control-plane logs']);
  });

  test('without a cluster, nothing is acknowledged', () => {
    expect(reviewOf(prodEnvironment(), 'AWS::SNS::TopicPolicy').filter((a) => a !== undefined)).toEqual([]);
  });
});
