import { createHash } from 'node:crypto';

/** Name rules of one resource type: length, characters, and how words are joined. */
export interface NameRule {
  /** Shortest allowed name. */
  readonly min: number;
  /** Longest allowed name. */
  readonly max: number;
  /** The whole-name rule, checked on the result. */
  readonly pattern: RegExp;
  /** The rule in words, for error messages. */
  readonly description: string;
  /** Characters that may appear; anything else is replaced by the separator (or dropped when there is none). */
  readonly allowed: RegExp;
  /** Joins the words of a name; `''` for types that allow no separator. */
  readonly separator: '-' | '';
  /** The service lowercases names or rejects uppercase. */
  readonly lowercase: boolean;
  /** The name must be unique across all customers of the cloud, so it always carries a hash suffix. */
  readonly globallyUnique?: boolean;
}

const azureGeneral = (min: number, max: number): NameRule => ({
  min,
  max,
  pattern: new RegExp(`^[a-z0-9](?:[a-z0-9_.-]{0,${max - 2}}[a-z0-9_])?$`),
  description: `${min}-${max} letters, digits, hyphens, underscores and periods, starting with a letter or digit and ending with a letter, digit or underscore`,
  allowed: /[a-z0-9_.-]/,
  separator: '-',
  lowercase: true,
});

const letterStartHyphens = (min: number, max: number, extra = ''): NameRule => ({
  min,
  max,
  pattern: new RegExp(`^[a-z](?:[a-z0-9]|-(?!-)){${min - 2},${max - 2}}[a-z0-9]$`),
  description: `${min}-${max} lowercase letters, digits and single hyphens, starting with a letter and ending with a letter or digit${extra}`,
  allowed: /[a-z0-9-]/,
  separator: '-',
  lowercase: true,
});

/**
 * The naming limits of every resource type the library names (shared/GUARDRAILS.md, "Limits"). Names are
 * lowercased everywhere: some services reject uppercase, and one case keeps names predictable.
 */
export const NAME_RULES = {
  awsStack: {
    min: 1,
    max: 128,
    pattern: /^[A-Za-z][A-Za-z0-9-]{0,127}$/,
    description: '1-128 letters, digits and hyphens, starting with a letter',
    allowed: /[a-z0-9-]/,
    separator: '-',
    lowercase: true,
  },
  awsLogGroup: {
    min: 1,
    max: 512,
    pattern: /^[A-Za-z0-9_\-/.#]{1,512}$/,
    description: '1-512 letters, digits and _ - / . #',
    allowed: /[a-z0-9_\-/.#]/,
    separator: '-',
    lowercase: true,
  },
  azureResourceGroup: {
    min: 1,
    max: 90,
    pattern: /^[a-z0-9_\-.()]{0,89}[a-z0-9_\-()]$/,
    description: '1-90 letters, digits, underscores, hyphens, periods and parentheses, not ending with a period',
    allowed: /[a-z0-9_\-.()]/,
    separator: '-',
    lowercase: true,
  },
  azureVirtualNetwork: azureGeneral(2, 64),
  azureSubnet: azureGeneral(1, 80),
  azureNetworkSecurityGroup: azureGeneral(1, 80),
  azureNetworkInterface: azureGeneral(1, 80),
  azurePublicIp: azureGeneral(1, 80),
  azureNatGateway: azureGeneral(1, 80),
  azureLinuxVirtualMachine: letterStartHyphens(2, 64),
  azureStorageAccount: {
    min: 3,
    max: 24,
    pattern: /^[a-z0-9]{3,24}$/,
    description: '3-24 lowercase letters and digits, unique across Azure',
    allowed: /[a-z0-9]/,
    separator: '',
    lowercase: true,
    globallyUnique: true,
  },
  azureKeyVault: { ...letterStartHyphens(3, 24, ', unique across Azure'), globallyUnique: true },
  azureRecoveryServicesVault: letterStartHyphens(2, 50),
  azureLogAnalyticsWorkspace: letterStartHyphens(4, 63),
  azureContainerApp: letterStartHyphens(2, 32),
  azureBackupPolicy: letterStartHyphens(3, 150),
  azureKubernetesCluster: {
    min: 1,
    max: 63,
    pattern: /^[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?$/,
    description: '1-63 letters, digits, hyphens and underscores, starting and ending with a letter or digit',
    allowed: /[a-z0-9_-]/,
    separator: '-',
    lowercase: true,
  },
  azureKubernetesDnsPrefix: {
    min: 1,
    max: 54,
    pattern: /^[a-z](?:[a-z0-9-]{0,52}[a-z0-9])?$/,
    description: '1-54 letters, digits and hyphens, starting with a letter and ending with a letter or digit',
    allowed: /[a-z0-9-]/,
    separator: '-',
    lowercase: true,
  },
  /** Linux node pools: AKS takes 1-12 lowercase letters and digits (Windows pools take 6). */
  azureKubernetesNodePool: {
    min: 1,
    max: 12,
    pattern: /^[a-z][a-z0-9]{0,11}$/,
    description: '1-12 lowercase letters and digits, starting with a letter',
    allowed: /[a-z0-9]/,
    separator: '',
    lowercase: true,
  },
  azureMonitorWorkspace: {
    min: 4,
    max: 44,
    pattern: /^[a-z0-9](?:[a-z0-9-]{2,42})[a-z0-9]$/,
    description: '4-44 letters, digits and hyphens, starting and ending with a letter or digit',
    allowed: /[a-z0-9-]/,
    separator: '-',
    lowercase: true,
  },
  /** Data collection endpoints and rules: Microsoft's own Prometheus templates cut both to 44 characters. */
  azureDataCollectionEndpoint: {
    min: 3,
    max: 44,
    pattern: /^[a-z0-9](?:[a-z0-9-]{1,42})[a-z0-9]$/,
    description: '3-44 letters, digits and hyphens, starting and ending with a letter or digit',
    allowed: /[a-z0-9-]/,
    separator: '-',
    lowercase: true,
  },
  azureDataCollectionRule: {
    min: 3,
    max: 44,
    pattern: /^[a-z0-9](?:[a-z0-9_-]{1,42})[a-z0-9]$/,
    description: '3-44 letters, digits, hyphens and underscores, starting and ending with a letter or digit',
    allowed: /[a-z0-9_-]/,
    separator: '-',
    lowercase: true,
  },
  azurePrometheusRuleGroup: azureGeneral(1, 260),
} as const satisfies Record<string, NameRule>;

/** A resource type the library names. */
export type NameKind = keyof typeof NAME_RULES;

/** Length of the hash suffix that keeps shortened and globally unique names apart. */
export const NAME_HASH_LENGTH = 6;

/** Options of {@link makeName}. */
export interface MakeNameOptions {
  /**
   * Extra input to the hash suffix of globally unique names (a subscription or account ID), so that two
   * organisations using the same environment names do not collide.
   * @default - no seed: the hash covers the words only
   */
  readonly uniqueSeed?: string;
}

/**
 * Builds a valid, deterministic name for a resource type from words (`['vnet', 'platform', 'prod', 'weu']`).
 *
 * Words are lowercased and stripped of characters the type does not allow, then joined. A name that is
 * too long is shortened and ends with a hash of the full name, so two long names that differ only at the
 * end stay distinct; globally unique types always carry the hash. The same words always give the same name.
 *
 * @throws Error naming the type, the words and the rule when no valid name can be made from the words.
 */
export function makeName(kind: NameKind, words: readonly string[], options: MakeNameOptions = {}): string {
  const rule: NameRule = NAME_RULES[kind];
  const sep = rule.separator;
  const cleaned = words.map((word) => cleanWord(word, rule)).filter((word) => word.length > 0);
  const full = trimEnds(cleaned.join(sep));
  if (full.length === 0) {
    throw new Error(
      `Cannot make a ${kind} name from ${JSON.stringify(words)}: no letters or digits; ${rule.description}`,
    );
  }
  let name = full;
  if (rule.globallyUnique || full.length > rule.max) {
    // The hash covers the words as given (not as cleaned), so words that clean to the same text
    // (`['ab', 'c']`, `['a', 'bc']`, `['a_b', 'c']`) still get different names.
    const suffix = shortHash(`${JSON.stringify(words)}|${options.uniqueSeed ?? ''}`);
    const room = rule.max - suffix.length - sep.length;
    name = `${trimEnds(full.slice(0, room))}${sep}${suffix}`;
  }
  const problem = checkName(kind, name);
  if (problem) {
    throw new Error(`Cannot make a ${kind} name from ${JSON.stringify(words)}: "${name}" ${problem}`);
  }
  return name;
}

/** Checks a name against its type's rule; returns what is wrong, or undefined when it is valid. */
export function checkName(kind: NameKind, name: string): string | undefined {
  const rule: NameRule = NAME_RULES[kind];
  if (name.length < rule.min || name.length > rule.max || !rule.pattern.test(name)) {
    return `is not a valid ${kind} name: ${rule.description}`;
  }
  return undefined;
}

function cleanWord(word: string, rule: NameRule): string {
  const lower = rule.lowercase ? word.toLowerCase() : word;
  let out = '';
  for (const ch of lower) out += rule.allowed.test(ch) ? ch : rule.separator;
  return trimSeparators(
    rule.separator ? out.split(rule.separator).filter(Boolean).join(rule.separator) : out,
    rule.separator,
  );
}

/** Names start and end with a letter or digit on every type (some allow more, none require it). */
function trimEnds(text: string): string {
  return text.replace(/^[^a-z0-9]+/i, '').replace(/[^a-z0-9]+$/i, '');
}

function trimSeparators(text: string, sep: string): string {
  if (!sep) return text;
  let out = text;
  while (out.startsWith(sep)) out = out.slice(sep.length);
  while (out.endsWith(sep)) out = out.slice(0, -sep.length);
  return out;
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, NAME_HASH_LENGTH);
}
