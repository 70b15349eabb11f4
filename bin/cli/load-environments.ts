import * as path from 'node:path';
import { SpecError } from '../../lib/core';
import { describeLoadFailure } from './command';
import type * as environments from '../../stacks/environments';

/** An environment file that does not compile, import or run; the message names the file and line. */
export class EnvironmentLoadError extends Error {
  /**
   * @param message `file:line:column: message`, with the source line
   * @param cause the error as raised, with its stack (PLATFORM_DEBUG=1 prints it)
   */
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'EnvironmentLoadError';
  }
}

const ENVIRONMENTS_DIR = path.resolve(__dirname, '..', '..', 'stacks', 'environments');

/**
 * Loads stacks/environments, and with it every environment file, from inside an entry point's guarded code
 * (runCli), so that a syntax error, a missing import or an error thrown at the top of a file is reported as its
 * file, line and message like every other error, instead of by Node with its stack and swc's Rust backtrace.
 * Entry points import the environments through this, never statically.
 */
export async function importEnvironments(): Promise<typeof environments> {
  try {
    return await import('../../stacks/environments');
  } catch (error) {
    if (SpecError.isSpecError(error) || !(error instanceof Error)) throw error;
    const described = describeLoadFailure(error, ENVIRONMENTS_DIR);
    throw described ? new EnvironmentLoadError(described, error) : error;
  }
}
