import { CHANGE_ACKNOWLEDGEMENT_KEY, changeAcknowledgementProblems } from '../core/change-acknowledgement';
import type { AcknowledgementIndex, AppliedAcknowledgement } from './model';
import type { SynthesizedStack } from './outputs';

/** A JSON object: a template, a section of one, a resource. */
export type JsonObject = Record<string, unknown>;

/** One resource of a template, after {@link templateProblems} found it well-formed. */
export interface CfnResource {
  /** The CloudFormation resource type. */
  readonly Type: string;
  /** The resource's properties. */
  readonly Properties?: JsonObject;
  /** CDK's and the platform's annotations (construct path, acknowledgements). */
  readonly Metadata?: JsonObject;
  /** What CloudFormation does with it when it leaves the template: `Delete`, `Retain`, `Snapshot`. */
  readonly DeletionPolicy?: unknown;
  /** What CloudFormation does with the old one when it is replaced. */
  readonly UpdateReplacePolicy?: unknown;
  /** Any other attribute (DependsOn, Condition). */
  readonly [key: string]: unknown;
}

/** True for a plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Compares strings by code unit, so that the order never depends on the locale. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The keys of an object in a stable order, so that nothing depends on the key order of the input. */
export function sortedKeys(value: JsonObject | undefined): string[] {
  return Object.keys(value ?? {}).sort(compare);
}

/** The resources of a template checked by {@link templateProblems}. */
export function resourcesOf(template: JsonObject | undefined): Readonly<Record<string, CfnResource>> {
  const resources = template?.Resources;
  return isObject(resources) ? (resources as Record<string, CfnResource>) : {};
}

/** The template sections that hold named entries; each must be an object when present. */
const SECTIONS = ['Resources', 'Outputs', 'Parameters', 'Conditions', 'Mappings', 'Rules', 'Metadata'] as const;

/**
 * Everything that makes a template unreadable for the review, each naming the stack and file, so that a broken
 * cdk.out fails with one message that says where to look rather than with a TypeError deep in a diff.
 */
export function templateProblems(stack: SynthesizedStack): string[] {
  const where = `${stack.stack} (${stack.file})`;
  const json: unknown = stack.json;
  if (!isObject(json)) return [`${where}: the template is ${describe(json)}, not a JSON object`];
  const problems: string[] = [];
  for (const section of SECTIONS) {
    const value = json[section];
    if (value !== undefined && !isObject(value))
      problems.push(`${where}: ${section} is ${describe(value)}, not an object`);
  }
  const resources = json.Resources;
  if (isObject(resources)) {
    for (const id of sortedKeys(resources)) {
      const resource = resources[id];
      if (!isObject(resource)) problems.push(`${where}: Resources.${id} is ${describe(resource)}, not an object`);
      else if (typeof resource.Type !== 'string') problems.push(`${where}: Resources.${id} has no Type`);
      else if (resource.Properties !== undefined && !isObject(resource.Properties))
        problems.push(`${where}: Resources.${id}.Properties is ${describe(resource.Properties)}, not an object`);
    }
  }
  return problems;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

/** Resource metadata keys that record where a resource came from or what checked it, never what it is. */
function isNoiseMetadataKey(key: string): boolean {
  return (
    key === 'aws:cdk:path' || key.startsWith('aws:asset:') || key === 'cdk_nag' || key === CHANGE_ACKNOWLEDGEMENT_KEY
  );
}

/** Template metadata keys that describe the build, not the stack. */
const NOISE_TEMPLATE_METADATA = ['PlatformConstructs', CHANGE_ACKNOWLEDGEMENT_KEY];

/**
 * A copy of a template without what changes with every build but deploys nothing: the CDK metadata resource and
 * its condition, the bootstrap version check, construct paths, asset and cdk-nag metadata, and acknowledgements.
 * The input is never changed.
 */
export function normalizeTemplate(json: JsonObject): JsonObject {
  const template = structuredClone(json);
  const resources = template.Resources;
  if (isObject(resources)) {
    for (const id of Object.keys(resources)) {
      const resource = resources[id];
      if (!isObject(resource)) continue;
      if (resource.Type === 'AWS::CDK::Metadata') {
        delete resources[id];
        continue;
      }
      const metadata = resource.Metadata;
      if (isObject(metadata)) {
        for (const key of Object.keys(metadata)) if (isNoiseMetadataKey(key)) delete metadata[key];
        if (Object.keys(metadata).length === 0) delete resource.Metadata;
      }
    }
  }
  dropEntries(template, 'Conditions', ['CDKMetadataAvailable']);
  dropEntries(template, 'Parameters', ['BootstrapVersion']);
  dropEntries(template, 'Rules', ['CheckBootstrapVersion']);
  dropEntries(template, 'Metadata', NOISE_TEMPLATE_METADATA);
  return template;
}

function dropEntries(template: JsonObject, section: string, keys: readonly string[]): void {
  const entries = template[section];
  if (!isObject(entries)) return;
  for (const key of keys) delete entries[key];
  if (Object.keys(entries).length === 0) delete template[section];
}

/** The construct path CDK records on a resource (`platform-dev/compute/Servers/web/Instance1/Resource`). */
export function constructPathOf(resource: unknown): string | undefined {
  if (!isObject(resource) || !isObject(resource.Metadata)) return undefined;
  const path = resource.Metadata['aws:cdk:path'];
  return typeof path === 'string' ? path : undefined;
}

/**
 * The acknowledgements a side's output carries, by stack and logical ID: the resource's own metadata, and the
 * template's (for a resource the change removes). Entries that are not a valid acknowledgement are skipped: the
 * construct API refuses to write them, so one here was written by hand and approves nothing.
 */
export function acknowledgementIndex(stacks: readonly SynthesizedStack[]): AcknowledgementIndex {
  const index = new Map<string, Map<string, AppliedAcknowledgement[]>>();
  const add = (stack: string, id: string, ack: AppliedAcknowledgement): void => {
    const ids = index.get(stack) ?? new Map<string, AppliedAcknowledgement[]>();
    index.set(stack, ids);
    ids.set(id, [...(ids.get(id) ?? []), ack]);
  };
  for (const stack of [...stacks].sort((a, b) => compare(a.stack, b.stack))) {
    const json: unknown = stack.json;
    if (!isObject(json)) continue;
    const resources = isObject(json.Resources) ? json.Resources : {};
    for (const id of sortedKeys(resources)) {
      const resource = resources[id];
      const entries =
        isObject(resource) && isObject(resource.Metadata) ? resource.Metadata[CHANGE_ACKNOWLEDGEMENT_KEY] : [];
      for (const entry of Array.isArray(entries) ? entries : []) {
        if (isAcknowledgement(entry)) add(stack.stack, id, { risk: entry.risk, reason: entry.reason, on: 'resource' });
      }
    }
    const entries = isObject(json.Metadata) ? json.Metadata[CHANGE_ACKNOWLEDGEMENT_KEY] : [];
    const onStack = (Array.isArray(entries) ? entries : []).filter(
      (entry): entry is AppliedAcknowledgement & { resource: string } =>
        isAcknowledgement(entry) && typeof entry.resource === 'string' && entry.resource !== '',
    );
    for (const entry of [...onStack].sort((a, b) => compare(a.resource, b.resource))) {
      add(stack.stack, entry.resource, {
        resource: entry.resource,
        risk: entry.risk,
        reason: entry.reason,
        on: 'stack',
      });
    }
  }
  return new Map([...index].map(([stack, ids]) => [stack, new Map([...ids].sort(([a], [b]) => compare(a, b)))]));
}

function isAcknowledgement(entry: unknown): entry is Pick<AppliedAcknowledgement, 'risk' | 'reason'> & JsonObject {
  return isObject(entry) && changeAcknowledgementProblems('', entry.risk, entry.reason).length === 0;
}
