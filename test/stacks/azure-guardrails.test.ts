import { Testing } from 'cdktf';
import { AZURE_RULES, checkTerraform } from '../../lib/azure';
import { buildAzureApp, EnvironmentStack } from '../../stacks/azure';
import { loadEnvironments } from '../../stacks/environments';
import { onlyResource, readStackJson } from '../util/terraform';

const environments = loadEnvironments();
const app = buildAzureApp({ environments, outdir: Testing.app().outdir });
const stacks = app.node.children.filter((c): c is EnvironmentStack => c instanceof EnvironmentStack);

describe.each(stacks.map((s, i) => [s.node.id, s, environments[i]!] as const))(
  'guardrails of %s (Azure)',
  (_id, stack, env) => {
    // Testing.fullSynth runs the aspects and the stack's validations, as `cdktf synth` does.
    const outdir = Testing.fullSynth(stack);
    const tf = readStackJson(outdir, stack.node.id);

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
        expect(onlyResource(tf, 'azurerm_resource_group').lifecycle?.prevent_destroy).toBe(
          env.tier === 'production' ? true : undefined,
        );
      },
    );

    test('the stack records its tier and rule pack for npm run check', () => {
      expect(tf['//']?.['platform-policy']).toEqual({ tier: env.tier, rules: AZURE_RULES.map((r) => r.id) });
    });
  },
);
