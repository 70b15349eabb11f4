import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks, NIST80053R5Checks, type NagPack } from 'cdk-nag';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PlatformChecks } from '../../lib/aws';
import { buildAwsApp, type EnvironmentStage } from '../../stacks/aws';
import { loadEnvironments } from '../../stacks/environments';
import { errorOf } from '../util/fixtures';
import { temporaryFolders } from '../util/temp';

const environments = loadEnvironments();
const tempDir = temporaryFolders('platform-aws-guardrails-');

function packsFor(tier: 'development' | 'production'): NagPack[] {
  return [
    new AwsSolutionsChecks(),
    new PlatformChecks(undefined, { tier }),
    ...(tier === 'production' ? [new NIST80053R5Checks()] : []),
  ];
}

describe.each(environments.map((e) => [e.name, e] as const))('guardrails of %s (AWS)', (_name, env) => {
  // aws-cdk-lib makes an output folder for every app it is not given one for.
  const app = buildAwsApp({ environments: [env], validation: false, outdir: tempDir() });
  const stage = app.node.children[0] as EnvironmentStage;

  test(`zero unacknowledged findings (AwsSolutions${env.tier === 'production' ? ', NIST 800-53 R5' : ''}, Platform)`, () => {
    const findings = packsFor(env.tier).flatMap((pack) =>
      pack
        .validateScope(stage)
        .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`)),
    );
    expect(findings).toEqual([]);
  });

  test('synthesis with every guardrail registered succeeds', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'guardrails-'));
    try {
      expect(() => buildAwsApp({ environments: [env], validation: false, outdir }).synth()).not.toThrow();
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe('a new permission on a wildcard is a new finding (AWS)', () => {
  const env = environments.find((e) => e.servers.length > 0)!;
  const secretsEverywhere = (): iam.PolicyStatement =>
    new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: ['*'] });
  let outdir: string;
  beforeEach(() => {
    outdir = mkdtempSync(join(tmpdir(), 'guardrails-'));
  });
  afterEach(() => rmSync(outdir, { recursive: true, force: true }));

  function serverOf(stage: EnvironmentStage): { role: iam.Role; policy: iam.ManagedPolicy } {
    const server = [...stage.compute.servers.values()][0]!;
    return { role: server.role, policy: server.node.findChild('Policy') as iam.ManagedPolicy };
  }

  test(`${env.name}: secretsmanager:GetSecretValue on * added to a server's managed policy fails synthesis, naming the action`, () => {
    const app = buildAwsApp({ environments: [env], validation: false, outdir });
    const stage = app.node.children[0] as EnvironmentStage;
    const { policy } = serverOf(stage);
    policy.addStatements(secretsEverywhere());
    // AwsSolutions-IAM5 reports `*` once per policy, and the library acknowledged it for the agents' actions: the
    // Platform rule is what sees the new action.
    const findings = packsFor(env.tier).flatMap((pack) =>
      pack.validateScope(stage).violations.map((v) => `${v.ruleName}: ${v.description}`),
    );
    expect(findings).toEqual([
      expect.stringMatching(
        /^Platform-WildcardGrant\[Action::secretsmanager:GetSecretValue,Resource::\*\]: .*\/Servers\/\w+\/Policy\/Resource grants secretsmanager:GetSecretValue on \*, a wildcard permission nobody accepted/,
      ),
    ]);
    expect(errorOf(() => app.synth()).message).toContain(
      'Platform-WildcardGrant[Action::secretsmanager:GetSecretValue,Resource::*]',
    );
  });

  test(`${env.name}: secretsmanager:GetSecretValue on * added to a server's instance role fails synthesis, naming the action`, () => {
    const app = buildAwsApp({ environments: [env], validation: false, outdir });
    const stage = app.node.children[0] as EnvironmentStage;
    serverOf(stage).role.addToPrincipalPolicy(secretsEverywhere());
    const message = errorOf(() => app.synth()).message;
    expect(message).toContain('Platform-WildcardGrant[Action::secretsmanager:GetSecretValue,Resource::*]');
    expect(message).toContain('grants secretsmanager:GetSecretValue on *');
  });
});
