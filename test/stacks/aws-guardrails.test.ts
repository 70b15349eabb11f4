import { AwsSolutionsChecks, NIST80053R5Checks, type NagPack } from 'cdk-nag';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PlatformChecks } from '../../lib/aws';
import { buildAwsApp, type EnvironmentStage } from '../../stacks/aws';
import { loadEnvironments } from '../../stacks/environments';

const environments = loadEnvironments();

function packsFor(tier: 'development' | 'production'): NagPack[] {
  return [
    new AwsSolutionsChecks(),
    new PlatformChecks(undefined, { tier }),
    ...(tier === 'production' ? [new NIST80053R5Checks()] : []),
  ];
}

describe.each(environments.map((e) => [e.name, e] as const))('guardrails of %s (AWS)', (_name, env) => {
  const app = buildAwsApp({ environments: [env], validation: false });
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
