/* eslint-disable @typescript-eslint/no-explicit-any -- these tests walk synthesized JSON by hand */
import { Testing } from 'cdktf';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AZURE_RULES, checkTerraform } from '../../lib/azure';
import { buildAzureApp, EnvironmentStack } from '../../stacks/azure';
import { loadEnvironments } from '../../stacks/environments';

const environments = loadEnvironments();
const app = buildAzureApp({ environments, outdir: Testing.app().outdir });
const stacks = app.node.children.filter((c): c is EnvironmentStack => c instanceof EnvironmentStack);

describe.each(stacks.map((s, i) => [s.node.id, s, environments[i]!] as const))(
  'guardrails of %s (Azure)',
  (_id, stack, env) => {
    // Testing.fullSynth runs the aspects and the stack's validations, as `cdktf synth` does.
    const outdir = Testing.fullSynth(stack);
    const tf = JSON.parse(readFileSync(join(outdir, 'stacks', stack.node.id, 'cdk.tf.json'), 'utf8'));

    test('zero unacknowledged findings from the Azure rule pack', () => {
      const findings = checkTerraform(tf, { tier: env.tier, rules: AZURE_RULES });
      expect(
        findings.filter((f) => f.acknowledgedReason === undefined).map((f) => `${f.ruleId} ${f.address}: ${f.message}`),
      ).toEqual([]);
    });

    test(
      env.tier === 'production'
        ? 'the resource group has prevent_destroy'
        : 'nothing has prevent_destroy in development',
      () => {
        const group = Object.values<Record<string, any>>(tf.resource.azurerm_resource_group)[0]!;
        expect(group.lifecycle?.prevent_destroy).toBe(env.tier === 'production' ? true : undefined);
      },
    );

    test('the stack records its tier and rule pack for npm run check', () => {
      expect(tf['//']['platform-policy']).toEqual({ tier: env.tier, rules: AZURE_RULES.map((r) => r.id) });
    });
  },
);
