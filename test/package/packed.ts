import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * What an application team does with the published package, step by step: `npm pack`, a fresh project that installs
 * the tarball with its peers, the examples type-checked and synthesized there. Used by test/package/pack.test.ts.
 */

/** The repository root. */
export const ROOT = path.resolve(__dirname, '..', '..');

/** The result of one child process. */
export interface Run {
  /** The exit code (null when a signal ended it). */
  readonly status: number | null;
  /** stdout and stderr, interleaved as they came. */
  readonly output: string;
  /** Wall-clock seconds. */
  readonly seconds: number;
}

/**
 * The environment of a child process: this one's, without the `npm_*` variables an `npm test` parent sets (an
 * `npm install` in the team project would read `npm_config_*` as its own configuration).
 */
function childEnvironment(extra: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key)) env[key] = value;
  return { ...env, CHECKPOINT_DISABLE: '1', ...extra };
}

/** Runs a command to its end, without a shell. */
export function run(
  command: string,
  args: readonly string[],
  cwd: string,
  extra: Readonly<Record<string, string>> = {},
): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: childEnvironment(extra), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output, seconds: (Date.now() - started) / 1000 }));
  });
}

/** Runs a command and throws with its output when it fails. */
export async function runOrThrow(
  command: string,
  args: readonly string[],
  cwd: string,
  extra: Readonly<Record<string, string>> = {},
): Promise<Run> {
  const result = await run(command, args, cwd, extra);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${result.status}:\n${result.output}`);
  }
  return result;
}

/** The version of a package installed in the repository, so the team project installs what CI tests with. */
export function repositoryVersion(name: string): string {
  const file = path.join(ROOT, 'node_modules', name, 'package.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}

/** The packages a team installs next to the tarball: the peers, the compiler and node's types. */
export const TEAM_PACKAGES: readonly string[] = [
  'aws-cdk-lib',
  'constructs',
  'cdk-nag',
  'cdktf',
  '@cdktf/provider-azurerm',
  'typescript',
  '@types/node',
];

/**
 * How the team project gets the packages besides the tarball (`PLATFORM_PACK_PEERS`):
 * - `linked` (the default): npm links the repository's installed copies (what package-lock.json pins, as `npm ci`
 *   installed them). The tarball itself is installed from its file as a user's would be, with its own
 *   dependencies; npm still checks the peer ranges against the linked versions. About 6 s.
 * - `registry`: each at the repository's version from the registry, npm's cache first (`--prefer-offline`), as a
 *   user installs them: 14 to 39 s here, most of it unpacking aws-cdk-lib's bundled dependencies and the 269 MB
 *   provider.
 */
export function teamPackageSpecs(mode: string = process.env.PLATFORM_PACK_PEERS ?? 'linked'): string[] {
  if (mode === 'registry') return TEAM_PACKAGES.map((name) => `${name}@${repositoryVersion(name)}`);
  if (mode === 'linked') return TEAM_PACKAGES.map((name) => path.join(ROOT, 'node_modules', name));
  throw new Error(`PLATFORM_PACK_PEERS: "${mode}" - linked (the default) or registry`);
}

/** One file of `npm pack --json`. */
export interface PackedFile {
  readonly path: string;
  readonly size: number;
}

/** What `npm pack --json` reports of one tarball. */
export interface PackResult {
  readonly filename: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: readonly PackedFile[];
}

/**
 * Parses `npm pack --json`. npm prints the prepack script's output on the same stream before the JSON, so the JSON is
 * the last top-level array.
 */
export function parsePackOutput(stdout: string): PackResult {
  const start = stdout.lastIndexOf('\n[') >= 0 ? stdout.lastIndexOf('\n[') + 1 : stdout.indexOf('[');
  const parsed = JSON.parse(stdout.slice(start)) as PackResult[];
  const first = parsed[0];
  if (parsed.length !== 1 || !first) throw new Error(`npm pack reported ${parsed.length} tarballs`);
  return first;
}

const FENCE = /^\s*(```|~~~)/;

/** The link targets of a Markdown file: inline links and images, reference definitions and HTML hrefs, not code. */
export function markdownLinks(markdown: string): string[] {
  const links: string[] = [];
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (FENCE.test(line)) {
      inFence = !inFence;
      continue;
    }
    if (inFence) continue;
    const text = line.replace(/`[^`]*`/g, '');
    for (const m of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push(m[1]!);
    for (const m of text.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$/g)) links.push(m[1]!);
    for (const m of text.matchAll(/\b(?:href|src)\s*=\s*"([^"]+)"/g)) links.push(m[1]!);
  }
  return links;
}

/**
 * The relative links of packed Markdown files that point at no file of the package: `file: link` for each. A link
 * with a scheme (`https:`, `mailto:`) or to an anchor of the same file is not checked; a link to a folder counts when
 * a packed file is inside it.
 *
 * @param documents the Markdown files, by their path in the package
 * @param packed every path in the package (`npm pack --json` files)
 */
export function brokenLinks(documents: Readonly<Record<string, string>>, packed: readonly string[]): string[] {
  const files = new Set(packed);
  const broken: string[] = [];
  for (const [file, markdown] of Object.entries(documents)) {
    for (const link of markdownLinks(markdown)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(link) || link.startsWith('#') || link.startsWith('//')) continue;
      const target = decodeURI(link.split('#')[0]!.split('?')[0]!);
      const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(file), target)).replace(/\/$/, '');
      const inside =
        !resolved.startsWith('../') &&
        !path.posix.isAbsolute(resolved) &&
        (files.has(resolved) || packed.some((p) => p.startsWith(`${resolved}/`)));
      if (!inside) broken.push(`${file}: ${link}`);
    }
  }
  return broken.sort();
}

/** Every file under a folder, by path relative to it, in a stable order. */
export function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

/**
 * The places in the files under `dir` that name one of `machinePaths` (a temporary folder, the home folder, the
 * checkout), as `file: ...context...`. A path counts only where it ends: `/root` in `/rootless` is not the home folder.
 */
export function machinePathsIn(dir: string, machinePaths: readonly string[]): string[] {
  const escaped = [...new Set(machinePaths)]
    .filter((p) => p.length > 1)
    .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = new RegExp(`(?:${escaped.join('|')})(?=[/\\\\"'\\s:)]|$)`, 'g');
  const found: string[] = [];
  for (const file of filesUnder(dir)) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    for (const m of text.matchAll(pattern)) {
      found.push(`${file}: ...${text.slice(Math.max(0, m.index - 60), m.index + m[0].length + 40)}...`);
      break;
    }
  }
  return found;
}

/** The paths of the machine that must not appear in synthesized output, for a team project in `project`. */
export function machinePaths(project: string): string[] {
  const paths = [project, fs.realpathSync(project), os.tmpdir(), os.homedir(), ROOT, fs.realpathSync(ROOT)];
  return paths.filter((p) => p !== '/' && p !== '/tmp');
}

/**
 * The modules a fresh node process has loaded after `require(specifier)` in `project`, each as its path after the
 * last `node_modules/` (`aws-cdk-lib/index.js`): node records real paths, which for a linked package are outside the
 * project.
 */
export async function modulesLoadedBy(project: string, specifier: string): Promise<string[]> {
  const script = `require(${JSON.stringify(specifier)}); process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
  const result = await runOrThrow(process.execPath, ['-e', script], project);
  const marker = `${path.sep}node_modules${path.sep}`;
  return (JSON.parse(result.output) as string[])
    .filter((file) => file.includes(marker))
    .map((file) =>
      file
        .slice(file.lastIndexOf(marker) + marker.length)
        .split(path.sep)
        .join('/'),
    );
}

/** The package (`@scope/name` or `name`) a path relative to node_modules belongs to. */
export function packageOf(modulePath: string): string {
  const parts = modulePath.split('/');
  return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}
