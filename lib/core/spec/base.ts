import { z } from 'zod';
import { AWS_REGIONS, AZURE_LOCATIONS, defaultAwsZones } from '../regions';
import { TIERS, type Tier } from '../tiers';
import { relativePathProblem } from './text';

/** Environment names go into resource names, so they are short and DNS-safe. */
export const ENVIRONMENT_NAME_PATTERN = /^[a-z](?:[a-z0-9]|-(?!-)){0,10}[a-z0-9]$/;

/** Tag keys the library sets itself from the spec; an environment cannot override them. */
export const RESERVED_TAG_KEYS: readonly string[] = ['environment', 'managed-by'];

/**
 * Tags the spec may add: AWS and Azure allow 50 per resource; the library adds `environment` and
 * `managed-by`, and aws-cdk-lib adds `Name` to some resources.
 */
export const MAX_SPEC_TAGS = 45;

/** The longest tag key both clouds take: AWS allows 128 characters, Azure 512. */
export const MAX_TAG_KEY_LENGTH = 128;
/** The longest tag value both clouds take: 256 characters on AWS and on Azure. */
export const MAX_TAG_VALUE_LENGTH = 256;

/** Characters as the clouds count them (Unicode code points, not UTF-16 units). */
function characterCount(text: string): number {
  return Array.from(text).length;
}

/** Characters allowed in tag keys on both clouds (AWS allows `/`, Azure does not). */
const TAG_KEY_PATTERN = /^[A-Za-z0-9 _.:=+\-@]{1,128}$/;
/** Characters AWS allows in tag values (Azure allows more). */
const TAG_VALUE_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

const awsRegions = Object.keys(AWS_REGIONS);
const azureLocations = Object.keys(AZURE_LOCATIONS);

const azureBackendSchema = z.strictObject({
  resourceGroupName: z
    .string()
    .regex(/^[-\w.()]{1,90}$/, { error: '1-90 letters, digits, hyphens, underscores, periods or parentheses' }),
  storageAccountName: z.string().regex(/^[a-z0-9]{3,24}$/, { error: '3-24 lowercase letters and digits' }),
  containerName: z.string().regex(/^[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]$/, {
    error: '3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit',
  }),
  key: z
    .string({ error: 'a blob name ending in .tfstate' })
    .superRefine((key, ctx) => {
      const rule = 'a blob name ending in .tfstate';
      const path = /^[\w./-]{1,1024}\.tfstate$/.test(key) ? relativePathProblem(key) : '';
      if (path !== undefined) ctx.addIssue({ code: 'custom', input: key, message: path ? `${rule}: ${path}` : rule });
    })
    .optional(),
});

/** The fields every environment has, besides its sections. */
export const baseShape = {
  name: z.string().regex(ENVIRONMENT_NAME_PATTERN, {
    error:
      'lowercase letters, digits and single hyphens, 2-12 characters, starting with a letter and ending with a letter or digit',
  }),
  tier: z.enum(TIERS, { error: `one of ${TIERS.map((t) => `'${t}'`).join(', ')}` }),
  aws: z.strictObject({
    account: z.string().regex(/^\d{12}$/, { error: 'an AWS account ID of 12 digits, as a string' }),
    region: z.enum(awsRegions as [string, ...string[]], {
      error: `an AWS region with 3 availability zones: ${awsRegions.join(', ')}`,
    }),
    availabilityZones: z
      .array(
        z.string().regex(/^[a-z]{2}(?:-[a-z]+)+-\d[a-f]$/, {
          error: 'an availability zone name: the region and a letter from a to f, such as eu-west-1a',
        }),
      )
      .min(2, { error: 'at least 2 availability zones' })
      .max(3, { error: 'at most 3 availability zones' })
      .optional(),
  }),
  azure: z.strictObject({
    location: z.enum(azureLocations as [string, ...string[]], {
      error: `an Azure location with availability zones: ${azureLocations.join(', ')}`,
    }),
    subscriptionId: z
      .string()
      .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, {
        error: 'a subscription ID: a GUID such as 00000000-0000-0000-0000-000000000000',
      })
      .optional(),
    backend: azureBackendSchema.optional(),
    keyVaultId: z
      .string()
      .regex(
        /^\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\/[-\w.()]{1,90}\/providers\/Microsoft\.KeyVault\/vaults\/[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/,
        {
          error:
            'a Key Vault resource ID: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.KeyVault/vaults/<name>',
        },
      )
      .optional(),
    adminSshPublicKey: z
      .string()
      .regex(/^(ssh-ed25519|ssh-rsa) [A-Za-z0-9+/]+={0,3}( [^\n]*)?$/, {
        error: 'an OpenSSH public key line (ssh-ed25519 or ssh-rsa), such as the contents of ~/.ssh/id_ed25519.pub',
      })
      .optional(),
  }),
  // Keys and values are checked in one pass, so that every bad tag is reported (a record schema stops at
  // the first bad key).
  tags: z.record(z.string(), z.string()).superRefine((tags, ctx) => {
    const report = (key: string, message: string): void => {
      ctx.addIssue({ code: 'custom', path: [key], input: tags[key], message });
    };
    if (!tags.owner) report('owner', 'required: the team that owns the environment');
    const keys = Object.keys(tags);
    if (keys.length > MAX_SPEC_TAGS) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        input: tags,
        message: `at most ${MAX_SPEC_TAGS} tags (the clouds allow 50 per resource, and the library adds its own)`,
      });
    }
    const seen = new Map<string, string>();
    for (const [key, value] of Object.entries(tags)) {
      // Azure tag names are case-insensitive: `Owner` and `owner` would be one tag there.
      const lower = key.toLowerCase();
      const earlier = seen.get(lower);
      seen.set(lower, earlier ?? key);
      if (RESERVED_TAG_KEYS.includes(lower)) report(key, 'set by the library; remove it from the spec');
      else if (earlier !== undefined)
        report(key, `the same key as "${earlier}" in another case; Azure tag names ignore case`);
      else if (/^aws:/i.test(key)) report(key, 'the aws: prefix is reserved by AWS');
      else if (characterCount(key) > MAX_TAG_KEY_LENGTH) {
        report(
          key,
          `a key of at most ${MAX_TAG_KEY_LENGTH} characters (AWS allows ${MAX_TAG_KEY_LENGTH}, Azure 512), not ${characterCount(key).toLocaleString('en-US')}`,
        );
      } else if (!TAG_KEY_PATTERN.test(key)) {
        report(key, 'the key must be 1-128 letters, digits, spaces and _ . : = + - @ (no /, which Azure rejects)');
      } else if (characterCount(value) > MAX_TAG_VALUE_LENGTH) {
        report(
          key,
          `a value of at most ${MAX_TAG_VALUE_LENGTH} characters (the limit of both clouds), not ${characterCount(value).toLocaleString('en-US')}`,
        );
      } else if (!TAG_VALUE_PATTERN.test(value)) {
        report(key, 'a tag value of at most 256 letters, digits, spaces and _ . : / = + - @');
      }
    }
  }),
};

/** Where Terraform keeps the state of an environment's Azure stack. */
export interface AzureBackend {
  /** Resource group of the state storage account. */
  readonly resourceGroupName: string;
  /** Storage account holding the state. */
  readonly storageAccountName: string;
  /** Blob container holding the state. */
  readonly containerName: string;
  /** Blob name of the state. */
  readonly key: string;
}

/** The resolved base fields of an environment. */
export interface BaseEnvironment {
  /** Short name, part of every resource name (`dev`, `prod`). */
  readonly name: string;
  /** The tier, which drove the defaults. */
  readonly tier: Tier;
  /** AWS account, region and the availability zones the network uses (exactly `network.zones` of them). */
  readonly aws: { readonly account: string; readonly region: string; readonly availabilityZones: readonly string[] };
  /** Azure location (with its short code for names), subscription and state backend. */
  readonly azure: {
    readonly location: string;
    readonly locationCode: string;
    readonly subscriptionId?: string;
    readonly backend?: AzureBackend;
    /**
     * The break-glass SSH key of every Linux VM's admin account (Azure requires one); day-to-day access goes
     * through Entra ID (`az ssh vm`) or Run Command.
     */
    readonly adminSshPublicKey?: string;
    /** The Key Vault holding the secrets services and jobs name; their identities may read its secrets. */
    readonly keyVaultId?: string;
  };
  /** Tags for every taggable resource: the spec's tags plus `environment` and `managed-by`. */
  readonly tags: Readonly<Record<string, string>>;
}

/** The value the library writes in the `managed-by` tag. */
export const MANAGED_BY = 'platform-constructs';

type BaseInput = z.output<z.ZodObject<typeof baseShape>>;

/** Resolves the base fields; `zones` is the network's zone count, which picks the AWS availability zones. */
export function resolveBase(input: BaseInput, zones: number): BaseEnvironment {
  const candidates = input.aws.availabilityZones ?? defaultAwsZones(input.aws.region);
  const backend = input.azure.backend;
  return {
    name: input.name,
    tier: input.tier,
    aws: { account: input.aws.account, region: input.aws.region, availabilityZones: candidates.slice(0, zones) },
    azure: {
      location: input.azure.location,
      locationCode: AZURE_LOCATIONS[input.azure.location] ?? input.azure.location,
      ...(input.azure.subscriptionId !== undefined && { subscriptionId: input.azure.subscriptionId.toLowerCase() }),
      ...(input.azure.adminSshPublicKey !== undefined && { adminSshPublicKey: input.azure.adminSshPublicKey }),
      ...(input.azure.keyVaultId !== undefined && { keyVaultId: input.azure.keyVaultId }),
      ...(backend !== undefined && {
        backend: { ...backend, key: backend.key ?? `platform-${input.name}.tfstate` },
      }),
    },
    tags: sortKeys({ ...input.tags, environment: input.name, 'managed-by': MANAGED_BY }),
  };
}

/** Key order decides output order; sorting keeps synthesized output independent of how the spec was written. */
export function sortKeys<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
