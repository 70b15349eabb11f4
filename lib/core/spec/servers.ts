import { z } from 'zod';
import { parseCidr } from '../cidr';
import {
  configurationSchema,
  duplicateFilePaths,
  OPERATING_SYSTEMS,
  renderCloudInit,
  resolveConfiguration,
  type Configuration,
  type OperatingSystem,
} from '../configuration';
import { configurationFor, parseGitHubUrl, withAnsiblePull, type AnsibleSpec } from '../ansible';
import type { ServerHealthCheck } from '../api-checks';
import type { ServerCloud } from '../clouds';
import { OPERATING_SYSTEM_IMAGES } from '../server-images';
import { MAX_SERVER_COUNT, RESERVED_SUBNET_ADDRESSES, zoneIndexOf } from '../server-placement';
import { SERVER_SIZE_NAMES, SERVER_SIZES, type ServerSize } from '../server-sizes';
import { healthCheckPathProblem, portProblem } from '../workload-limits';
import type { NetworkSpec } from './network';
import { defineSection } from './section';
import {
  absoluteFilePathProblem,
  gitRefProblem,
  relativePathProblem,
  shellCommandProblem,
  textSchema,
  unitNameProblem,
} from './text';

/** The subnet tiers servers run in: private subnets reach the internet through NAT, never from it. */
export const SERVER_SUBNETS = ['private'] as const;

/** One server definition, resolved: `count` identical servers spread over the zones. */
export interface ServerSpec {
  /** Kebab-case name, unique in the environment: part of every resource name and alarm id. */
  readonly name: string;
  /** The size, mapped to an instance type and a VM size by SERVER_SIZES. */
  readonly size: ServerSize;
  /** The operating system on each cloud. */
  readonly os: Readonly<Record<ServerCloud, OperatingSystem>>;
  /** How many servers; server `i` runs in zone `i mod zones`. */
  readonly count: number;
  /** The root disk, in GiB. */
  readonly diskGiB: number;
  /** The subnet tier. */
  readonly subnet: (typeof SERVER_SUBNETS)[number];
  /** What to install, write, run and keep running, rendered to cloud-init. */
  readonly configuration: Configuration;
  /** An Ansible playbook run on a schedule. */
  readonly ansible?: AnsibleSpec;
  /**
   * Images pinned explicitly; unset, each server keeps the image current when it was created (a newer public
   * image never replaces a running server).
   */
  readonly image: { readonly awsImageId?: string; readonly azureImageVersion?: string };
  /**
   * The HTTP endpoint each server serves its health on, probed on the server every minute; the alarm
   * `server/<name>/health` fires within 5 minutes when it fails or the server stops reporting.
   * @default - none: no health probe (the availability, CPU, memory and disk alarms still apply)
   */
  readonly healthCheck?: ServerHealthCheck;
}

const osName = z.enum(Object.keys(OPERATING_SYSTEMS) as [OperatingSystem, ...OperatingSystem[]], {
  error: `one of ${Object.keys(OPERATING_SYSTEMS).join(', ')}`,
});

const PLAYBOOK_RULE = 'a playbook path relative to the repository root, ending in .yml or .yaml, such as site.yml';

const ansibleSchema = z.strictObject({
  repository: z.string().refine((url) => parseGitHubUrl(url) !== undefined, {
    error:
      'an https://github.com/<owner>/<repository> URL without credentials (AWS-ApplyAnsiblePlaybooks reads GitHub; ansible-pull on Azure reads the same URL)',
  }),
  // The ref and the playbook reach ansible-pull's command line and AWS-ApplyAnsiblePlaybooks' parameters.
  ref: textSchema('a branch or tag name such as main or v1.2.0', gitRefProblem).optional(),
  playbook: textSchema(PLAYBOOK_RULE, (playbook) => {
    if (!/^[A-Za-z0-9._/-]+\.ya?ml$/.test(playbook)) return PLAYBOOK_RULE;
    const problem = relativePathProblem(playbook);
    return problem && `${PLAYBOOK_RULE}: ${problem}`;
  }),
  everyMinutes: z
    .number()
    .int()
    .min(30, { error: 'at least 30 minutes (the shortest State Manager schedule)' })
    .max(1440, { error: 'at most 1440 minutes (once a day)' })
    .optional(),
  complianceSeverity: z
    .enum(['critical', 'high', 'medium', 'low', 'unspecified'], {
      error: 'one of critical, high, medium, low, unspecified',
    })
    .optional(),
});

const FILE_PATH_RULE = 'an absolute path without .. segments';
const UNIT_RULE = 'a systemd unit such as nginx or app.timer';

/**
 * The configuration schema with the rules for what reaches a command line or the file system: packages apt-get
 * cannot read as a removal, file paths absolute and normalized (so that two spellings of one path cannot both be
 * written, nor slip past the Ansible files), unit names and commands that cannot read as options.
 */
const serverConfigurationSchema = configurationSchema.extend({
  packages: z
    .array(
      configurationSchema.shape.packages.unwrap().element.superRefine((name, ctx) => {
        if (name.endsWith('-')) {
          ctx.addIssue({
            code: 'custom',
            input: name,
            message: 'a package name not ending in "-" (apt-get reads a trailing - as "remove this package")',
          });
        }
      }),
    )
    .optional(),
  files: z
    .array(
      configurationSchema.shape.files.unwrap().element.extend({
        path: textSchema(FILE_PATH_RULE, (path) => {
          const problem = absoluteFilePathProblem(path);
          return problem && `${FILE_PATH_RULE}: ${problem}`;
        }),
      }),
    )
    .optional(),
  commands: z
    .array(
      configurationSchema.shape.commands.unwrap().element.superRefine((command, ctx) => {
        const problem = command === '' ? undefined : shellCommandProblem(command);
        if (problem) ctx.addIssue({ code: 'custom', input: command, message: problem });
      }),
    )
    .optional(),
  services: z.array(textSchema(UNIT_RULE, unitNameProblem)).optional(),
});

/** A refinement that reports what a limit of lib/core/workload-limits.ts says of a value, in its words. */
function within<T>(problem: (value: T) => string | undefined): (value: T, ctx: z.RefinementCtx<T>) => void {
  return (value, ctx) => {
    const allowed = problem(value);
    if (allowed !== undefined) ctx.addIssue({ code: 'custom', input: value, message: allowed });
  };
}

/** A server's health endpoint: the port and path the probe requests on the server itself. */
const healthCheckSchema = z.strictObject({
  port: z.number({ error: 'a port from 1 to 65535' }).superRefine(within(portProblem)),
  path: z.string({ error: 'an absolute URL path such as /healthz' }).superRefine(within(healthCheckPathProblem)),
});

const serverSchema = z.strictObject({
  name: z.string().regex(/^[a-z](?:[a-z0-9]|-(?!-)){0,14}[a-z0-9]$/, {
    error: 'a kebab-case name of 2-16 lowercase letters, digits and single hyphens, such as web or batch-1',
  }),
  size: z.enum(SERVER_SIZE_NAMES, {
    error: `one of ${SERVER_SIZE_NAMES.map((s) => `${s} (${SERVER_SIZES[s].vcpus} vCPU, ${SERVER_SIZES[s].memoryGiB} GiB)`).join(', ')}`,
  }),
  os: z
    .union([osName, z.strictObject({ aws: osName, azure: osName })], {
      error: `an operating system (${Object.keys(OPERATING_SYSTEMS).join(', ')}) or { aws, azure } naming one per cloud`,
    })
    .optional(),
  count: z
    .number()
    .int()
    .min(1, { error: 'at least 1 server' })
    .max(MAX_SERVER_COUNT, {
      error: `at most ${MAX_SERVER_COUNT} servers per definition (each brings alarms; split a larger fleet into several definitions)`,
    })
    .optional(),
  diskGiB: z
    .number()
    .int({ error: 'a whole number of GiB' })
    .max(2048, { error: 'at most 2048 GiB (the largest OS disk both clouds boot from)' })
    .optional(),
  subnet: z.enum(SERVER_SUBNETS, { error: `one of ${SERVER_SUBNETS.join(', ')}` }).optional(),
  configuration: serverConfigurationSchema.optional(),
  ansible: ansibleSchema.optional(),
  image: z
    .strictObject({
      awsImageId: z
        .string()
        .regex(/^ami-[0-9a-f]{8}([0-9a-f]{9})?$/, { error: 'an AMI ID such as ami-0123456789abcdef0' })
        .optional(),
      azureImageVersion: z
        .string()
        .regex(/^\d+\.\d+\.\d+$/, { error: 'an image version such as 24.04.202411030' })
        .optional(),
    })
    .optional(),
  healthCheck: healthCheckSchema.optional(),
});

const EMPTY_CONFIGURATION: Configuration = { packages: [], files: [], commands: [], services: [] };

/** The default disk: the largest minimum of the images on both clouds (Ubuntu's Azure image is 30 GiB). */
export const DEFAULT_SERVER_DISK_GIB = 30;

/**
 * The `servers` section: the environment's servers, each a definition of `count` identical servers with their
 * configuration, optional Ansible playbook and pinned images.
 */
export const serversSection = defineSection({
  schema: z.array(serverSchema).optional(),
  defaults: {
    development: { count: 1, complianceSeverity: 'medium' as const },
    // Two servers spread over two zones survive the loss of one.
    production: { count: 2, complianceSeverity: 'high' as const },
  },
  resolve: (input, { defaults }): readonly ServerSpec[] =>
    (input ?? []).map((server) => {
      const os =
        typeof server.os === 'object'
          ? server.os
          : { aws: server.os ?? 'ubuntu-24.04', azure: server.os ?? 'ubuntu-24.04' };
      return {
        name: server.name,
        size: server.size,
        os,
        count: server.count ?? defaults.count,
        diskGiB: server.diskGiB ?? DEFAULT_SERVER_DISK_GIB,
        subnet: server.subnet ?? 'private',
        configuration: resolveConfiguration(server.configuration).configuration,
        ...(server.ansible && {
          ansible: {
            repository: server.ansible.repository,
            ref: server.ansible.ref ?? 'main',
            playbook: server.ansible.playbook,
            everyMinutes: server.ansible.everyMinutes ?? 30,
            complianceSeverity: server.ansible.complianceSeverity ?? defaults.complianceSeverity,
          },
        }),
        image: { ...server.image },
        ...(server.healthCheck && { healthCheck: { port: server.healthCheck.port, path: server.healthCheck.path } }),
      };
    }),
  check: (servers, env, report) => {
    const seen = new Map<string, number>();
    servers.forEach((server, i) => {
      const at = `servers[${i}]`;
      const first = seen.get(server.name);
      if (first !== undefined)
        report(`${at}.name`, server.name, `a name no other server has (servers[${first}] has it)`);
      else seen.set(server.name, i);

      for (const cloud of ['aws', 'azure'] as const) {
        const os = server.os[cloud];
        const image = OPERATING_SYSTEM_IMAGES[os];
        const runs = cloud === 'aws' ? image.awsImageParameter !== undefined : image.azureImage !== undefined;
        if (!runs) {
          const others = Object.entries(OPERATING_SYSTEM_IMAGES)
            .filter(([, img]) => (cloud === 'aws' ? img.awsImageParameter : img.azureImage) !== undefined)
            .map(([name]) => name);
          // A plain os resolves to the same name on both clouds; the spec then has no os.aws or os.azure.
          report(
            `${at}.os${server.os.aws === server.os.azure ? '' : `.${cloud}`}`,
            os,
            `${os} has no ${cloud === 'aws' ? 'AWS' : 'Azure'} image; use one of ${others.join(', ')} there, for instance os: { aws: '${server.os.aws}', azure: 'ubuntu-24.04' }`,
          );
          continue;
        }
        const min = image.minDiskGiB[cloud] ?? 0;
        if (server.diskGiB < min) {
          report(
            `${at}.diskGiB`,
            server.diskGiB,
            `at least ${min} GiB: the disk of the ${os} image on ${cloud === 'aws' ? 'AWS' : 'Azure'} is ${min} GiB`,
          );
        }
      }
      for (const cloud of ['aws', 'azure'] as const) {
        try {
          renderCloudInit(configurationFor(server.configuration, server.ansible, cloud), server.os[cloud]);
        } catch (error) {
          report(`${at}.configuration`, `(${cloud})`, (error as Error).message.replace(/^configuration: /, ''));
        }
      }
      if (server.ansible) {
        const reserved = new Set(withAnsiblePull(EMPTY_CONFIGURATION, server.ansible).files.map((f) => f.path));
        server.configuration.files.forEach((f, j) => {
          if (reserved.has(f.path)) {
            report(
              `${at}.configuration.files[${j}].path`,
              f.path,
              'a path the Ansible schedule does not write (it owns this file); remove the file or the playbook',
            );
          }
        });
      }
      for (const issue of duplicateFilePaths(server.configuration.files))
        report(`${at}.configuration.${issue.path}`, issue.value, issue.message);
    });

    if (servers.length > 0 && !env.azure.hasAdminSshKey) {
      report(
        'azure.adminSshPublicKey',
        undefined,
        'required when the environment has servers: Azure Linux VMs need an admin SSH key (kept for break-glass access; day-to-day access goes through Entra ID)',
      );
    }
    const network = env.sections.network as NetworkSpec | undefined;
    if (network) checkCapacity(servers, network, report);
  },
});

/** Reports server counts the subnets cannot hold: each zone's subnet keeps 5 addresses for the cloud. */
function checkCapacity(
  servers: readonly ServerSpec[],
  network: NetworkSpec,
  report: (path: string, value: unknown, message: string) => void,
): void {
  const awsUsable = 2 ** (32 - network.awsSubnetPrefix) - RESERVED_SUBNET_ADDRESSES;
  const azureBlock = parseCidr(network.azureSubnets.workloads);
  const azureUsable =
    typeof azureBlock === 'string' ? Infinity : 2 ** (32 - azureBlock.prefix) - RESERVED_SUBNET_ADDRESSES;
  const perZone = new Array<number>(network.zones).fill(0);
  let total = 0;
  servers.forEach((server, i) => {
    for (let n = 0; n < server.count; n++) perZone[zoneIndexOf(n, network.zones, server.name)]! += 1;
    total += server.count;
    const fullest = Math.max(...perZone);
    if (fullest > awsUsable) {
      report(
        `servers[${i}].count`,
        server.count,
        `the servers so far put ${fullest} in one zone, but each private subnet (/${network.awsSubnetPrefix}) holds ${awsUsable}; lower the count or widen network.cidr`,
      );
    } else if (total > azureUsable) {
      report(
        `servers[${i}].count`,
        server.count,
        `the servers so far number ${total}, but the Azure workloads subnet (${network.azureSubnets.workloads}) holds ${azureUsable}; lower the count or widen network.cidr`,
      );
    }
  });
}
