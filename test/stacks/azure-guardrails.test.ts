import * as nsgRule from '@cdktf/provider-azurerm/lib/network-security-rule';
import { AZURE_RULES, checkTerraform } from '../../lib/azure';
import { defineEnvironment } from '../../lib/core';
import { buildAzureApp, EnvironmentStack } from '../../stacks/azure';
import { loadEnvironments } from '../../stacks/environments';
import { devInput } from '../util/fixtures';
import { temporaryFolders } from '../util/temp';
import { schemaProblems, type StackJson } from '../util/provider-schema';
import { fullSynth, onlyResource, readStackJson } from '../util/terraform';

const environments = loadEnvironments();
const tempDir = temporaryFolders('platform-azure-guardrails-');
const app = buildAzureApp({ environments, outdir: tempDir() });
const stacks = app.node.children.filter((c): c is EnvironmentStack => c instanceof EnvironmentStack);

test('a stack for every environment', () => {
  expect(environments.length).toBeGreaterThan(0);
  expect(stacks.map((s) => s.node.id)).toEqual(environments.map((e) => `platform-${e.name}`));
});

describe.each(environments.map((env) => [`platform-${env.name}`, env] as const))(
  'guardrails of %s (Azure)',
  (id, env) => {
    const stack = stacks.find((s) => s.node.id === id)!;
    // fullSynth runs the aspects and the stack's validations, as `cdktf synth` does.
    const outdir = fullSynth(stack, tempDir());
    const tf = readStackJson(outdir, stack.node.id);

    test('the cdk.tf.json is valid for the azurerm 4.55.0 provider: every argument exists, is typed right, and required ones are given', () => {
      expect(schemaProblems(tf as unknown as StackJson)).toEqual([]);
    });

    test('zero unacknowledged findings from the Azure rule pack', () => {
      const findings = checkTerraform(tf, { tier: env.tier, rules: AZURE_RULES });
      expect(
        findings.filter((f) => f.acknowledgedReason === undefined).map((f) => `${f.ruleId} ${f.address}: ${f.message}`),
      ).toEqual([]);
    });

    test(
      env.protection.retainData
        ? 'protection.retainData: the stateful resources have prevent_destroy'
        : 'no protection.retainData: nothing has prevent_destroy',
      () => {
        const retained = Object.entries(tf.resource).flatMap(([type, byName]) =>
          Object.values(byName)
            .filter((block) => block.lifecycle?.prevent_destroy === true)
            .map(() => type),
        );
        expect(onlyResource(tf, 'azurerm_resource_group').lifecycle?.prevent_destroy).toBe(
          env.protection.retainData ? true : undefined,
        );
        expect(new Set(retained)).toEqual(
          new Set(
            env.protection.retainData
              ? [
                  'azurerm_resource_group',
                  'azurerm_log_analytics_workspace',
                  'azurerm_recovery_services_vault',
                  ...(env.servers.length > 0 ? ['azurerm_linux_virtual_machine'] : []),
                  // The component the API checks report their availability results to.
                  ...(env.checks.checks.length > 0 ? ['azurerm_application_insights'] : []),
                  // The cluster and the Prometheus workspace keep their metrics and state.
                  ...(env.kubernetes ? ['azurerm_kubernetes_cluster'] : []),
                  ...(env.prometheus ? ['azurerm_monitor_workspace'] : []),
                ]
              : [],
          ),
        );
      },
    );

    test('the stack records its tier, rule pack and public ports for npm run check', () => {
      expect(tf['//']?.['platform-policy']).toEqual({
        tier: env.tier,
        rules: AZURE_RULES.map((r) => r.id),
        // A public service listens on the Container Apps environment's HTTPS ingress.
        publicPorts: env.services.some((s) => s.public) ? [443] : [],
      });
    });
  },
);

describe('only the listeners the spec declares public are open to the Internet (Azure)', () => {
  const env = defineEnvironment({
    ...devInput(),
    services: [
      { name: 'web', image: 'public.ecr.aws/nginx/nginx:1.27', cpu: 0.25, memoryGiB: 0.5, port: 80, public: true },
    ],
  });

  /** The environment's stack with one more security rule from the Internet on the apps subnet's NSG. */
  function withInternetRule(port: string): EnvironmentStack {
    const built = buildAzureApp({ environments: [env], outdir: tempDir() });
    const stack = built.node.children.find((c): c is EnvironmentStack => c instanceof EnvironmentStack)!;
    new nsgRule.NetworkSecurityRule(stack, 'extra-rule', {
      name: `AllowInternet${port}`,
      resourceGroupName: stack.resourceGroup.name,
      networkSecurityGroupName: stack.network.securityGroups.apps.name,
      priority: 200,
      direction: 'Inbound',
      access: 'Allow',
      protocol: 'Tcp',
      sourcePortRange: '*',
      sourceAddressPrefix: 'Internet',
      destinationAddressPrefix: '*',
      destinationPortRange: port,
    });
    return stack;
  }

  test(`${env.name}: a rule opening 8080 to the Internet fails synthesis`, () => {
    expect(() => fullSynth(withInternetRule('8080'), tempDir())).toThrow(
      /PC_AZURE_NSG_INTERNET_INGRESS at .*extra-rule: azurerm_network_security_rule\.extra-rule .* allows TCP 8080 inbound from source_address_prefix "Internet", which is not a public listener of the environment \(the spec declares TCP 443\)/,
    );
  });

  test(`${env.name}: a rule opening the declared public listener (443) passes the rule pack`, () => {
    const stack = withInternetRule('443');
    const tf = readStackJson(fullSynth(stack, tempDir()), stack.node.id);
    expect(
      checkTerraform(tf, { tier: env.tier, rules: AZURE_RULES })
        .filter((f) => f.acknowledgedReason === undefined)
        .map((f) => f.ruleId),
    ).toEqual([]);
  });
});
