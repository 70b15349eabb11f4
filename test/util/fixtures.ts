import { defineEnvironment, type Environment, type EnvironmentInput } from '../../lib/core';

/** A valid development environment input; tests change one field at a time. */
export function devInput(): EnvironmentInput {
  return {
    name: 'dev',
    tier: 'development',
    aws: { account: '111111111111', region: 'eu-west-1' },
    azure: { location: 'westeurope' },
    network: { cidr: '10.10.0.0/16' },
    tags: { owner: 'platform-team' },
  };
}

/** A valid production environment input. */
export function prodInput(): EnvironmentInput {
  return {
    name: 'prod',
    tier: 'production',
    aws: { account: '333333333333', region: 'eu-west-1' },
    azure: { location: 'westeurope' },
    network: { cidr: '10.30.0.0/16' },
    tags: { owner: 'platform-team' },
    monitoring: { emails: ['oncall@example.com'] },
  };
}

/** Resolved development environment. */
export function devEnvironment(): Environment {
  return defineEnvironment(devInput());
}

/** Resolved production environment. */
export function prodEnvironment(): Environment {
  return defineEnvironment(prodInput());
}

/** Runs `fn` and returns the error it throws (fails the test when it does not throw). */
export function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`threw a non-Error: ${String(error)}`);
  }
  throw new Error('expected an error, but none was thrown');
}
