import { defineEnvironment, SpecError } from '../../lib/core';
import { devInput, prodInput } from '../util/fixtures';

function issuesOf(fn: () => unknown): { path: string; value: unknown; message: string }[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof SpecError) return error.issues.map((i) => ({ ...i }));
    throw error;
  }
  throw new Error('expected a SpecError');
}

describe('the audit section', () => {
  test('on by default in every tier: kept 90 days in development, 365 days and immutable in production', () => {
    expect(defineEnvironment(devInput()).audit).toEqual({ enabled: true, retentionDays: 90, immutable: false });
    expect(defineEnvironment(prodInput()).audit).toEqual({ enabled: true, retentionDays: 365, immutable: true });
  });

  test('a development environment may switch it off or keep its records longer', () => {
    expect(defineEnvironment({ ...devInput(), audit: { enabled: false } }).audit.enabled).toBe(false);
    expect(defineEnvironment({ ...devInput(), audit: { retentionDays: 730 } }).audit.retentionDays).toBe(730);
  });

  test('production refuses no trail and a short retention, both reported at once', () => {
    const name = prodInput().name;
    expect(
      issuesOf(() => defineEnvironment({ ...prodInput(), audit: { enabled: false, retentionDays: 180 } })),
    ).toEqual([
      {
        path: `${name}.audit.enabled`,
        value: false,
        message: 'true in a production-tier environment: who did what, and when, is always recorded',
      },
      {
        path: `${name}.audit.retentionDays`,
        value: 180,
        message: 'at least 365 days in a production-tier environment',
      },
    ]);
  });

  test('a retention the clouds cannot keep is refused with the allowed values; unknown fields are named', () => {
    const name = devInput().name;
    const issues = issuesOf(() =>
      defineEnvironment({ ...devInput(), audit: { retentionDays: 100, bucket: 'x' } as never }),
    );
    expect(issues.map((i) => i.path)).toEqual([`${name}.audit.retentionDays`, `${name}.audit.bucket`]);
    expect(issues.find((i) => i.path === `${name}.audit.retentionDays`)?.message).toBe(
      'one of 90, 180, 365, 730, 1095, 2555 days',
    );
  });
});
