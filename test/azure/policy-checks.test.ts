import { App, TerraformStack } from 'cdktf';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { Construct } from 'constructs';
import { acknowledge, PolicyChecks } from '../../lib/azure';
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
