import type * as cloudformationDiff from '@aws-cdk/cloudformation-diff';

/** The @aws-cdk/cloudformation-diff module, typed without loading it. */
export type CloudFormationDiff = typeof cloudformationDiff;

/** The library's diff of two templates. */
export type TemplateDiff = cloudformationDiff.TemplateDiff;

/** The library's difference of one resource. */
export type ResourceDifference = cloudformationDiff.ResourceDifference;

/** The library's verdict on a resource or property: `WILL_REPLACE`, `MAY_REPLACE`, ... */
export type Impact = `${cloudformationDiff.ResourceImpact}`;

/** One IAM statement as the library parses it (principals, actions and resources with intrinsics rendered). */
export type IamStatement = TemplateDiff['iamChanges']['statements']['additions'][number];

/** One managed policy attachment as the library parses it. */
export type ManagedPolicyAttachment = TemplateDiff['iamChanges']['managedPolicies']['additions'][number];

/** One security group rule as the library parses it. */
export type SecurityGroupRule = TemplateDiff['securityGroupChanges']['ingress']['additions'][number];

let loaded: CloudFormationDiff | undefined;

/**
 * Loads @aws-cdk/cloudformation-diff on first use: its first diff loads the CloudFormation resource database
 * (about 0.7 s), which a review of unchanged output never needs.
 */
export function cloudFormationDiff(): CloudFormationDiff {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily, see above
  loaded ??= require('@aws-cdk/cloudformation-diff') as CloudFormationDiff;
  return loaded;
}
