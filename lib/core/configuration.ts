import { z } from 'zod';
import { formatIssue, IssueCollector, joinPath, type SpecIssue } from './errors';
import { endOfOptions, textProblem, yamlQuote } from './shell';

/**
 * The operating systems servers run, with what the configuration needs to know of each. (Groundwork for
 * the servers capability: the renderer below is shared by both clouds.)
 */
export const OPERATING_SYSTEMS = {
  'ubuntu-24.04': { family: 'debian', packageManager: 'apt' },
  'amazon-linux-2023': { family: 'fedora', packageManager: 'dnf' },
} as const;

/** An operating system the library can configure. */
export type OperatingSystem = keyof typeof OPERATING_SYSTEMS;

/** One file the configuration puts on a server. */
export interface ConfigurationFile {
  /** Absolute path. */
  readonly path: string;
  /** The whole content, as text. */
  readonly content: string;
  /** Octal permissions, four digits (`0644`). */
  readonly mode: string;
  /** `user:group`. */
  readonly owner: string;
}

/** A server's declarative configuration: what to install, write, run and keep running. */
export interface Configuration {
  /** Packages to install, sorted and without repeats. */
  readonly packages: readonly string[];
  /** Files to write, in the order given. */
  readonly files: readonly ConfigurationFile[];
  /** Shell commands run once, in order, after the packages and files. */
  readonly commands: readonly string[];
  /** systemd units to enable and start, sorted and without repeats. */
  readonly services: readonly string[];
}

/**
 * The most user data EC2 accepts (16 KB, before base64); Azure takes 64 KB, so the smaller limit holds for
 * a configuration meant for both clouds.
 */
export const MAX_USER_DATA_BYTES = 16 * 1024;

const packageName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9+.:_-]*$/, { error: 'a package name such as nginx or python3-pip' })
  .max(128);
const unitName = z.string().regex(/^[A-Za-z0-9@_.:-]+(\.(service|timer|socket|target))?$/, {
  error: 'a systemd unit such as nginx or app.timer',
});

/** The input schema of a configuration; the servers section uses it for each server. */
export const configurationSchema = z.strictObject({
  packages: z.array(packageName).optional(),
  files: z
    .array(
      z.strictObject({
        path: z
          .string()
          .regex(/^\/(?!.*(^|\/)\.\.(\/|$))[^\0\n]+$/, { error: 'an absolute path without .. segments' })
          .max(4096),
        content: z.string(),
        mode: z
          .string()
          .regex(/^0?[0-7]{3}$/, { error: 'an octal mode such as 0644 or 755' })
          .optional(),
        owner: z
          .string()
          .regex(/^[a-z_][a-z0-9_-]*:[a-z_][a-z0-9_-]*$/, { error: 'user:group, such as root:root' })
          .optional(),
      }),
    )
    .optional(),
  commands: z
    .array(
      z
        .string()
        .min(1)
        .regex(/^[^\n]+$/, { error: 'one line of shell' }),
    )
    .optional(),
  services: z.array(unitName).optional(),
});

/** A configuration as written in the spec. */
export type ConfigurationInput = z.input<typeof configurationSchema>;

/**
 * Resolves a parsed configuration: defaults for mode (`0644`) and owner (`root:root`), four-digit modes,
 * sorted packages and services. Reports a path written twice.
 */
export function resolveConfiguration(input: z.output<typeof configurationSchema> | undefined): {
  configuration: Configuration;
  issues: readonly SpecIssue[];
} {
  const issues = new IssueCollector();
  const files = (input?.files ?? []).map((f) => ({
    path: f.path,
    content: f.content,
    mode: (f.mode ?? '0644').padStart(4, '0'),
    owner: f.owner ?? 'root:root',
  }));
  issues.addAll(duplicateFilePaths(files));
  return {
    configuration: {
      packages: [...new Set(input?.packages ?? [])].sort(),
      files,
      commands: [...(input?.commands ?? [])],
      services: [...new Set(input?.services ?? [])].sort(),
    },
    issues: issues.issues,
  };
}

/** One problem per file path written twice, naming where it was first written. */
export function duplicateFilePaths(files: readonly Pick<ConfigurationFile, 'path'>[]): SpecIssue[] {
  const issues = new IssueCollector();
  const seen = new Map<string, number>();
  files.forEach((f, i) => {
    const first = seen.get(f.path);
    if (first !== undefined)
      issues.add(`files[${i}].path`, f.path, `a path no other file has (files[${first}] writes it too)`);
    else seen.set(f.path, i);
  });
  return [...issues.issues];
}

/**
 * A package name cloud-init can pass to apt-get or dnf: it puts the names after the install command with no `--`
 * before them, so a leading `-` would be an option, and apt-get reads a trailing `-` as "remove this package".
 */
const RENDERED_PACKAGE = /^[A-Za-z0-9](?:[A-Za-z0-9+.:_-]*[A-Za-z0-9+.:_])?$/;
const RENDERED_PATH = /^\/(?!.*(^|\/)\.\.(\/|$))[^\0\n]+$/;
const RENDERED_MODE = /^0?[0-7]{3}$/;
const RENDERED_OWNER = /^[A-Za-z_][A-Za-z0-9_.-]*:[A-Za-z_][A-Za-z0-9_.-]*$/;
/** The characters of a systemd unit name (systemd.unit(5)); no `/`, since `systemctl enable` links a unit file given by path. */
const RENDERED_UNIT = /^[A-Za-z0-9:_.@\\-]{1,255}$/;

/**
 * The values of a configuration that cloud-init could read as something other than what they say, each as a
 * problem (paths relative to the configuration), checked again when rendering so that a configuration built
 * without the spec (a construct used on its own) is held to the same limits:
 * - packages reach apt-get or dnf as arguments after options cloud-init writes, with no `--` between;
 * - file paths, modes and owners reach cloud-init's write_files (absolute paths, permission bits without setuid,
 *   setgid or sticky, `user:group`);
 * - services reach `systemctl enable --now --`, where a name cannot be an option but a path would be a unit file;
 * - commands are shell by design (`sh -c --`), so only what no shell can carry (a NUL) is refused.
 */
export function configurationIssues(configuration: Configuration): SpecIssue[] {
  const issues = new IssueCollector();
  configuration.packages.forEach((p, i) => {
    if (!RENDERED_PACKAGE.test(p)) {
      issues.add(
        `packages[${i}]`,
        p,
        'a package name of letters, digits and + . : _ -, starting with a letter or digit (apt-get and dnf would read a leading - as an option) and not ending in - (apt-get would remove the package)',
      );
    }
  });
  configuration.files.forEach((f, i) => {
    const problem = textProblem(f.path);
    if (problem !== undefined) {
      issues.add(`files[${i}].path`, f.path, `an absolute path; this one ${problem}`);
    } else if (!RENDERED_PATH.test(f.path)) {
      issues.add(`files[${i}].path`, f.path, 'an absolute path without .. segments or newlines');
    }
    if (!RENDERED_MODE.test(f.mode)) {
      issues.add(`files[${i}].mode`, f.mode, 'an octal mode such as 0644 or 755 (no setuid, setgid or sticky bit)');
    }
    if (!RENDERED_OWNER.test(f.owner)) issues.add(`files[${i}].owner`, f.owner, 'user:group, such as root:root');
  });
  configuration.commands.forEach((c, i) => {
    const problem = textProblem(c);
    if (problem !== undefined) issues.add(`commands[${i}]`, c, `shell that sh can run; this one ${problem}`);
  });
  configuration.services.forEach((s, i) => {
    if (!RENDERED_UNIT.test(s)) {
      issues.add(
        `services[${i}]`,
        s,
        'a systemd unit name of letters, digits and : _ . @ \\ - (not a path, which systemctl enable would link as a unit file)',
      );
    }
  });
  return [...issues.issues];
}

/**
 * Renders a configuration as cloud-init user data (`#cloud-config`), the same for every cloud and operating
 * system cloud-init supports: files are base64 (no YAML escaping of their content) and written after the
 * packages are installed, so their owners exist; commands then run in order and services are enabled and
 * started. Every value is one YAML double-quoted scalar ({@link yamlQuote}), so none can add a key; commands and
 * services are `runcmd` lists, which cloud-init quotes word by word for the shell, with `--` before the value
 * (`sh -c -- <command>`, `systemctl enable --now -- <unit>`), so none is read as an option. Pure and
 * deterministic: the same configuration always gives the same bytes.
 * @throws Error naming each value {@link configurationIssues} refuses, an unknown operating system, or a result
 * larger than MAX_USER_DATA_BYTES
 */
export function renderCloudInit(configuration: Configuration, os: OperatingSystem): string {
  const problems = configurationIssues(configuration).map((i) => ({ ...i, path: joinPath('configuration', i.path) }));
  if (!Object.hasOwn(OPERATING_SYSTEMS, os)) {
    problems.unshift({ path: 'os', value: os, message: `one of ${Object.keys(OPERATING_SYSTEMS).join(', ')}` });
  }
  if (problems.length > 0) throw new Error(problems.map(formatIssue).join('; '));
  const lines = ['#cloud-config', `# Rendered by platform-constructs for ${os}; edit the spec, not this file.`];
  if (configuration.packages.length > 0) {
    lines.push('package_update: true', 'packages:', ...configuration.packages.map((p) => `  - ${yamlQuote(p)}`));
  }
  if (configuration.files.length > 0) {
    lines.push('write_files:');
    for (const f of configuration.files) {
      lines.push(
        `  - path: ${yamlQuote(f.path)}`,
        `    encoding: "b64"`,
        `    content: ${yamlQuote(Buffer.from(f.content, 'utf8').toString('base64'))}`,
        `    permissions: ${yamlQuote(f.mode)}`,
        `    owner: ${yamlQuote(f.owner)}`,
        '    defer: true',
      );
    }
  }
  const runcmd = [
    ...configuration.commands.map((c) => endOfOptions(['sh', '-c'], [c])),
    ...configuration.services.map((s) => endOfOptions(['systemctl', 'enable', '--now'], [s])),
  ];
  if (runcmd.length > 0) lines.push('runcmd:', ...runcmd.map((argv) => `  - [${argv.map(yamlQuote).join(', ')}]`));
  const text = `${lines.join('\n')}\n`;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_USER_DATA_BYTES) {
    throw new Error(
      `configuration: renders to ${bytes} bytes of user data; EC2 accepts at most ${MAX_USER_DATA_BYTES}: move large files to a package, an S3 object or the Ansible playbook`,
    );
  }
  return text;
}
