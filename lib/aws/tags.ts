import { Aspects, CfnResource, TagManager, Tags, type IAspect } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Types left untagged: CloudFormation accepts tags on these only since 2025, and linters with older schemas
 * (cfn-lint 1.51) reject the template; each is found through the tagged resource it belongs to, or by name.
 */
export const UNTAGGED_TYPES: readonly string[] = [
  'AWS::ApplicationAutoScaling::ScalableTarget',
  'AWS::CloudWatch::Dashboard',
  'AWS::ElasticLoadBalancingV2::Listener',
  'AWS::SSM::Association',
];

/**
 * Resource types that take tags but can appear as plain CfnResources, which `Tags.of()` skips: the
 * singleton custom-resource providers of aws-cdk-lib (restricting the default security group, ...) are
 * built that way.
 */
const RAW_TAGGABLE_TYPES: ReadonlySet<string> = new Set(['AWS::IAM::Role', 'AWS::Lambda::Function']);

/**
 * Tags every taggable resource under a scope: `Tags.of(scope)` for the constructs that support it, and an
 * aspect for the plain CfnResources that `Tags.of()` cannot reach. The Azure side has a class of the same
 * name doing the same for azurerm resources.
 */
export class TagResources implements IAspect {
  private readonly tags: ReadonlyArray<{ Key: string; Value: string }>;

  private constructor(tags: Readonly<Record<string, string>>) {
    this.tags = Object.keys(tags)
      .sort()
      .map((Key) => ({ Key, Value: tags[Key]! }));
  }

  /** Tags every taggable resource under `scope` with `tags`. */
  public static applyTo(scope: IConstruct, tags: Readonly<Record<string, string>>): void {
    for (const [key, value] of Object.entries(tags)) {
      Tags.of(scope).add(key, value, { excludeResourceTypes: [...UNTAGGED_TYPES] });
    }
    Aspects.of(scope).add(new TagResources(tags));
  }

  /** Adds the tags to a plain CfnResource of a taggable type. */
  public visit(node: IConstruct): void {
    if (
      CfnResource.isCfnResource(node) &&
      !TagManager.isTaggable(node) &&
      RAW_TAGGABLE_TYPES.has(node.cfnResourceType)
    ) {
      node.addPropertyOverride('Tags', this.tags);
    }
  }
}
