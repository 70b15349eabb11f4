import { App, TerraformStack } from 'cdktf';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { Construct } from 'constructs';
import { acknowledge, POLICY_FAILURE_ADVICE, PolicyChecks, PolicyError } from '../../lib/azure';
import type { Tier } from '../../lib/core';
import { errorOf } from '../util/fixtures';
import { onlyResource, readStackJson } from '../util/terraform';

let outdir: string;
beforeEach(() => {
  outdir = mkdtempSync(join(tmpdir(), 'azure-policy-'));
});
afterEach(() => rmSync(outdir, { recursive: true, force: true }));

/** A storage account that breaks several rules: public network access, shared keys, anonymous blobs. */
function openStorage(scope: Construct): StorageAccount {
  return new StorageAccount(scope, 'logs', {
    name: 'stplatformlogs',
    location: 'westeurope',
    resourceGroupName: 'rg',
    accountTier: 'Standard',
    accountReplicationType: 'GRS',
  });
}

function stackWith(tier: Tier, build: (stack: TerraformStack) => void): App {
  const app = new App({ outdir });
  const stack = new TerraformStack(app, 'env');
  new AzurermProvider(stack, 'azurerm', { features: [{}] });
  build(stack);
  PolicyChecks.applyTo(stack, { tier });
  return app;
}

describe('PolicyChecks (Azure)', () => {
  test('synthesis fails on unacknowledged errors, listing every finding at once and writing nothing', () => {
    const app = stackWith('development', openStorage);
    const message = errorOf(() => app.synth()).message;
    for (const id of ['CKV_AZURE_59', 'CKV2_AZURE_40', 'CKV2_AZURE_47']) expect(message).toContain(id);
    expect(message).toContain(
      '[error] CKV_AZURE_59 at env/logs: azurerm_storage_account.logs (storage account stplatformlogs)',
    );
    expect(() => readFileSync(join(outdir, 'stacks', 'env', 'cdk.tf.json'))).toThrow(/ENOENT/);
  });

  test('the failure is our own error: per finding the rule, construct, address, fix and how to acknowledge it', () => {
    const app = stackWith('development', openStorage);
    const error = errorOf(() => app.synth());
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).findings.map((f) => f.ruleId)).toEqual([
      'CKV_AZURE_59',
      'CKV2_AZURE_38',
      'CKV2_AZURE_40',
      'CKV2_AZURE_47',
      'PC_AZURE_DIAGNOSTICS',
    ]);
    const lines = error.message.split('\n');
    expect(lines[0]).toBe(
      'The Azure guardrails of stack env (development tier) failed with 5 unacknowledged findings:',
    );
    expect(lines.slice(1, 3)).toEqual([
      '  [error] CKV_AZURE_59 at env/logs: azurerm_storage_account.logs (storage account stplatformlogs) leaves public_network_access_enabled unset (the provider defaults to true): set public_network_access_enabled = false and reach the account through a private endpoint',
      "    or, if it is intended: acknowledge(<the construct at env/logs>, 'CKV_AZURE_59', '<why it is safe>')",
    ]);
    expect(lines.at(-1)).toBe(POLICY_FAILURE_ADVICE);
    expect(error.message).not.toMatch(/skipValidation|skip validation/i);
  });

  test('a failing stack stops the whole App before any stack is written', () => {
    const app = new App({ outdir });
    const clean = new TerraformStack(app, 'a-clean');
    new AzurermProvider(clean, 'azurerm', { features: [{}] });
    PolicyChecks.applyTo(clean, { tier: 'development' });
    const failing = new TerraformStack(app, 'b-failing');
    new AzurermProvider(failing, 'azurerm', { features: [{}] });
    openStorage(failing);
    PolicyChecks.applyTo(failing, { tier: 'development' });
    expect(errorOf(() => app.synth()).message).toContain('stack b-failing');
    expect(readdirSync(join(outdir, 'stacks'))).toEqual([]);
    expect(readdirSync(outdir).sort()).toEqual(['stacks']);
  });

  test('when every stack passes, each is written in place and the manifest lists them', () => {
    const app = new App({ outdir });
    for (const id of ['a', 'b']) {
      const stack = new TerraformStack(app, id);
      new AzurermProvider(stack, 'azurerm', { features: [{}] });
      PolicyChecks.applyTo(stack, { tier: 'development' });
    }
    app.synth();
    expect(readdirSync(join(outdir, 'stacks')).sort()).toEqual(['a', 'b']);
    expect(readStackJson(outdir, 'b')['//']?.['platform-policy']?.tier).toBe('development');
    expect(readdirSync(outdir).sort()).toEqual(['manifest.json', 'stacks']);
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
      stacks: Record<string, { synthesizedStackPath: string }>;
    };
    expect(manifest.stacks.a?.synthesizedStackPath).toBe('stacks/a/cdk.tf.json');
  });

  test('stack.runAllValidations() on its own throws the same error', () => {
    let stack: TerraformStack | undefined;
    stackWith('development', (s) => {
      stack = s;
      openStorage(s);
    });
    expect(errorOf(() => stack!.runAllValidations())).toBeInstanceOf(PolicyError);
  });

  test('acknowledgements on a parent construct clear its resources and are written to cdk.tf.json', () => {
    const app = stackWith('development', (stack) => {
      const group = new Construct(stack, 'group');
      openStorage(group);
      acknowledge(group, 'CKV_AZURE_59', 'Reached only through its private endpoint, which the firewall rules require');
      acknowledge(group, 'CKV2_AZURE_40', 'A legacy reader needs shared keys until it moves to Entra ID (platform#12)');
      acknowledge(group, 'CKV2_AZURE_47', 'The container holds public release notes served to anonymous readers');
      acknowledge(group, 'CKV2_AZURE_38', 'Holds only copies of logs kept in the Log Analytics workspace');
      acknowledge(group, 'PC_AZURE_DIAGNOSTICS', 'This test stack has no workspace; the environment stacks add one');
    });
    app.synth();
    const tf = readStackJson(outdir, 'env');
    expect(onlyResource(tf, 'azurerm_storage_account')['//']?.acknowledged).toEqual({
      CKV2_AZURE_38: 'Holds only copies of logs kept in the Log Analytics workspace',
      CKV2_AZURE_40: 'A legacy reader needs shared keys until it moves to Entra ID (platform#12)',
      CKV2_AZURE_47: 'The container holds public release notes served to anonymous readers',
      CKV_AZURE_59: 'Reached only through its private endpoint, which the firewall rules require',
      PC_AZURE_DIAGNOSTICS: 'This test stack has no workspace; the environment stacks add one',
    });
    expect(tf['//']?.['platform-policy']?.tier).toBe('development');
  });

  test('production-only rules run in production: GRS storage passes, LRS fails', () => {
    const lrs = stackWith('production', (stack) => {
      const s = openStorage(stack);
      s.accountReplicationType = 'LRS';
      for (const id of ['CKV_AZURE_59', 'CKV2_AZURE_40', 'CKV2_AZURE_47', 'CKV2_AZURE_38', 'PC_AZURE_PREVENT_DESTROY'])
        acknowledge(s, id, 'This test looks only at the replication rule');
    });
    expect(errorOf(() => lrs.synth()).message).toMatch(/CKV_AZURE_206[^\n]*azurerm_storage_account\.logs/);
  });

  test('renders the stack once per synthesis: the JSON written is the JSON the checks judged', () => {
    const render = jest.spyOn(TerraformStack.prototype, 'toTerraform');
    try {
      let stack: TerraformStack | undefined;
      const app = stackWith('development', (s) => {
        stack = s;
        new Construct(s, 'empty');
      });
      render.mockClear();
      app.synth();
      expect(render).toHaveBeenCalledTimes(1);
      expect(readStackJson(outdir, 'env')).toEqual(JSON.parse(JSON.stringify(stack!.toTerraform())));
    } finally {
      render.mockRestore();
    }
  });

  test('a change after the validations ran on their own is judged at synthesis', () => {
    let stack: TerraformStack | undefined;
    const app = stackWith('development', (s) => {
      stack = s;
    });
    stack!.runAllValidations();
    openStorage(stack!);
    expect(errorOf(() => app.synth()).message).toContain('[error] CKV_AZURE_59 at env/logs');
  });

  test('an acknowledgement without a real reason is refused', () => {
    const stack = new TerraformStack(new App({ outdir }), 'env');
    expect(() => acknowledge(stack, 'CKV_AZURE_59', 'ok')).toThrow(
      'Acknowledgement of CKV_AZURE_59 on env: reason "ok" - at least 10 characters saying why it is safe',
    );
  });
});
