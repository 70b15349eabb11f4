import { z } from 'zod';
import { defineSection } from './section';

/** The resolved `protection` section: what keeps data and infrastructure from being deleted by accident. */
export interface ProtectionSpec {
  /** Stateful resources are retained on stack deletion and replacement (RETAIN, `prevent_destroy`). */
  readonly retainData: boolean;
  /** Deletion protection on load balancers, `disableApiTermination` on instances. */
  readonly deletionProtection: boolean;
  /** CloudFormation stack termination protection. */
  readonly terminationProtection: boolean;
}

/** The `protection` section: data safety, with defaults from the tier. */
export const protectionSection = defineSection({
  schema: z
    .strictObject({
      retainData: z.boolean().optional(),
      deletionProtection: z.boolean().optional(),
      terminationProtection: z.boolean().optional(),
    })
    .optional(),
  defaults: {
    development: { retainData: false, deletionProtection: false, terminationProtection: false },
    production: { retainData: true, deletionProtection: true, terminationProtection: true },
  },
  resolve: (input, { defaults }): ProtectionSpec => {
    return {
      retainData: input?.retainData ?? defaults.retainData,
      deletionProtection: input?.deletionProtection ?? defaults.deletionProtection,
      terminationProtection: input?.terminationProtection ?? defaults.terminationProtection,
    };
  },
  check: (protection, env, report) => {
    if (env.tier === 'production' && !protection.retainData) {
      report(
        'protection.retainData',
        false,
        'production-tier environments always retain their data; use tier "development" for a disposable environment',
      );
    }
    if (env.tier === 'production' && !protection.terminationProtection) {
      report(
        'protection.terminationProtection',
        false,
        'production-tier stacks keep termination protection, so a stack deletion cannot orphan their retained data; use tier "development" for a disposable environment',
      );
    }
  },
});
