import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag/lib/nag-rules';
import { acceptedGrantsOf, grantFinding, grantsOf, policyDocumentsOf } from './wildcard-grant';

/**
 * Platform-WildcardGrantUnused (a warning): every pair accepted with `acknowledgeWildcardGrant` is granted by the
 * policy, so an acceptance left behind never accepts a grant someone adds later. One finding per unused pair, named like a Platform-WildcardGrant finding.
 */
export function wildcardGrantUnused(node: CfnResource): NagRuleResult {
  const documents = policyDocumentsOf(node);
  const accepted = acceptedGrantsOf(node);
  if (documents === undefined || accepted.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
  // IAM action names are case-insensitive, so a grant and its acceptance are compared in lower case.
  const granted = new Set(
    documents.flatMap(grantsOf).map((g) => grantFinding({ ...g, action: g.action.toLowerCase() })),
  );
  const unused = new Set<string>();
  for (const grant of accepted) {
    for (const action of (grant.actions ?? []).map(String)) {
      for (const resource of grant.resources ?? []) {
        if (!granted.has(grantFinding({ action: action.toLowerCase(), resource }))) {
          unused.add(grantFinding({ action, resource }));
        }
      }
    }
  }
  return unused.size > 0 ? [...unused] : NagRuleCompliance.COMPLIANT;
}
