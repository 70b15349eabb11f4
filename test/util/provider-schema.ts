import * as fs from 'node:fs';
import * as path from 'node:path';

// Validates Terraform JSON against the azurerm 4.55.0 provider schema (the output of `terraform providers schema
// -json`, in test/data): there is no provider binary here for `terraform validate`, so this is what proves that
// every argument exists, has the right type and that required ones are given.

const root = path.resolve(__dirname, '../..');

/** One block of a Terraform JSON configuration. */
type Block = Readonly<Record<string, unknown>>;
type Blocks = Readonly<Record<string, Readonly<Record<string, Block>>>>;

/** What the validation reads of a stack's cdk.tf.json. */
export interface StackJson {
  readonly provider?: Readonly<Record<string, readonly Block[]>>;
  readonly resource?: Blocks;
  readonly data?: Blocks;
}

/** The provider's schema in the shape of `terraform providers schema -json`, as far as validation reads it. */
interface SchemaAttribute {
  readonly type: unknown;
  readonly required?: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
}
interface SchemaBlock {
  readonly attributes?: Readonly<Record<string, SchemaAttribute>>;
  readonly block_types?: Readonly<
    Record<
      string,
      {
        readonly nesting_mode: 'list' | 'set' | 'single';
        readonly min_items?: number;
        readonly max_items?: number;
        readonly block: SchemaBlock;
      }
    >
  >;
}
interface ProviderSchema {
  readonly provider: { readonly block: SchemaBlock };
  readonly resource_schemas: Readonly<Record<string, { readonly block: SchemaBlock }>>;
  readonly data_source_schemas: Readonly<Record<string, { readonly block: SchemaBlock }>>;
}

/** azurerm 4.55.0 (the version @cdktf/provider-azurerm 14.23.1 targets), copied from shared/data into test/data. */
const schema = (
  JSON.parse(fs.readFileSync(path.join(root, 'test/data/azurerm-4.55.0-provider-schema.json'), 'utf8')) as {
    provider_schemas: Record<string, ProviderSchema>;
  }
).provider_schemas['registry.terraform.io/hashicorp/azurerm']!;

/** Keys Terraform itself reads in a resource or data block, not the provider. */
const META_ARGUMENTS = new Set(['//', 'lifecycle', 'depends_on', 'count', 'for_each', 'provider']);

/** An expression (`${...}`), whose type Terraform knows only when it plans. */
function isExpression(value: unknown): boolean {
  return typeof value === 'string' && /^\$\{[\s\S]*\}$/.test(value);
}

function typeProblems(type: unknown, value: unknown, at: string): string[] {
  if (isExpression(value)) return [];
  const wrong = [`${at}: ${JSON.stringify(value)} is not of type ${JSON.stringify(type)}`];
  if (type === 'string') return ['string', 'number', 'boolean'].includes(typeof value) ? [] : wrong;
  if (type === 'number')
    return typeof value === 'number' || (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) ? [] : wrong;
  if (type === 'bool') return typeof value === 'boolean' || value === 'true' || value === 'false' ? [] : wrong;
  if (Array.isArray(type)) {
    const [kind, inner] = type as [string, unknown];
    if (kind === 'list' || kind === 'set') {
      return Array.isArray(value) ? value.flatMap((v, i) => typeProblems(inner, v, `${at}[${i}]`)) : wrong;
    }
    if (kind === 'map') {
      return value !== null && typeof value === 'object' && !Array.isArray(value)
        ? Object.entries(value).flatMap(([k, v]) => typeProblems(inner, v, `${at}.${k}`))
        : wrong;
    }
    if (kind === 'object') {
      const fields = inner as Record<string, unknown>;
      return value !== null && typeof value === 'object' && !Array.isArray(value)
        ? Object.entries(value).flatMap(([k, v]) =>
            k in fields ? typeProblems(fields[k], v, `${at}.${k}`) : [`${at}.${k}: not an attribute of the object`],
          )
        : wrong;
    }
  }
  return [];
}

/** What `terraform validate` would refuse in one block before the provider's own value checks. */
function blockProblems(
  block: SchemaBlock,
  value: Readonly<Record<string, unknown>>,
  at: string,
  top: boolean,
): string[] {
  const problems: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (top && META_ARGUMENTS.has(key)) continue;
    const attribute = block.attributes?.[key];
    const nested = block.block_types?.[key];
    if (attribute) {
      if (attribute.computed && !attribute.optional && !attribute.required) problems.push(`${at}.${key}: read-only`);
      else problems.push(...typeProblems(attribute.type, v, `${at}.${key}`));
    } else if (nested) {
      if (isExpression(v)) continue;
      const items = Array.isArray(v) ? v : [v];
      if (nested.nesting_mode === 'single' && Array.isArray(v))
        problems.push(`${at}.${key}: a single block, not a list`);
      if (nested.max_items !== undefined && items.length > nested.max_items) {
        problems.push(`${at}.${key}: ${items.length} blocks, at most ${nested.max_items}`);
      }
      if (nested.min_items !== undefined && items.length < nested.min_items) {
        problems.push(`${at}.${key}: ${items.length} blocks, at least ${nested.min_items}`);
      }
      items.forEach((item, i) =>
        problems.push(...blockProblems(nested.block, item as Record<string, unknown>, `${at}.${key}[${i}]`, false)),
      );
    } else {
      problems.push(`${at}.${key}: not an argument`);
    }
  }
  for (const [key, attribute] of Object.entries(block.attributes ?? {})) {
    if (attribute.required && !(key in value)) problems.push(`${at}.${key}: required`);
  }
  for (const [key, nested] of Object.entries(block.block_types ?? {})) {
    if ((nested.min_items ?? 0) > 0 && !(key in value))
      problems.push(`${at}.${key}: at least ${nested.min_items} block`);
  }
  return problems;
}

/** Validates a stack's cdk.tf.json against the azurerm provider schema: provider, resource and data blocks. */
export function schemaProblems(json: StackJson): string[] {
  const problems: string[] = [];
  for (const [i, config] of (json.provider?.azurerm ?? []).entries()) {
    problems.push(...blockProblems(schema.provider.block, config, `provider.azurerm[${i}]`, true));
  }
  const kinds = [
    ['resource', json.resource, schema.resource_schemas],
    ['data', json.data, schema.data_source_schemas],
  ] as const;
  for (const [kind, blocks, schemas] of kinds) {
    for (const [type, byName] of Object.entries(blocks ?? {})) {
      const typeSchema = schemas[type];
      if (!typeSchema) {
        problems.push(`${kind}.${type}: not a type of azurerm 4.55.0`);
        continue;
      }
      for (const [id, block] of Object.entries(byName)) {
        problems.push(...blockProblems(typeSchema.block, block, `${kind}.${type}.${id}`, true));
      }
    }
  }
  return problems;
}
