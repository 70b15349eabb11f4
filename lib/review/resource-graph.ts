import { exportsOf, importsOf, referencedIds } from './aws-references';
import { compare, constructPathOf, isObject, resourcesOf, type JsonObject } from './aws-template';
import { referencedAddresses } from './azure-paths';
import type { SynthesizedStack } from './outputs';

/**
 * How one resource refers to another: `ref` (AWS `Ref`, `Fn::GetAtt`, `Fn::Sub`), `import` (AWS `Fn::ImportValue`
 * of another stack's export), `interpolation` (Terraform `${type.name...}`), `depends-on` (AWS `DependsOn`,
 * Terraform `depends_on`).
 */
export type EdgeKind = 'ref' | 'import' | 'depends-on' | 'interpolation';

/** One resource of a synthesized environment, placed in the group and member its construct path names. */
export interface GraphResource {
  /** Unique in the environment: `<stack>/<logicalId>` (AWS) or `<stack>/<type>.<name>` (Azure). */
  readonly key: string;
  /** The CloudFormation or Terraform stack. */
  readonly stack: string;
  /** The logical ID (AWS) or Terraform address (Azure). */
  readonly id: string;
  /** The CloudFormation or azurerm resource type. */
  readonly type: string;
  /** The construct path, when the output records it. */
  readonly path?: string;
  /**
   * The construct group, kebab-case and the same on both clouds: `network`, `monitoring`, `servers`, `services`,
   * `jobs`, `checks`, `backup`, `audit-trail`, `kubernetes`, `prometheus` ...; `internal` for what aws-cdk-lib adds
   * on its own (custom resource providers).
   */
  readonly group: string;
  /** The member of the group (`web` of `servers/web`), when the construct path has one below the group. */
  readonly member?: string;
}

/** One reference between two resources of the environment. */
export interface GraphEdge {
  /** The key of the resource that refers. */
  readonly from: string;
  /** The key of the resource referred to. */
  readonly to: string;
  /** How. */
  readonly kind: EdgeKind;
}

/** Every resource of one environment on one cloud, and the references between them. */
export interface ResourceGraph {
  /** The environment name. */
  readonly environment: string;
  /** The cloud. */
  readonly cloud: 'aws' | 'azure';
  /** The resources, by key. */
  readonly resources: readonly GraphResource[];
  /** The references, sorted, without repeats; never a self-reference. */
  readonly edges: readonly GraphEdge[];
}

/** Group names that differ between the clouds (or name a part of a capability), mapped to the shared name. */
const GROUP_ALIASES: Readonly<Record<string, string>> = {
  cluster: 'kubernetes',
  'container-apps': 'containers',
  'api-check-artifacts': 'checks',
  'api-checks': 'checks',
  'image-pin-log-group': 'servers',
};

/** `AuditTrail` → `audit-trail`, `PlatformEnvironment` → `platform-environment`, `container-apps` unchanged. */
export function kebabCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();
}

/** The shared group name of a construct id directly below the stack (or the environment, on Azure). */
export function groupName(constructId: string): string {
  // aws-cdk-lib's own singletons: custom resource providers and the AwsCustomResource function.
  if (constructId.startsWith('Custom::') || /^AWS[0-9a-f]{32}$/.test(constructId)) return 'internal';
  const name = kebabCase(constructId);
  return GROUP_ALIASES[name] ?? name;
}

/** Group and member from the parts of a construct path below the stack (AWS) or environment (Azure). */
function place(parts: readonly string[]): { group: string; member?: string } {
  const [group, member] = parts;
  if (group === undefined) return { group: 'other' };
  // A member is a construct below the group that is not the group's own resource.
  const named = member !== undefined && member !== 'Resource' && parts.length > 1 ? member : undefined;
  return named === undefined ? { group: groupName(group) } : { group: groupName(group), member: named };
}

/**
 * The resources of one environment on one cloud and the references between them, read from the synthesized output:
 * AWS `Ref`, `Fn::GetAtt`, `Fn::Sub` placeholders, `DependsOn` and `Fn::ImportValue` (resolved through the exports of
 * the environment's stacks to the resource the export refers to); Terraform `${...}` traversals of known addresses
 * (`data.`, `var.` and `local.` are not resources) and `depends_on`.
 */
export function resourceGraph(
  stacks: readonly SynthesizedStack[],
  environment: string,
  cloud: 'aws' | 'azure',
): ResourceGraph {
  const mine = stacks.filter((s) => s.cloud === cloud && s.environment === environment);
  const { resources, edges } = cloud === 'aws' ? awsGraph(mine) : azureGraph(mine);
  const unique = new Map<string, GraphEdge>();
  for (const edge of edges) {
    if (edge.from === edge.to) continue;
    const id = `${edge.from}\u0000${edge.to}\u0000${edge.kind}`;
    if (!unique.has(id)) unique.set(id, edge);
  }
  return {
    environment,
    cloud,
    resources: [...resources].sort((a, b) => compare(a.key, b.key)),
    edges: [...unique.values()].sort(
      (a, b) => compare(a.from, b.from) || compare(a.to, b.to) || compare(a.kind, b.kind),
    ),
  };
}

function awsGraph(stacks: readonly SynthesizedStack[]): { resources: GraphResource[]; edges: GraphEdge[] } {
  const resources: GraphResource[] = [];
  const edges: GraphEdge[] = [];
  // Exports are global to an account and region: every stack of the environment may import any of them.
  const exported = new Map<string, string[]>();
  for (const stack of stacks) {
    const template = stack.json as JsonObject;
    for (const [name, entry] of exportsOf(template)) {
      const ids = referencedIds(entry.value).filter((id) => id in resourcesOf(template));
      exported.set(
        name,
        ids.map((id) => `${stack.stack}/${id}`),
      );
    }
  }
  for (const stack of stacks) {
    const all = resourcesOf(stack.json as JsonObject);
    for (const id of Object.keys(all)) {
      const resource = all[id] as JsonObject;
      const key = `${stack.stack}/${id}`;
      const path = constructPathOf(resource);
      // stage/stack/Group/Member/... (an environment's stacks are in a Stage), or stack/Construct/Group/... (the
      // delivery pipeline's stack, whose one construct holds everything).
      const parts = path?.split('/') ?? [];
      const placed = place(parts.length > 3 ? parts.slice(2) : parts.slice(1));
      resources.push({
        key,
        stack: stack.stack,
        id,
        type: String(resource.Type),
        ...(path ? { path } : {}),
        ...placed,
      });
      for (const target of referencedIds(resource.Properties)) {
        if (target in all) edges.push({ from: key, to: `${stack.stack}/${target}`, kind: 'ref' });
      }
      const dependsOn = resource.DependsOn;
      for (const target of Array.isArray(dependsOn) ? dependsOn : [dependsOn]) {
        if (typeof target === 'string' && target in all)
          edges.push({ from: key, to: `${stack.stack}/${target}`, kind: 'depends-on' });
      }
      for (const name of importsOf(isObject(resource.Properties) ? resource.Properties : undefined)) {
        for (const target of exported.get(name) ?? []) edges.push({ from: key, to: target, kind: 'import' });
      }
    }
  }
  return { resources, edges };
}

function azureGraph(stacks: readonly SynthesizedStack[]): { resources: GraphResource[]; edges: GraphEdge[] } {
  const resources: GraphResource[] = [];
  const edges: GraphEdge[] = [];
  for (const stack of stacks) {
    const byType = isObject(stack.json.resource) ? stack.json.resource : {};
    const known = new Set<string>();
    for (const [type, entries] of Object.entries(byType)) {
      if (isObject(entries)) for (const name of Object.keys(entries)) known.add(`${type}.${name}`);
    }
    for (const [type, entries] of Object.entries(byType)) {
      if (!isObject(entries)) continue;
      for (const [name, body] of Object.entries(entries)) {
        if (!isObject(body)) continue;
        const address = `${type}.${name}`;
        const key = `${stack.stack}/${address}`;
        const meta = isObject(body['//']) && isObject(body['//'].metadata) ? body['//'].metadata : {};
        const path = typeof meta.path === 'string' ? meta.path : undefined;
        // env/group/member/...
        const placed = place(path?.split('/').slice(1) ?? []);
        resources.push({ key, stack: stack.stack, id: address, type, ...(path ? { path } : {}), ...placed });
        for (const target of addressesIn(body, address)) {
          if (known.has(target)) edges.push({ from: key, to: `${stack.stack}/${target}`, kind: 'interpolation' });
        }
        const dependsOn = Array.isArray(body.depends_on) ? body.depends_on : [];
        for (const target of dependsOn) {
          if (typeof target === 'string' && known.has(target))
            edges.push({ from: key, to: `${stack.stack}/${target}`, kind: 'depends-on' });
        }
      }
    }
  }
  return { resources, edges };
}

/** The addresses a Terraform resource body interpolates (not its `//` metadata, not `depends_on`). */
function addressesIn(body: JsonObject, self: string): string[] {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      if (value.includes('${')) for (const address of referencedAddresses(value)) found.add(address);
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (isObject(value)) Object.values(value).forEach(visit);
  };
  for (const [key, value] of Object.entries(body)) if (key !== '//' && key !== 'depends_on') visit(value);
  found.delete(self);
  return [...found];
}
