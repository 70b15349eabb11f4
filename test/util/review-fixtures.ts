import type { ReportInput } from '../../lib/report/report';
import { environmentTokens } from '../../lib/review/between';
import type { EnvironmentReview, ResourceChange } from '../../lib/review/model';
import { loadEnvironments } from '../../stacks/environments';

/**
 * A resource change for a hand-made review: an in-place update of an EC2 instance with no risk, no property and no
 * note, unless the test says otherwise.
 */
export function resourceChange(fields: Partial<ResourceChange> & Pick<ResourceChange, 'stack' | 'id'>): ResourceChange {
  return {
    type: 'AWS::EC2::Instance',
    action: 'update',
    stateful: false,
    dataLoss: false,
    properties: [],
    security: [],
    acknowledged: false,
    acknowledgements: [],
    notes: [],
    ...fields,
  };
}

/** The review of dev on AWS with these changes and nothing else, unless the test says otherwise. */
export function environmentReview(
  changes: readonly ResourceChange[],
  fields: Partial<EnvironmentReview> = {},
): EnvironmentReview {
  return {
    environment: 'dev',
    cloud: 'aws',
    status: 'changed',
    stacks: [],
    changes,
    templateChanges: [],
    blockers: [],
    unusedAcknowledgements: [],
    ignored: [],
    ...fields,
  };
}

/** The example environments as the report takes them: in list order, with their tiers and tokens. */
export function reportEnvironments(): ReportInput['environments'] {
  return loadEnvironments().map((e) => ({ name: e.name, tier: e.tier, tokens: environmentTokens(e) }));
}
