import type { IConstruct } from 'constructs';

/** The shortest reason an acknowledgement may give: it has to say why the finding is safe. */
export const MIN_ACKNOWLEDGEMENT_REASON = 10;

/** The construct metadata type under which acknowledgements are recorded. */
export const ACKNOWLEDGEMENT_METADATA_TYPE = 'platform-constructs:acknowledged';

/**
 * Acknowledges one Azure guardrail rule (`CKV_AZURE_59`, `PC_AZURE_VM_BACKUP`, ...) on a construct and
 * every resource under it, with a reason of at least 10 characters saying why it is safe. `PolicyChecks`
 * writes it into each resource's `"//"` comment block in cdk.tf.json, so reviewers and `npm run check`
 * see who acknowledged what, and why.
 *
 * @throws Error naming the rule when the reason is too short.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  if (reason.trim().length < MIN_ACKNOWLEDGEMENT_REASON) {
    throw new Error(
      `Acknowledgement of ${id} on ${scope.node.path}: reason ${JSON.stringify(reason)} - at least ${MIN_ACKNOWLEDGEMENT_REASON} characters saying why it is safe`,
    );
  }
  scope.node.addMetadata(ACKNOWLEDGEMENT_METADATA_TYPE, { id, reason });
}

/** The rules acknowledged on a construct or any construct above it: rule id to reason (nearest wins). */
export function acknowledgementsOf(node: IConstruct): Record<string, string> {
  const found: Record<string, string> = {};
  for (let current: IConstruct | undefined = node; current; current = current.node.scope) {
    for (const entry of current.node.metadata) {
      if (entry.type !== ACKNOWLEDGEMENT_METADATA_TYPE) continue;
      const { id, reason } = entry.data as { id: string; reason: string };
      found[id] ??= reason;
    }
  }
  return found;
}
