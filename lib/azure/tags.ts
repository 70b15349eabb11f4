import { Aspects, TerraformResource, type IAspect } from 'cdktf';
import type { IConstruct } from 'constructs';

/** A provider resource that takes tags (most azurerm resources; not subnets, rules or associations). */
interface Taggable {
  tags: Record<string, string>;
  readonly tagsInput?: Record<string, string>;
}

function isTaggable(node: IConstruct): node is IConstruct & Taggable {
  return TerraformResource.isTerraformResource(node) && 'tagsInput' in node;
}

/**
 * Adds tags to every taggable resource under a scope, the way `Tags.of(scope).add()` does in aws-cdk-lib.
 * Tags a resource sets itself win over these; keys are sorted so the output does not depend on order.
 */
export class TagResources implements IAspect {
  constructor(private readonly tags: Readonly<Record<string, string>>) {}

  /** Applies the tags to one node, if it takes tags. */
  public visit(node: IConstruct): void {
    if (!isTaggable(node)) return;
    const merged: Record<string, string> = { ...this.tags, ...(node.tagsInput ?? {}) };
    node.tags = Object.fromEntries(
      Object.keys(merged)
        .sort()
        .map((k) => [k, merged[k]!]),
    );
  }

  /** Tags every taggable resource under `scope`. */
  public static applyTo(scope: IConstruct, tags: Readonly<Record<string, string>>): void {
    Aspects.of(scope).add(new TagResources(tags));
  }
}
