import { App, TerraformStack } from 'cdktf';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import type { Construct } from 'constructs';
import type { Tier } from '../../../lib/core';
import { checkTerraform } from '../../../lib/azure/policy/engine';
import type { Finding, PolicyRule } from '../../../lib/azure/policy/rule';
import { readStackJson, type TfStackJson } from '../../util/terraform';

/**
 * Synthesizes what `build` adds to a stack, the way `cdktf synth` writes it (with the `"//"` metadata
 * that carries construct paths and acknowledgements), and parses the JSON.
 */
export function synthStack(build: (stack: TerraformStack) => void): TfStackJson {
  const outdir = mkdtempSync(join(tmpdir(), 'policy-'));
  try {
    const app = new App({ outdir, skipValidation: true });
    const stack = new TerraformStack(app, 'test');
    new AzurermProvider(stack, 'azurerm', { features: [{}] });
    build(stack);
    app.synth();
    return readStackJson(outdir, 'test');
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Runs one rule over what `build` synthesizes. */
export function findingsOf(rule: PolicyRule, build: (scope: Construct) => void, tier: Tier = 'production'): Finding[] {
  return checkTerraform(synthStack(build), { tier, rules: [rule] });
}
