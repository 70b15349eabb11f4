import type { ChangeRisk } from '../core/change-acknowledgement';
import type {
  AcknowledgementIndex,
  AppliedAcknowledgement,
  DraftChange,
  ResourceChange,
  UnusedAcknowledgement,
} from './model';

/** The risks a change carries, before acknowledgements: data loss, broadened access. */
export function risksOf(change: DraftChange): ChangeRisk[] {
  const risks: ChangeRisk[] = [];
  if (change.dataLoss) risks.push('data-loss');
  if (change.security.some((s) => s.broadened)) risks.push('security');
  return risks;
}

function sameAcknowledgement(a: AppliedAcknowledgement, b: AppliedAcknowledgement): boolean {
  return a.risk === b.risk && a.reason === b.reason && a.on === b.on;
}

/**
 * Applies the head's acknowledgements to the changes they name. One counts only when its resource has a change
 * of that risk, and only when this change adds it: an acknowledgement the base already carries approved an
 * earlier change, and must not approve a new one unseen. Every acknowledgement that did not count is returned
 * with the reason, so the review can tell the author to remove or restate it.
 */
export function applyAcknowledgements(
  drafts: readonly DraftChange[],
  head: AcknowledgementIndex,
  base: AcknowledgementIndex,
): { changes: ResourceChange[]; unused: UnusedAcknowledgement[] } {
  const used = new Set<AppliedAcknowledgement>();
  const unused: UnusedAcknowledgement[] = [];
  const inBase = (stack: string, id: string, ack: AppliedAcknowledgement): boolean =>
    (base.get(stack)?.get(id) ?? []).some((b) => sameAcknowledgement(b, ack));

  const changes = drafts.map((draft): ResourceChange => {
    const risks = risksOf(draft);
    const applied = (head.get(draft.stack)?.get(draft.id) ?? []).filter(
      (ack) => risks.includes(ack.risk) && !inBase(draft.stack, draft.id, ack),
    );
    for (const ack of applied) used.add(ack);
    const covered = new Set(applied.map((a) => a.risk));
    return {
      ...draft,
      acknowledged: risks.length > 0 && risks.every((r) => covered.has(r)),
      acknowledgements: applied,
    };
  });

  const byId = new Map(drafts.map((d) => [`${d.stack}\0${d.id}`, d]));
  for (const [stack, ids] of [...head].sort(([a], [b]) => compare(a, b))) {
    for (const [id, acks] of [...ids].sort(([a], [b]) => compare(a, b))) {
      for (const ack of acks) {
        if (used.has(ack)) continue;
        const change = byId.get(`${stack}\0${id}`);
        const why = inBase(stack, id, ack)
          ? 'already in the base: it approved an earlier change and approves nothing new; remove it (or restate it with a new reason if this change is intended too)'
          : change === undefined
            ? 'the resource does not change: remove it, so it cannot approve a later change unseen'
            : `the change carries no ${ack.risk} risk: remove it, so it cannot approve a later change unseen`;
        unused.push({
          stack,
          id,
          risk: ack.risk,
          reason: ack.reason,
          ...(ack.resource && { resource: ack.resource }),
          why,
        });
      }
    }
  }
  return { changes, unused };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
