import { CfnResource, Stack } from 'aws-cdk-lib';

/**
 * Whether a resource is an L1 of a type with the property the rule reads: the L1 classes of aws-eks, aws-eks-v2
 * and aws-aps (the two EKS modules have different classes of the same type, so `instanceof` would miss one). A raw
 * `CfnResource` of the type has no such property and is not read, as cdk-nag's own rules do not read it.
 */
export function isL1Of(node: CfnResource, type: string, property: string): boolean {
  return node.cfnResourceType === type && property in node;
}

/** The parts of an EC2 launch template's data the node group rules read. */
export interface LaunchTemplateData {
  readonly metadataOptions?: { readonly httpTokens?: unknown };
  readonly blockDeviceMappings?: ReadonlyArray<{
    readonly ebs?: { readonly encrypted?: unknown };
    readonly noDevice?: unknown;
    readonly virtualName?: unknown;
  }>;
}

/**
 * The launch template data of an EKS managed node group, when its launch template is defined in the same stack
 * (referenced by `Ref`): undefined when the node group has none (EKS's default template, which the rules cannot
 * see) or names one they cannot read. Reads any class of `AWS::EKS::Nodegroup` (aws-eks and aws-eks-v2 differ).
 */
export function nodeGroupLaunchTemplateData(node: CfnResource): LaunchTemplateData | undefined {
  const stack = Stack.of(node);
  const template = stack.resolve((node as unknown as { launchTemplate?: unknown }).launchTemplate) as
    { id?: unknown; name?: unknown } | undefined;
  const ref = (template?.id as { Ref?: unknown } | undefined)?.Ref;
  if (typeof ref !== 'string') return undefined;
  const found = stack.node.findAll().find(
    (c): c is CfnResource =>
      CfnResource.isCfnResource(c) &&
      c.cfnResourceType === 'AWS::EC2::LaunchTemplate' &&
      // The logical ID as written (an override, as CfnInclude sets when npm run check reads a template back).
      stack.resolve(c.logicalId) === ref,
  );
  if (!found) return undefined;
  return (stack.resolve((found as unknown as { launchTemplateData?: unknown }).launchTemplateData) ??
    {}) as LaunchTemplateData;
}
