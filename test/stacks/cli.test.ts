import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { SpecError } from '../../lib/core';
import { describeError, runCli, UsageError } from '../../stacks/cli';
import { errorOf } from '../util/fixtures';

describe('describeError', () => {
  test('spec problems are shown as they are', () => {
    const error = new SpecError([{ path: 'dev.name', value: 'X', message: 'lowercase' }]);
    expect(describeError(error)).toBe('Invalid environment spec (1 problem):\n  - dev.name: "X" - lowercase');
  });

  test('an error from inside aws-cdk-lib shows its message, not its stack', () => {
    const error = errorOf(() => new ec2.Vpc(new Stack(), 'Vpc', { maxAzs: 2, availabilityZones: ['a', 'b'] }));
    const shown = describeError(error);
    expect(shown).toMatch(/^Synthesis failed: .*availabilityZones.*maxAzs/);
    expect(shown).not.toMatch(/\n\s+at /);
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
