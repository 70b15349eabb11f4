import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { SpecError } from '../../../lib/core';
import { describeError, runCli, StopError, UsageError, watchForStop } from '../../../bin/cli/command';
import { StaleOutputError } from '../../../bin/cli/check';
import { OutputError } from '../../../bin/cli/output-swap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadEnvironments } from '../../../stacks/environments';
import { synthesize } from '../../../bin/cli/synth';
import { errorOf } from '../../util/fixtures';
import { temporaryFolders } from '../../util/temp';

const environments = loadEnvironments();
// aws-cdk-lib makes an output folder for every App it is not given one for.
const tempDir = temporaryFolders('platform-cli-');

describe('describeError', () => {
  test('spec problems are shown as they are', () => {
    const error = new SpecError([{ path: 'dev.name', value: 'X', message: 'lowercase' }]);
    expect(describeError(error)).toBe('Invalid environment spec (1 problem):\n  - dev.name: "X" - lowercase');
  });

  test('an error from inside aws-cdk-lib shows its message, not its stack', () => {
    const stack = new Stack(new App({ outdir: tempDir() }));
    const error = errorOf(() => new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, availabilityZones: ['a', 'b'] }));
    const shown = describeError(error);
    expect(shown).toMatch(/^Synthesis failed: .*availabilityZones.*maxAzs/);
    expect(shown).not.toMatch(/\n\s+at /);
  });

  test('a guardrail failure on Azure points at acknowledging, never at skipping validation', async () => {
    const production = environments.find((e) => e.tier === 'production')!;
    // Hand-built past the spec (which refuses it): a production environment that would not retain its data.
    const unprotected = { ...production, protection: { ...production.protection, retainData: false } };
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));
    const error = await synthesize({
      environments: [unprotected],
      clouds: ['azure'],
      validation: false,
      cdkOut: path.join(outdir, 'cdk.out'),
      cdktfOut: path.join(outdir, 'out'),
    })
      .then(() => new Error('expected a failure'))
      .catch((e: unknown) => e as Error)
      .finally(() => fs.rmSync(outdir, { recursive: true, force: true }));
    const shown = describeError(error);
    expect(shown).toMatch(/^Synthesis failed on azure: /);
    expect(shown).toContain(
      `[error] PC_AZURE_PREVENT_DESTROY at platform-${production.name}/resource-group: azurerm_resource_group.resource-group holds data but a plan may destroy it`,
    );
    expect(shown).not.toContain('skipValidation');
    expect(shown).toContain(
      'acknowledge it next to its construct with acknowledge(construct, ruleId, reason) (docs/guardrails.md).\n\nNothing was written: ',
    );
  });

  test('output, staleness and stop errors are shown as their messages say, with what they are', () => {
    expect(describeError(new OutputError('cdk.out/ is read-only'))).toBe('Output not replaced: cdk.out/ is read-only');
    expect(describeError(new StaleOutputError('cdk.out/ does not match the sources'))).toBe(
      'Check refused: cdk.out/ does not match the sources',
    );
    expect(describeError(new StopError('Synthesis stopped by SIGINT: nothing was replaced', 'SIGINT'))).toBe(
      'Synthesis stopped by SIGINT: nothing was replaced',
    );
  });

  test('usage errors say so', () => {
    expect(describeError(new UsageError('--cloud: "gcp" - use aws or azure'))).toBe(
      'Usage error: --cloud: "gcp" - use aws or azure',
    );
  });
});

describe('runCli', () => {
  test('prints the message to stderr and sets exit code 1, without a stack trace', async () => {
    const writes: string[] = [];
    const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    const before = process.exitCode;
    try {
      runCli(() => {
        throw new Error('boom from deep inside');
      });
      await new Promise((resolve) => setImmediate(resolve));
      expect(writes).toEqual(['Synthesis failed: boom from deep inside\n']);
      expect(process.exitCode).toBe(1);
    } finally {
      write.mockRestore();
      process.exitCode = before;
    }
  });
});

describe('watchForStop', () => {
  test('a SIGTERM aborts with a StopError naming it, and gives the default handling back', () => {
    const listeners = process.listenerCount('SIGTERM');
    const watch = watchForStop();
    expect(process.listenerCount('SIGTERM')).toBe(listeners + 1);
    process.emit('SIGTERM', 'SIGTERM');
    expect(watch.signal.aborted).toBe(true);
    expect(watch.signal.reason).toEqual(new StopError('stopped by SIGTERM', 'SIGTERM'));
    expect((watch.signal.reason as StopError).signal).toBe('SIGTERM');
    expect(process.listenerCount('SIGTERM')).toBe(listeners);
    watch.dispose();
  });

  test('dispose stops watching', () => {
    const listeners = process.listenerCount('SIGINT');
    const watch = watchForStop();
    watch.dispose();
    expect(process.listenerCount('SIGINT')).toBe(listeners);
    expect(watch.signal.aborted).toBe(false);
  });
});
