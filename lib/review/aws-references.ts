import { compare, isObject, sortedKeys, type JsonObject } from './aws-template';

/** One export of a stack: an output with a literal `Export.Name`. */
export interface StackExport {
  /** The export name other stacks import (`platform-dev-foundation:ExportsOutputRefNetwork...`). */
  readonly name: string;
  /** The output's logical ID. */
  readonly output: string;
  /** The output's `Value` expression. */
  readonly value: unknown;
}

/**
 * The exports of a template, by name. Only literal names are followed: a name built with intrinsics is known only
 * at deploy time, and CDK writes literal names for every reference it makes between stacks.
 */
export function exportsOf(template: JsonObject | undefined): Map<string, StackExport> {
  const found = new Map<string, StackExport>();
  const outputs = isObject(template?.Outputs) ? template.Outputs : {};
  for (const output of sortedKeys(outputs)) {
    const entry = outputs[output];
    if (!isObject(entry) || !isObject(entry.Export) || typeof entry.Export.Name !== 'string') continue;
    if (!found.has(entry.Export.Name))
      found.set(entry.Export.Name, { name: entry.Export.Name, output, value: entry.Value });
  }
  return found;
}

/** The `{ "Fn::ImportValue": name }` of a value, when it is one with a literal name. */
function importedName(value: JsonObject): string | undefined {
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === 'Fn::ImportValue' && typeof value['Fn::ImportValue'] === 'string'
    ? value['Fn::ImportValue']
    : undefined;
}

/** The export names a template imports with a literal `Fn::ImportValue`, anywhere in it. */
export function importsOf(template: JsonObject | undefined): Set<string> {
  const names = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (isObject(value)) {
      const name = importedName(value);
      if (name !== undefined) names.add(name);
      else Object.values(value).forEach(visit);
    }
  };
  visit(template);
  return names;
}

/**
 * A copy of a template in which each named import is replaced by a marker string. A value that differs from the
 * base's `Fn::ImportValue` is what the importing stack sees when the export changes, so the diff library judges
 * each importing property by its own replacement rules.
 */
export function withImportMarkers(template: JsonObject, markers: ReadonlyMap<string, string>): JsonObject {
  const copy = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(copy);
    if (!isObject(value)) return value;
    const name = importedName(value);
    if (name !== undefined && markers.has(name)) return markers.get(name);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copy(v)]));
  };
  return copy(template) as JsonObject;
}

/** Every string in a value, in document order. */
export function stringsIn(value: unknown): string[] {
  const found: string[] = [];
  const visit = (v: unknown): void => {
    if (typeof v === 'string') found.push(v);
    else if (Array.isArray(v)) v.forEach(visit);
    else if (isObject(v)) Object.values(v).forEach(visit);
  };
  visit(value);
  return found;
}

/**
 * The logical IDs a value refers to with `Ref`, `Fn::GetAtt` (either form) or `${Id}` / `${Id.Attr}` in `Fn::Sub`,
 * nested anywhere, sorted. Pseudo parameters (`AWS::Region`) are left out.
 */
export function referencedIds(value: unknown): string[] {
  const ids = new Set<string>();
  const add = (id: unknown): void => {
    if (typeof id === 'string' && id !== '' && !id.startsWith('AWS::')) ids.add(id);
  };
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    if (!isObject(v)) return;
    const keys = Object.keys(v);
    if (keys.length === 1) {
      const [key] = keys as [string];
      const arg = v[key];
      if (key === 'Ref') add(arg);
      else if (key === 'Fn::GetAtt')
        add(Array.isArray(arg) ? arg[0] : typeof arg === 'string' ? arg.split('.')[0] : undefined);
      else if (key === 'Fn::Sub') {
        const text = Array.isArray(arg) ? arg[0] : arg;
        if (typeof text === 'string') for (const id of placeholderIds(text)) add(id);
      }
    }
    Object.values(v).forEach(visit);
  };
  visit(value);
  return [...ids].sort(compare);
}

/**
 * The logical IDs named by `${Id}` or `${Id.Attr}` in a string: `Fn::Sub` text, or the library's rendering of
 * `Ref` and `Fn::GetAtt` in IAM statements and security group rules (`AWS:${TaskRole}`, `${Group.GroupId}`).
 */
export function placeholderIds(text: string): string[] {
  const ids: string[] = [];
  for (const match of text.matchAll(/\$\{([^}!][^}]*)\}/g)) {
    const id = match[1]!.split('.')[0]!;
    if (!id.startsWith('AWS::') && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

/**
 * Whether stack `from` depends on stack `to` in one side's output, directly or through others: it imports an
 * export of `to`, or of a stack that does. CDK deploys `to` first when it does.
 */
export function dependsOn(
  from: string,
  to: string,
  imports: ReadonlyMap<string, ReadonlySet<string>>,
  exporters: ReadonlyMap<string, string>,
): boolean {
  const seen = new Set<string>();
  const pending = [from];
  while (pending.length > 0) {
    const stack = pending.pop()!;
    for (const name of imports.get(stack) ?? []) {
      const exporter = exporters.get(name);
      if (exporter === undefined || exporter === stack || seen.has(exporter)) continue;
      if (exporter === to) return true;
      seen.add(exporter);
      pending.push(exporter);
    }
  }
  return false;
}
