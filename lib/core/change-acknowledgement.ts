/**
 * Acknowledging a risky change for `npm run review`: the kinds of risk, and where an acknowledgement is carried
 * in the synthesized output. Both clouds write the same shape, so the review reads it without either library.
 */

/** A risk the review gates on: losing the data a resource holds, or widening who or what may reach it. */
export type ChangeRisk = 'data-loss' | 'security';

/** Every {@link ChangeRisk}, in the order the review lists them. */
export const CHANGE_RISKS: readonly ChangeRisk[] = ['data-loss', 'security'];

/** The shortest reason an acknowledgement of a change may give: it has to say why the change is safe. */
export const MIN_CHANGE_REASON = 10;

/**
 * Where an acknowledgement is carried: on AWS in the resource's template `Metadata` (or, for a resource the
 * change removes, in the template's `Metadata`), on Azure in the resource's `"//"` comment block (or the stack's).
 */
export const CHANGE_ACKNOWLEDGEMENT_KEY = 'platform:review';

/** One acknowledgement as the synthesized output carries it. */
export interface ChangeAcknowledgement {
  /** The risk that is accepted. */
  readonly risk: ChangeRisk;
  /** Why the change is safe or intended (at least {@link MIN_CHANGE_REASON} characters). */
  readonly reason: string;
  /**
   * The logical ID (AWS) or Terraform address (Azure) of a resource the change removes; absent when the
   * acknowledgement sits on the resource itself.
   */
  readonly resource?: string;
}

/**
 * Checks one acknowledgement before it is recorded; returns every problem (empty when it is valid).
 * `where` names the construct, for the messages.
 */
export function changeAcknowledgementProblems(where: string, risk: unknown, reason: unknown): string[] {
  const problems: string[] = [];
  if (!CHANGE_RISKS.includes(risk as ChangeRisk)) {
    problems.push(`${where}: risk ${JSON.stringify(risk)} - use one of ${CHANGE_RISKS.join(', ')}`);
  }
  if (typeof reason !== 'string' || reason.trim().length < MIN_CHANGE_REASON) {
    problems.push(
      `${where}: reason ${JSON.stringify(reason)} - at least ${MIN_CHANGE_REASON} characters saying why the change is safe or intended`,
    );
  }
  return problems;
}
