import { SpecError } from '../lib/core';

/** A wrong command-line argument; printed without a stack trace. */
export class UsageError extends Error {
  /** @param message what was wrong with the arguments, and what is allowed */
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Runs an entry point and turns any failure into a clear message on stderr and exit code 1, without a
 * stack trace from inside aws-cdk-lib or cdktf (set PLATFORM_DEBUG=1 to see it).
 */
export function runCli(main: () => void | Promise<void>): void {
  Promise.resolve()
    .then(main)
    .catch((error: unknown) => {
      process.stderr.write(`${describeError(error)}\n`);
      if (process.env.PLATFORM_DEBUG && error instanceof Error && error.stack) {
        process.stderr.write(`${error.stack}\n`);
      }
      process.exitCode = 1;
    });
}

/** The message to show for an error: the spec problems, or the library's message without its stack. */
export function describeError(error: unknown): string {
  if (SpecError.isSpecError(error)) return error.message;
  if (error instanceof UsageError) return `Usage error: ${error.message}`;
  // stacks/review.ts: a side that does not synthesize or cannot be read; the message says which and why.
  if (error instanceof Error && error.name === 'ReviewError') return `Review failed: ${error.message}`;
  if (error instanceof Error) {
    // cdktf ends a failed validation with advice to skip validations, which would skip the guardrails too.
    const message = error.message.replace(
      /\n*If you wish to ignore these validations, pass 'skipValidation: true' to your App configuration\.\s*$/,
      `\nFix each finding, or acknowledge it next to its construct with acknowledge(construct, ruleId, reason) (README: Guardrails).`,
    );
    return `Synthesis failed: ${message}`;
  }
  return `Synthesis failed: ${String(error)}`;
}
