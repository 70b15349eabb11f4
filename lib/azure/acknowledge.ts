import { TerraformResource, TerraformStack } from 'cdktf';
import type { IConstruct } from 'constructs';
import {
  CHANGE_ACKNOWLEDGEMENT_KEY,
  changeAcknowledgementProblems,
  type ChangeAcknowledgement,
  type ChangeRisk,
} from '../core';

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

/** The change acknowledgements recorded so far on each resource or stack, so a second call adds to the first. */
const recorded = new WeakMap<IConstruct, ChangeAcknowledgement[]>();

function record(target: TerraformResource | TerraformStack, entry: ChangeAcknowledgement): void {
  const entries = [...(recorded.get(target) ?? []), entry];
  recorded.set(target, entries);
  target.addOverride(`//.${CHANGE_ACKNOWLEDGEMENT_KEY}`, entries);
}

/**
 * Acknowledges a risky change of one resource for `npm run review`: the data it holds is lost (`data-loss`: it is
 * replaced or destroyed) or access to it widens (`security`). The acknowledgement travels in the resource's
 * `"//"` comment block of cdk.tf.json (Terraform ignores it), so the pull request shows it and the review reads it
 * from the synthesized output. It counts only when the review finds that kind of change on that resource, and
 * only in the change that adds it: one already in the base approves nothing new, so remove it once applied.
 *
 * @param resource the resource (a TerraformResource, or a construct whose `node.defaultChild` is one)
 * @param risk the kind of risk accepted
 * @param reason why the change is safe or intended, at least 10 characters
 * @throws Error naming every problem: no single resource, an unknown risk, a short reason
 */
export function acknowledgeChange(resource: IConstruct, risk: ChangeRisk, reason: string): void {
  const target = TerraformResource.isTerraformResource(resource)
    ? resource
    : resource.node.defaultChild !== undefined && TerraformResource.isTerraformResource(resource.node.defaultChild)
      ? resource.node.defaultChild
      : undefined;
  const where = `Change acknowledgement on ${resource.node.path}`;
  const problems = changeAcknowledgementProblems(where, risk, reason);
  if (target === undefined) {
    problems.unshift(
      `${where}: names no single resource; pass a TerraformResource or a construct whose node.defaultChild is one (for a resource the change removes, use acknowledgeRemoval on its stack)`,
    );
  }
  if (problems.length > 0 || target === undefined) throw new Error(problems.join('\n'));
  record(target, { risk, reason });
}

/**
 * Acknowledges a risky change of a resource that the change removes (so there is no resource left to carry it):
 * by its Terraform address, in the stack's top-level `"//"` block. See {@link acknowledgeChange}.
 *
 * @param scope the stack the resource leaves (or any construct in it)
 * @param address the removed resource's address, `<type>.<name>`, as the review names it
 * @param risk the kind of risk accepted
 * @param reason why the change is safe or intended, at least 10 characters
 * @throws Error naming every problem: not an address, an unknown risk, a short reason
 */
export function acknowledgeRemoval(scope: IConstruct, address: string, risk: ChangeRisk, reason: string): void {
  const stack = TerraformStack.of(scope);
  const where = `Removal acknowledgement of ${JSON.stringify(address)} in ${stack.node.id}`;
  const problems = changeAcknowledgementProblems(where, risk, reason);
  if (!/^[a-z][a-z0-9_]*\.[A-Za-z0-9_-]+$/.test(address)) {
    problems.unshift(`${where}: not a Terraform address; use <type>.<name> as the review names it`);
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
  record(stack, { resource: address, risk, reason });
}
