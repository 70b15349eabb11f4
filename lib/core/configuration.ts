import { z } from 'zod';
import { IssueCollector, type SpecIssue } from './errors';

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

/** A YAML scalar: JSON's double-quoted strings are valid YAML, and need no YAML library. */
function yaml(value: string): string {
  return JSON.stringify(value);
}

/**
 * Renders a configuration as cloud-init user data (`#cloud-config`), the same for every cloud and operating
 * system cloud-init supports: files are base64 (no YAML escaping of their content) and written after the
 * packages are installed, so their owners exist; commands then run in order and services are enabled and
 * started. Pure and deterministic: the same configuration always gives the same bytes.
 * @throws Error when the result exceeds MAX_USER_DATA_BYTES
 */
export function renderCloudInit(configuration: Configuration, os: OperatingSystem): string {
  const lines = ['#cloud-config', `# Rendered by platform-constructs for ${os}; edit the spec, not this file.`];
  if (configuration.packages.length > 0) {
    lines.push('package_update: true', 'packages:', ...configuration.packages.map((p) => `  - ${yaml(p)}`));
  }
  if (configuration.files.length > 0) {
    lines.push('write_files:');
    for (const f of configuration.files) {
      lines.push(
        `  - path: ${yaml(f.path)}`,
        `    encoding: "b64"`,
        `    content: ${yaml(Buffer.from(f.content, 'utf8').toString('base64'))}`,
        `    permissions: ${yaml(f.mode)}`,
        `    owner: ${yaml(f.owner)}`,
        '    defer: true',
      );
    }
  }
  const runcmd = [
    ...configuration.commands.map((c) => `  - [${['sh', '-c', c].map(yaml).join(', ')}]`),
    ...configuration.services.map((s) => `  - [${['systemctl', 'enable', '--now', s].map(yaml).join(', ')}]`),
  ];
  if (runcmd.length > 0) lines.push('runcmd:', ...runcmd);
  const text = `${lines.join('\n')}\n`;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_USER_DATA_BYTES) {
    throw new Error(
      `configuration: renders to ${bytes} bytes of user data; EC2 accepts at most ${MAX_USER_DATA_BYTES}: move large files to a package, an S3 object or the Ansible playbook`,
    );
  }
  return text;
}
