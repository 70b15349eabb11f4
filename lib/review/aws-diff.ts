import { isDeepStrictEqual } from 'node:util';
import { AWS_STATEFUL_TYPES } from '../core/stateful';
import { applyRenames, assetRenames } from './aws-assets';
import {
  cloudFormationDiff,
  type CloudFormationDiff,
  type Impact,
  type ResourceDifference,
  type TemplateDiff,
} from './aws-library';
import { dependsOn, exportsOf, importsOf, referencedIds, stringsIn, withImportMarkers } from './aws-references';
import { listOf, securityChangesOf } from './aws-security';
import {
  acknowledgementIndex,
  compare,
  constructPathOf,
  isObject,
  normalizeTemplate,
  resourcesOf,
  sortedKeys,
  templateProblems,
  type CfnResource,
  type JsonObject,
} from './aws-template';
import { describeKept, describeLoss, describeRetainedReplacement } from './consequences';
import type {
  Blocker,
  ChangeAction,
  DiffOptions,
  DraftChange,
  EnvironmentDiff,
  PresenceStatus,
  PropertyChange,
  Replacement,
  StackStatus,
  TemplateChange,
} from './model';
import type { SynthesizedStack } from './outputs';

const ACTIONS: Readonly<Record<Impact, ChangeAction | undefined>> = {
  WILL_CREATE: 'create',
  WILL_IMPORT: 'create',
  WILL_UPDATE: 'update',
  WILL_REPLACE: 'replace',
  MAY_REPLACE: 'may-replace',
  WILL_DESTROY: 'destroy',
  WILL_ORPHAN: 'orphan',
  NO_CHANGE: undefined,
};

const REPLACEMENT: Readonly<Partial<Record<Impact, Replacement>>> = {
  WILL_REPLACE: 'always',
  MAY_REPLACE: 'maybe',
};

/** The template sections outside `Resources` whose entries the review lists. */
const TEMPLATE_SECTIONS = ['Outputs', 'Parameters', 'Conditions', 'Mappings', 'Rules'] as const;

/** The property that holds a stateful resource's physical name, when the template sets one. */
const NAME_PROPERTIES: Readonly<Record<string, string>> = {
  'AWS::Backup::BackupVault': 'BackupVaultName',
  'AWS::Cognito::UserPool': 'UserPoolName',
  'AWS::DocDB::DBCluster': 'DBClusterIdentifier',
  'AWS::DynamoDB::GlobalTable': 'TableName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::ECR::Repository': 'RepositoryName',
  'AWS::EKS::Cluster': 'Name',
  'AWS::ElastiCache::ReplicationGroup': 'ReplicationGroupId',
  'AWS::Kinesis::Stream': 'Name',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::Neptune::DBCluster': 'DBClusterIdentifier',
  'AWS::OpenSearchService::Domain': 'DomainName',
  'AWS::RDS::DBCluster': 'DBClusterIdentifier',
  'AWS::RDS::DBInstance': 'DBInstanceIdentifier',
  'AWS::Redshift::Cluster': 'ClusterIdentifier',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::SQS::Queue': 'QueueName',
};

/** The tag list whose `Name` tag names a stateful resource that has no name property (EC2, EFS, FSx). */
const NAME_TAGS: Readonly<Record<string, string>> = {
  'AWS::EC2::Instance': 'Tags',
  'AWS::EC2::Volume': 'Tags',
  'AWS::EFS::FileSystem': 'FileSystemTags',
  'AWS::FSx::FileSystem': 'Tags',
};

/** One stack on both sides: the synthesized stacks and their normalized templates. */
interface StackSides {
  readonly name: string;
  readonly base?: SynthesizedStack;
  readonly head?: SynthesizedStack;
  readonly baseTemplate?: JsonObject;
  readonly headTemplate?: JsonObject;
}

/** An export whose value changes in the head. */
interface ChangedExport {
  /** The exporting stack. */
  readonly exporter: string;
  /** Why its value changes, in words. */
  readonly why: string;
  /** The resources whose replacement changes it (empty when its expression changed). */
  readonly replaced: readonly string[];
}

/** One stack's diff, with the imports it was run with marked as changing. */
interface StackDiff {
  /** The marked import names, one per line: the diff is run again only when they change. */
  readonly key: string;
  /** The head template with changing imports marked (undefined for a removed stack). */
  readonly marked?: JsonObject;
  /** Marker string to the import it stands for. */
  readonly markers: ReadonlyMap<string, { readonly name: string; readonly exporter: string }>;
  /** The library's diff of the base template and the marked head template. */
  readonly diff: TemplateDiff;
}

/**
 * Reviews what deploying one environment's head CloudFormation templates over its base ones does: every resource
 * created, updated, replaced or destroyed, with data loss, security-broadening verdicts and the cross-stack export
 * changes CloudFormation would refuse. Build noise is dropped first, and @aws-cdk/cloudformation-diff is loaded
 * only when some template really differs.
 */
export function diffAwsEnvironment(
  environment: string,
  base: readonly SynthesizedStack[],
  head: readonly SynthesizedStack[],
  options: DiffOptions,
): EnvironmentDiff {
  const problems = [...sideProblems(base, 'base'), ...sideProblems(head, 'head')];
  if (problems.length > 0) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    throw new Error(`The AWS output of ${environment} cannot be reviewed (${count}):\n  - ${problems.join('\n  - ')}`);
  }
  const renames = assetRenames(base, head);
  const stacks = new Map<string, StackSides>();
  const side = (name: string): StackSides => stacks.get(name) ?? { name };
  for (const stack of base) {
    const template = normalizeTemplate(stack.json);
    applyRenames(template, renames);
    stacks.set(stack.stack, { ...side(stack.stack), base: stack, baseTemplate: template });
  }
  for (const stack of head) {
    stacks.set(stack.stack, { ...side(stack.stack), head: stack, headTemplate: normalizeTemplate(stack.json) });
  }
  const names = [...stacks.keys()].sort(compare);
  const sides = names.map((n) => stacks.get(n)!);
  const textChanged = new Set(
    sides
      .filter((s) => !s.baseTemplate || !s.headTemplate || !isDeepStrictEqual(s.baseTemplate, s.headTemplate))
      .map((s) => s.name),
  );
  const acknowledgements = {
    headAcknowledgements: acknowledgementIndex(head),
    baseAcknowledgements: acknowledgementIndex(base),
  };
  if (textChanged.size === 0) {
    return {
      stacks: names.map((stack) => ({ stack, status: 'unchanged' })),
      changes: [],
      templateChanges: [],
      blockers: [],
      ignored: [],
      ...acknowledgements,
    };
  }

  const library = cloudFormationDiff();
  const { diffs, changedExports } = diffToFixpoint(library, sides, textChanged);
  const changes: DraftChange[] = [];
  const blockers: Blocker[] = [];
  const statuses: StackStatus[] = [];
  for (const s of sides) {
    const stackDiff = diffs.get(s.name);
    const stackChanges = stackDiff ? stackChangesOf(library, environment, s, stackDiff, options, blockers) : [];
    changes.push(...stackChanges);
    statuses.push({ stack: s.name, status: statusOf(s, stackDiff, stackChanges.length > 0) });
  }
  blockers.push(...exportBlockers(sides, changedExports));
  return {
    stacks: statuses,
    changes,
    templateChanges: sides.filter((s) => textChanged.has(s.name)).flatMap((s) => templateChangesOf(library, s)),
    blockers: blockers.sort(
      (a, b) => compare(a.stack, b.stack) || compare(a.id ?? '', b.id ?? '') || compare(a.message, b.message),
    ),
    ignored: [],
    ...acknowledgements,
  };
}

/** Malformed templates and stack names used twice on one side. */
function sideProblems(stacks: readonly SynthesizedStack[], label: 'base' | 'head'): string[] {
  const problems = stacks.flatMap(templateProblems);
  const files = new Map<string, string[]>();
  for (const s of stacks) files.set(s.stack, [...(files.get(s.stack) ?? []), s.file]);
  for (const [stack, list] of [...files].sort(([a], [b]) => compare(a, b))) {
    if (list.length > 1) problems.push(`${label}: ${list.length} stacks are named ${stack} (${list.join(', ')})`);
  }
  return problems;
}

/** The marker that stands for an import whose value changes: a string no template holds. */
function markerOf(name: string): string {
  return `{{platform:review import ${name} changes}}`;
}

/**
 * Diffs every changed stack, then marks the imports of every export whose value changes and diffs the importing
 * stacks again, until no further export changes: an importer's replaced resources can change its own exports.
 */
function diffToFixpoint(
  library: CloudFormationDiff,
  sides: readonly StackSides[],
  textChanged: ReadonlySet<string>,
): { diffs: Map<string, StackDiff>; changedExports: Map<string, ChangedExport> } {
  const diffs = new Map<string, StackDiff>();
  const changedExports = new Map<string, ChangedExport>();
  for (;;) {
    for (const s of sides) {
      const marked = new Map<string, { name: string; exporter: string }>();
      if (s.baseTemplate && s.headTemplate) {
        for (const name of [...importsOf(s.headTemplate)].sort(compare)) {
          const changed = changedExports.get(name);
          if (changed && changed.exporter !== s.name) marked.set(markerOf(name), { name, exporter: changed.exporter });
        }
      }
      if (!textChanged.has(s.name) && marked.size === 0) continue;
      const key = [...marked.values()].map((m) => m.name).join('\n');
      if (diffs.has(s.name) && diffs.get(s.name)!.key === key) continue;
      const markedTemplate =
        s.headTemplate && marked.size > 0
          ? withImportMarkers(s.headTemplate, new Map([...marked].map(([marker, m]) => [m.name, marker])))
          : s.headTemplate;
      const diff = guarded(s, 'compare the templates', () =>
        library.fullDiff(s.baseTemplate ?? {}, markedTemplate ?? {}),
      );
      diffs.set(s.name, { key, ...(markedTemplate && { marked: markedTemplate }), markers: marked, diff });
    }
    let grew = false;
    for (const s of sides) {
      const stackDiff = diffs.get(s.name);
      if (!stackDiff?.marked || !s.baseTemplate) continue;
      const before = exportsOf(s.baseTemplate);
      for (const exported of exportsOf(stackDiff.marked).values()) {
        const old = before.get(exported.name);
        if (!old || changedExports.has(exported.name)) continue;
        const change = exportValueChange(library, old.value, exported.value, stackDiff);
        if (change) {
          changedExports.set(exported.name, { exporter: s.name, ...change });
          grew = true;
        }
      }
    }
    if (!grew) return { diffs, changedExports };
  }
}

/**
 * Why an export's value changes: its `Value` expression changed (or passes on an import that changes), or it
 * references a resource that is replaced, whose new physical ID or attributes differ.
 */
function exportValueChange(
  library: CloudFormationDiff,
  before: unknown,
  after: unknown,
  stackDiff: StackDiff,
): Omit<ChangedExport, 'exporter'> | undefined {
  if (!library.deepEqual(before, after)) {
    const passed = [...new Set(stringsIn(after).flatMap((s) => stackDiff.markers.get(s)?.name ?? []))];
    const why =
      passed.length > 0
        ? `it passes on ${listOf(passed)}, whose value changes`
        : `its Value changes from ${JSON.stringify(before)} to ${JSON.stringify(after)}`;
    return { why, replaced: [] };
  }
  const replaced = referencedIds(after).filter((id) => {
    const impact = stackDiff.diff.resources.changes[id]?.changeImpact;
    return impact !== undefined && REPLACEMENT[impact] !== undefined;
  });
  if (replaced.length === 0) return undefined;
  const certain = replaced.every((id) => stackDiff.diff.resources.changes[id]?.changeImpact === 'WILL_REPLACE');
  const verb = certain ? (replaced.length === 1 ? 'is replaced' : 'are replaced') : 'may be replaced';
  return { why: `it references ${listOf(replaced)}, which ${verb}`, replaced };
}

/** Runs the diff library, turning its failures on a malformed template into an error that names the stack. */
function guarded<T>(s: StackSides, what: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    const files = [...new Set([s.base?.file, s.head?.file].filter((f): f is string => f !== undefined))].join(', ');
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(
      `${s.name} (${files}): @aws-cdk/cloudformation-diff could not ${what} (${message}); is the template valid CloudFormation?`,
    );
  }
}

function statusOf(s: StackSides, stackDiff: StackDiff | undefined, hasChanges: boolean): PresenceStatus {
  if (!s.base) return 'added';
  if (!s.head) return 'removed';
  return hasChanges || (stackDiff !== undefined && stackDiff.diff.differenceCount > 0) ? 'changed' : 'unchanged';
}

/**
 * Properties inside a property that CloudFormation updates in place whose own change replaces the resource, which
 * the bundled specification marks at the outer property only (from the CloudFormation resource reference): an EKS
 * cluster is replaced when its subnets, security groups, encryption, service network or creator bootstrap change,
 * though its version and endpoint access update in place.
 */
const NESTED_REPLACEMENT: Readonly<Record<string, readonly string[]>> = {
  'AWS::EKS::Cluster': [
    'ResourcesVpcConfig.SubnetIds',
    'ResourcesVpcConfig.SecurityGroupIds',
    'EncryptionConfig',
    'KubernetesNetworkConfig',
    'AccessConfig.BootstrapClusterCreatorAdminPermissions',
    'BootstrapSelfManagedAddons',
  ],
};

/** Whether a change inside a property replaces the resource (NESTED_REPLACEMENT). */
function replacedByNestedChange(type: string, before: unknown, after: unknown): boolean {
  const at = (resource: unknown, path: string): string =>
    JSON.stringify(
      path
        .split('.')
        .reduce<unknown>(
          (value, key) => (value as Record<string, unknown> | undefined)?.[key],
          (resource as { Properties?: unknown } | undefined)?.Properties,
        ) ?? null,
    );
  return (NESTED_REPLACEMENT[type] ?? []).some((path) => at(before, path) !== at(after, path));
}

/** The resource changes of one stack, sorted by logical ID; adds a blocker for each custom-named replacement. */
function stackChangesOf(
  library: CloudFormationDiff,
  environment: string,
  s: StackSides,
  stackDiff: StackDiff,
  options: DiffOptions,
  blockers: Blocker[],
): DraftChange[] {
  const resourceDiffs = stackDiff.diff.resources.changes;
  const ids = sortedKeys(resourceDiffs);
  const actions = new Map<string, ChangeAction>();
  const baseResources = resourcesOf(s.baseTemplate);
  const headResources = resourcesOf(s.headTemplate);
  for (const id of ids) {
    const difference = resourceDiffs[id]!;
    let action = ACTIONS[difference.changeImpact];
    const type = difference.newResourceType ?? difference.oldResourceType;
    if (action === 'update' && type && replacedByNestedChange(type, baseResources[id], headResources[id])) {
      action = 'replace';
    }
    if (action) actions.set(id, action);
  }
  const scope = {
    library,
    base: baseResources,
    head: headResources,
    created: new Set([...actions].filter(([, a]) => a === 'create').map(([id]) => id)),
    stackStatementAdditions: stackDiff.diff.iamChanges.statements.additions,
  };
  const changes: DraftChange[] = [];
  for (const [id, action] of actions) {
    const difference = resourceDiffs[id]!;
    const before = baseResources[id];
    const after = headResources[id];
    const oldType = difference.oldResourceType;
    const type = difference.newResourceType ?? oldType ?? 'unknown';
    const lost = lossOf(environment, s, id, action, oldType ?? type, before, after);
    const notes = notesOf(s, action, before, after);
    const customName = customNameConflict(action, before, after);
    if (customName) {
      blockers.push({
        stack: s.name,
        id,
        message: `${id} (${type}) is replaced, but its ${customName.property} is set to ${customName.name}: CloudFormation cannot replace a resource with a custom name and fails with "CloudFormation cannot update a stack when a custom-named resource requires replacing". Give it a new name, or remove the name so CloudFormation generates one.`,
      });
    }
    const path = constructPathOf(resourcesOf(s.head?.json)[id]) ?? constructPathOf(resourcesOf(s.base?.json)[id]);
    changes.push({
      stack: s.name,
      id,
      type,
      ...(path !== undefined && { path }),
      action,
      stateful: AWS_STATEFUL_TYPES.has(type) || (oldType !== undefined && AWS_STATEFUL_TYPES.has(oldType)),
      dataLoss: lost.dataLoss,
      ...(lost.consequence !== undefined && { consequence: lost.consequence }),
      properties:
        action === 'update' || action === 'replace' || action === 'may-replace'
          ? propertyChangesOf(library, difference, before, after, resourcesOf(stackDiff.marked)[id], stackDiff, actions)
          : [],
      security: options.newEnvironment
        ? []
        : guarded(s, `read the access ${id} grants`, () => securityChangesOf(scope, id, action)),
      notes,
    });
  }
  return changes;
}

/** What a change loses or keeps of a stateful resource, with the resource's physical name when it has one. */
function lossOf(
  environment: string,
  s: StackSides,
  id: string,
  action: ChangeAction,
  lostType: string,
  before: CfnResource | undefined,
  after: CfnResource | undefined,
): { dataLoss: boolean; consequence?: string } {
  if (!AWS_STATEFUL_TYPES.has(lostType) || action === 'create' || action === 'update') return { dataLoss: false };
  const name = physicalNameOf(lostType, before) ?? shortPath(s.name, constructPathOf(resourcesOf(s.base?.json)[id]));
  if (action === 'orphan') return { dataLoss: false, consequence: describeKept(lostType, name, id, environment) };
  if (action === 'destroy')
    return { dataLoss: true, consequence: describeLoss(lostType, name, id, environment, 'destroy') };
  const retained = (after?.UpdateReplacePolicy ?? before?.UpdateReplacePolicy) === 'Retain';
  return {
    dataLoss: true,
    consequence: retained
      ? describeRetainedReplacement(lostType, name, id, environment)
      : describeLoss(lostType, name, id, environment, action),
  };
}

/** A resource's physical name when a literal string property (or a literal `Name` tag) sets it. */
function physicalNameOf(type: string, resource: CfnResource | undefined): string | undefined {
  const properties = resource?.Properties ?? {};
  const property = NAME_PROPERTIES[type];
  if (property !== undefined) {
    const name = properties[property];
    return typeof name === 'string' && name !== '' ? name : undefined;
  }
  const tagsKey = NAME_TAGS[type];
  const tags = tagsKey === undefined ? undefined : properties[tagsKey];
  if (!Array.isArray(tags)) return undefined;
  const tag = tags.find((t): t is JsonObject => isObject(t) && t.Key === 'Name');
  return typeof tag?.Value === 'string' && tag.Value !== '' ? tag.Value : undefined;
}

/**
 * The construct path below the stack, without the L1 child's own id: `platform-dev/compute/Servers/web/Instance1/
 * Resource` in stack platform-dev-compute reads `Servers/web/Instance1`.
 */
function shortPath(stack: string, path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  const parts = path.split('/');
  let skip = 1;
  for (let k = 1; k < parts.length; k++) {
    if (parts.slice(0, k).join('-') === stack) {
      skip = k;
      break;
    }
  }
  let rest = parts.slice(skip);
  if (rest.length > 1 && (rest[rest.length - 1] === 'Resource' || rest[rest.length - 1] === 'Default'))
    rest = rest.slice(0, -1);
  return rest.length > 0 ? rest.join('/') : undefined;
}

/** A replacement CloudFormation refuses: the resource keeps the same literal custom name. */
function customNameConflict(
  action: ChangeAction,
  before: CfnResource | undefined,
  after: CfnResource | undefined,
): { property: string; name: string } | undefined {
  if (action !== 'replace' || !before || !after || before.Type !== after.Type) return undefined;
  const property = NAME_PROPERTIES[after.Type];
  if (property === undefined) return undefined;
  const name = after.Properties?.[property];
  return typeof name === 'string' && name === before.Properties?.[property] ? { property, name } : undefined;
}

/** Facts a reviewer needs beyond the action: a removed stack is not deleted by a deployment; snapshots. */
function notesOf(
  s: StackSides,
  action: ChangeAction,
  before: CfnResource | undefined,
  after: CfnResource | undefined,
): string[] {
  const notes: string[] = [];
  if (!s.head) {
    notes.push(
      `${s.name} is no longer in the app, and cdk deploy does not delete a stack that leaves the app: this happens only when someone deletes the stack (cdk destroy ${s.name}, or the CloudFormation console).`,
    );
    if (s.base?.terminationProtection) {
      notes.push(
        `${s.name} has termination protection: deleting it is refused until someone turns the protection off.`,
      );
    }
  }
  if (action === 'destroy' && before?.DeletionPolicy === 'Snapshot') {
    notes.push('DeletionPolicy is Snapshot: CloudFormation takes a final snapshot before it deletes the resource.');
  }
  if (
    (action === 'replace' || action === 'may-replace') &&
    (after?.UpdateReplacePolicy ?? before?.UpdateReplacePolicy) === 'Snapshot'
  ) {
    notes.push(
      'UpdateReplacePolicy is Snapshot: CloudFormation takes a snapshot of the old resource before it deletes it.',
    );
  }
  return notes;
}

/**
 * The changed properties of a resource, sorted by path: the library's property updates with their replacement
 * impact, and its other changes (DeletionPolicy, DependsOn, Metadata ...) which never replace. A property whose
 * text did not change says why it changes anyway: an import whose value changes, or a replaced resource it
 * references.
 */
function propertyChangesOf(
  library: CloudFormationDiff,
  difference: ResourceDifference,
  before: CfnResource | undefined,
  after: CfnResource | undefined,
  marked: CfnResource | undefined,
  stackDiff: StackDiff,
  actions: ReadonlyMap<string, ChangeAction>,
): PropertyChange[] {
  const found: PropertyChange[] = [];
  const entry = (
    path: string,
    replacement: Replacement,
    old: unknown,
    now: unknown,
    cause?: string,
  ): PropertyChange => ({
    path,
    replacement,
    ...(old !== undefined && { before: old }),
    ...(now !== undefined && { after: now }),
    ...(cause !== undefined && { cause }),
  });
  if (difference.resourceTypeChanged) {
    found.push(entry('Type', 'always', difference.oldResourceType, difference.newResourceType));
  }
  for (const [path, update] of Object.entries(difference.propertyUpdates)) {
    const old = before?.Properties?.[path];
    const now = after?.Properties?.[path];
    const replacement = (update.changeImpact && REPLACEMENT[update.changeImpact]) ?? 'never';
    const imports = [
      ...new Map(
        stringsIn(marked?.Properties?.[path]).flatMap((s) => {
          const m = stackDiff.markers.get(s);
          return m ? [[m.name, m] as const] : [];
        }),
      ).values(),
    ];
    let cause: string | undefined;
    if (imports.length > 0) {
      cause = imports.map((m) => `imports ${m.name} from ${m.exporter}, whose value changes`).join('; ');
    } else if (library.deepEqual(old, now)) {
      const replaced = referencedIds(now).filter((id) => actions.get(id) === 'replace');
      if (replaced.length > 0)
        cause = `references ${listOf(replaced)}, which ${replaced.length === 1 ? 'is' : 'are'} replaced`;
    }
    found.push(entry(path, replacement, old, now, cause));
  }
  for (const [path, other] of Object.entries(difference.otherChanges)) {
    found.push(entry(path, 'never', other.oldValue, other.newValue));
  }
  return found.sort((a, b) => compare(a.path, b.path));
}

/** The outputs, parameters, conditions, mappings and rules that are added, removed or changed. */
function templateChangesOf(library: CloudFormationDiff, s: StackSides): TemplateChange[] {
  const changes: TemplateChange[] = [];
  for (const section of TEMPLATE_SECTIONS) {
    const before = isObject(s.baseTemplate?.[section]) ? (s.baseTemplate[section] as JsonObject) : {};
    const after = isObject(s.headTemplate?.[section]) ? (s.headTemplate[section] as JsonObject) : {};
    for (const id of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort(compare)) {
      const action = !(id in before)
        ? 'create'
        : !(id in after)
          ? 'destroy'
          : library.deepEqual(before[id], after[id])
            ? undefined
            : 'update';
      if (action) changes.push({ stack: s.name, section, id, action });
    }
  }
  return changes;
}

/** How a deployed stack that imports an export stands in the way of changing or removing it. */
type Holder =
  | { readonly stack: string; readonly kind: 'imports' }
  | { readonly stack: string; readonly kind: 'order'; readonly after: boolean }
  | { readonly stack: string; readonly kind: 'left-app' };

/**
 * The exports CloudFormation refuses to change or delete: a deployed stack imports them and still will when the
 * exporter deploys (it still imports them, deploys after the exporter, or has left the app but stays deployed).
 * Also a head stack that imports an export the environment no longer has.
 */
function exportBlockers(sides: readonly StackSides[], changedExports: ReadonlyMap<string, ChangedExport>): Blocker[] {
  const baseImports = new Map(sides.filter((s) => s.baseTemplate).map((s) => [s.name, importsOf(s.baseTemplate)]));
  const headImports = new Map(sides.filter((s) => s.headTemplate).map((s) => [s.name, importsOf(s.headTemplate)]));
  const headExporters = new Map<string, string>();
  for (const s of sides) for (const name of exportsOf(s.headTemplate).keys()) headExporters.set(name, s.name);
  const blockers: Blocker[] = [];
  for (const exporter of sides) {
    // A stack that leaves the app stays deployed with its exports: nothing changes for its importers.
    if (!exporter.baseTemplate || !exporter.headTemplate) continue;
    const now = exportsOf(exporter.headTemplate);
    for (const name of exportsOf(exporter.baseTemplate).keys()) {
      const changed = changedExports.get(name);
      const state = !now.has(name) ? 'removed' : changed?.exporter === exporter.name ? 'changed' : undefined;
      if (state === undefined) continue;
      const holders: Holder[] = [];
      for (const s of sides) {
        if (s.name === exporter.name || !baseImports.get(s.name)?.has(name)) continue;
        if (!s.headTemplate) holders.push({ stack: s.name, kind: 'left-app' });
        else if (headImports.get(s.name)?.has(name)) holders.push({ stack: s.name, kind: 'imports' });
        else if (!dependsOn(exporter.name, s.name, headImports, headExporters)) {
          holders.push({
            stack: s.name,
            kind: 'order',
            after: dependsOn(s.name, exporter.name, headImports, headExporters),
          });
        }
      }
      if (holders.length > 0)
        blockers.push({
          stack: exporter.name,
          id: name,
          message: exportMessage(exporter.name, name, state, changed, holders),
        });
      if (state !== 'removed' || headExporters.has(name)) continue;
      for (const s of sides) {
        if (s.name === exporter.name || !headImports.get(s.name)?.has(name) || baseImports.get(s.name)?.has(name))
          continue;
        blockers.push({
          stack: s.name,
          id: name,
          message: `${s.name} imports ${name}, which ${exporter.name} no longer exports: its deployment fails with "No export named ${name} found". Import a value that is still exported, or keep the export.`,
        });
      }
    }
  }
  return blockers;
}

function exportMessage(
  exporter: string,
  name: string,
  state: 'changed' | 'removed',
  changed: ChangedExport | undefined,
  holders: readonly Holder[],
): string {
  const first = holders[0]!.stack;
  const situation = holders
    .map((h) =>
      h.kind === 'imports'
        ? `${h.stack} still imports it`
        : h.kind === 'left-app'
          ? `${h.stack}, which has left the app, is still deployed and imports it`
          : `${h.stack}, as deployed, imports it and ${h.after ? `deploys after ${exporter} (it imports other values from it)` : `nothing makes it deploy before ${exporter}`}`,
    )
    .join('; ');
  const failure =
    state === 'changed'
      ? `Export ${name} changes value (${changed!.why}), but ${situation}. CloudFormation refuses to update an export another stack imports: the deployment of ${exporter} fails with "Cannot update export ${name} as it is in use by ${first}".`
      : `Export ${name} is removed (or renamed), but ${situation}. CloudFormation refuses to delete an export another stack imports: the deployment of ${exporter} fails with "Export ${name} cannot be deleted as it is in use by ${first}".`;
  const remedies: string[] = [];
  const importing = holders.filter((h) => h.kind === 'imports').map((h) => h.stack);
  if (importing.length > 0) {
    remedies.push(
      state === 'changed'
        ? `Stop importing it first: deploy ${listOf(importing)} with the reference replaced by a literal value or removed, then change the export${changed!.replaced.length > 0 ? `; or keep ${listOf(changed!.replaced)} from being replaced, so the value stays` : ''}.`
        : `Keep the export (exportValue in ${exporter}) until ${listOf(importing)} no longer ${importing.length === 1 ? 'imports' : 'import'} it, and remove it in a later deployment.`,
    );
  }
  for (const h of holders.filter((x) => x.kind === 'order')) {
    remedies.push(`Deploy ${h.stack} first on its own (cdk deploy ${h.stack} --exclusively), then ${exporter}.`);
  }
  const left = holders.filter((h) => h.kind === 'left-app').map((h) => h.stack);
  if (left.length > 0) remedies.push(`Delete ${listOf(left)} first (cdk destroy), or keep the export as it is.`);
  return `${failure} ${remedies.join(' ')}`;
}
