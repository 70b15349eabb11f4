import { createHash } from 'node:crypto';
import type { Configuration, OperatingSystem } from './configuration';
import type { AlarmBasics } from './alarm-registry';
import { formatIssue, IssueCollector, joinPath, type SpecIssue } from './errors';
import { endOfOptions, systemdQuote, yamlQuote } from './shell';

/** The sizes a server can have, smallest first. */
export const SERVER_SIZE_NAMES = ['small', 'medium', 'large', 'xlarge'] as const;
/** A server size. */
export type ServerSize = (typeof SERVER_SIZE_NAMES)[number];

/** What one size is on each cloud: the same vCPUs and memory, x86_64, general purpose. */
export interface ServerSizeMapping {
  /** Virtual CPUs. */
  readonly vcpus: number;
  /** Memory, in GiB. */
  readonly memoryGiB: number;
  /** The EC2 instance type (m6i: general purpose, Nitro, EBS-optimized by default). */
  readonly awsInstanceType: string;
  /** The Azure VM size (Dsv5: general purpose, premium storage). */
  readonly azureVmSize: string;
  /** The Azure size supports encryption at host (every Dsv5 size does). */
  readonly azureEncryptionAtHost: boolean;
}

/**
 * The size mapping, the same shape on both clouds so that a server costs and performs alike on each:
 * m6i and Dsv5 are both current-generation, general-purpose x86_64 families with 4 GiB per vCPU.
 */
export const SERVER_SIZES: Readonly<Record<ServerSize, ServerSizeMapping>> = {
  small: {
    vcpus: 2,
    memoryGiB: 8,
    awsInstanceType: 'm6i.large',
    azureVmSize: 'Standard_D2s_v5',
    azureEncryptionAtHost: true,
  },
  medium: {
    vcpus: 4,
    memoryGiB: 16,
    awsInstanceType: 'm6i.xlarge',
    azureVmSize: 'Standard_D4s_v5',
    azureEncryptionAtHost: true,
  },
  large: {
    vcpus: 8,
    memoryGiB: 32,
    awsInstanceType: 'm6i.2xlarge',
    azureVmSize: 'Standard_D8s_v5',
    azureEncryptionAtHost: true,
  },
  xlarge: {
    vcpus: 16,
    memoryGiB: 64,
    awsInstanceType: 'm6i.4xlarge',
    azureVmSize: 'Standard_D16s_v5',
    azureEncryptionAtHost: true,
  },
};

/** Where an operating system's image comes from on each cloud, and what its root file system is. */
export interface OperatingSystemImage {
  /** The public SSM parameter holding the current AMI ID (x86_64); undefined when the OS does not run on AWS. */
  readonly awsImageParameter?: string;
  /** The Azure Marketplace image; undefined when the OS does not run on Azure. */
  readonly azureImage?: { readonly publisher: string; readonly offer: string; readonly sku: string };
  /** The smallest root disk the image boots from, in GiB, on each cloud it runs on. */
  readonly minDiskGiB: { readonly aws?: number; readonly azure?: number };
  /** The root file system type (the CloudWatch agent's `fstype` dimension). */
  readonly rootFsType: string;
  /** The AMI's root device name, which an explicit block device mapping must use. */
  readonly awsRootDevice?: string;
  /** The system log the image writes, shipped to the environment's logs (Amazon Linux 2023 logs to the journal only). */
  readonly systemLog?: string;
}

/** Images of the operating systems servers run. */
export const OPERATING_SYSTEM_IMAGES: Readonly<Record<OperatingSystem, OperatingSystemImage>> = {
  'ubuntu-24.04': {
    awsImageParameter: '/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id',
    azureImage: { publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server' },
    // The Azure image's OS disk is 30 GiB; the AMI's root volume is 8 GiB.
    minDiskGiB: { aws: 8, azure: 30 },
    rootFsType: 'ext4',
    awsRootDevice: '/dev/sda1',
    systemLog: '/var/log/syslog',
  },
  'amazon-linux-2023': {
    awsImageParameter: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
    minDiskGiB: { aws: 8 },
    rootFsType: 'xfs',
    awsRootDevice: '/dev/xvda',
  },
};

/** The clouds a server definition is synthesized for. */
export const SERVER_CLOUDS = ['aws', 'azure'] as const;
/** A cloud. */
export type ServerCloud = (typeof SERVER_CLOUDS)[number];

/**
 * The zone of a server's instance: instances go round the zones in order, starting at a zone that follows from
 * the definition's name, so instance `i` is always in the same zone and single-server definitions do not all
 * crowd into the first zone. Adding instances, or reordering definitions, never moves an existing one (on
 * Azure `zone` is ForceNew: a move would re-create the VM and its disk); changing the number of zones does.
 * @param server the definition's name; without it the rotation starts at zone 0
 * @returns the zone's index, from 0
 */
export function zoneIndexOf(instance: number, zones: number, server?: string): number {
  const offset = server === undefined ? 0 : createHash('sha256').update(server, 'utf8').digest()[0]! % zones;
  return (offset + instance) % zones;
}

/** The most instances one server definition may have: 5 alarms per instance keep a compute stack well inside 500 resources. */
export const MAX_SERVER_COUNT = 20;

/** Addresses the clouds reserve in every subnet (AWS and Azure both keep 5). */
export const RESERVED_SUBNET_ADDRESSES = 5;

/** The tag (AWS) and tag name (Azure) the backup capability selects servers by; its value is the plan's name. */
export const BACKUP_TAG = 'platform:backup';
/** The tag naming a server's definition (`<env>-<name>`); configuration, Ansible and patching target it. */
export const SERVER_TAG = 'platform:server';

/**
 * The tag AWS Patch Manager selects a patch baseline by (`PatchGroup`, one of the two keys it reads); its value is
 * {@link patchGroupName}, one per operating system, since a baseline serves one operating system.
 */
export const PATCH_GROUP_TAG = 'PatchGroup';

/** The patch group of an environment's servers of one operating system: `platform-<env>-<os>`. */
export function patchGroupName(environment: string, os: OperatingSystem): string {
  return `platform-${environment}-${os}`;
}

/**
 * The CloudWatch namespace a server definition's agent writes to (`Platform/<env>/server/<name>`): one per
 * definition, so its role may write there only, and dashboards find its instances by namespace, without
 * referencing them (the dashboard lives in another stack).
 */
export function serverMetricNamespace(environment: string, server: string): string {
  return `Platform/${environment}/server/${server}`;
}

/** The backup plan's name of an environment, the value of BACKUP_TAG on everything it protects. */
export function backupPlanName(environment: string): string {
  return `platform-${environment}`;
}

/** Where a server writes the configuration it was given and the one it applied (the same on both clouds). */
export const CONFIGURATION_PATHS = {
  /** The cloud-config received. */
  incoming: '/var/lib/platform/cloud-config.yaml',
  /** The SHA-256 of the cloud-config last applied. */
  applied: '/var/lib/platform/applied.sha256',
  /** The script that applies a cloud-config to a running server. */
  applier: '/usr/local/sbin/platform-configure',
  /** Where the library's own tools log (shipped to the environment's logs). */
  logDirectory: '/var/log/platform',
} as const;

/** The SHA-256 (hex) of a rendered configuration: what changes when the configuration does. */
export function configurationHash(cloudConfig: string): string {
  return createHash('sha256').update(cloudConfig, 'utf8').digest('hex');
}

/**
 * The script that applies a cloud-config to a running server, on both clouds: it runs the cloud-init modules
 * the renderer uses (packages, deferred files, commands) with frequency `always`, then records the config's hash,
 * so an unchanged configuration is not applied twice and a changed one is applied without a reboot or a new
 * server. Commands therefore run again after every change: write them so that running twice is harmless.
 * Output goes to `/var/log/platform/configure.log` and the journal (both reach the environment's logs).
 */
export function renderApplier(): string {
  const p = CONFIGURATION_PATHS;
  return [
    '#!/bin/sh',
    '# platform-configure: applies a cloud-config to a running server (rendered by platform-constructs).',
    'set -eu',
    `config="\${1:-${p.incoming}}"`,
    `mkdir -p ${p.logDirectory} /var/lib/platform`,
    `exec >>${p.logDirectory}/configure.log 2>&1`,
    // Status lines also go to syslog, which the Azure Monitor Agent collects (the file reaches CloudWatch on AWS).
    'say() { echo "$(date -u +%FT%TZ) $*"; logger -t platform-configure -- "$*" || true; }',
    'hash=$(sha256sum "$config" | cut -d" " -f1)',
    `if [ -f ${p.applied} ] && [ "$(cat ${p.applied})" = "$hash" ]; then say "configuration $hash already applied"; exit 0; fi`,
    'say "applying configuration $hash"',
    'for module in package_update_upgrade_install write_files_deferred runcmd scripts_user; do',
    '  cloud-init single --name "$module" --frequency always --file "$config" || { say "ERROR: cloud-init module $module failed"; exit 1; }',
    'done',
    `echo "$hash" > ${p.applied}`,
    'say "configuration $hash applied"',
    '',
  ].join('\n');
}

/** Azure's instance metadata endpoint for the VM's user data (base64), readable only from the VM itself. */
export const AZURE_USER_DATA_URL =
  'http://169.254.169.254/metadata/instance/compute/userData?api-version=2021-01-01&format=text';

/**
 * The first-boot cloud-config of an Azure VM (its `custom_data`). It never holds the configuration: it installs
 * the applier and a timer that reads the VM's `user_data` from the instance metadata every 5 minutes and applies
 * it when it changed. `custom_data` is ForceNew in azurerm (a change re-creates the VM and its OS disk) while
 * `user_data` is updated in place, so the configuration travels in `user_data` and this text stays the same.
 * Its bytes are pinned by a test: changing them only affects new VMs (the Server ignores later changes).
 */
export function renderAzureBootstrap(): string {
  const p = CONFIGURATION_PATHS;
  const fetch = [
    '#!/bin/sh',
    '# platform-fetch-configuration: reads the VM user data and applies it (rendered by platform-constructs).',
    'set -eu',
    'mkdir -p /var/lib/platform',
    `curl --silent --fail --show-error --header Metadata:true --noproxy '*' '${AZURE_USER_DATA_URL}' | base64 --decode > ${p.incoming}.new`,
    `[ -s ${p.incoming}.new ] || { echo "no user data"; exit 0; }`,
    `mv ${p.incoming}.new ${p.incoming}`,
    `exec ${p.applier} ${p.incoming}`,
    '',
  ].join('\n');
  const service = [
    '[Unit]',
    'Description=Apply the configuration in the VM user data (platform-constructs)',
    'Wants=network-online.target',
    'After=network-online.target cloud-final.service',
    '',
    '[Service]',
    'Type=oneshot',
    'ExecStart=/usr/local/sbin/platform-fetch-configuration',
    'SyslogIdentifier=platform-configure',
    '',
  ].join('\n');
  const timer = [
    '[Unit]',
    'Description=Check the VM user data for a new configuration every 5 minutes (platform-constructs)',
    '',
    '[Timer]',
    'OnBootSec=1min',
    'OnUnitActiveSec=5min',
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n');
  const file = (path: string, content: string, mode: string): string[] => [
    `  - path: ${yamlQuote(path)}`,
    `    encoding: "b64"`,
    `    content: ${yamlQuote(Buffer.from(content, 'utf8').toString('base64'))}`,
    `    permissions: ${yamlQuote(mode)}`,
    '    owner: "root:root"',
  ];
  return [
    '#cloud-config',
    '# Rendered by platform-constructs: installs the configuration applier; the configuration is in the user data.',
    'write_files:',
    ...file(p.applier, renderApplier(), '0755'),
    ...file('/usr/local/sbin/platform-fetch-configuration', fetch, '0755'),
    ...file('/etc/systemd/system/platform-configure.service', service, '0644'),
    ...file('/etc/systemd/system/platform-configure.timer', timer, '0644'),
    'runcmd:',
    '  - ["systemctl", "daemon-reload"]',
    '  - ["systemctl", "enable", "--now", "platform-configure.timer"]',
    '',
  ].join('\n');
}

/** An Ansible playbook run on a schedule, resolved (`servers[i].ansible`). */
export interface AnsibleSpec {
  /** The git repository holding the playbook (HTTPS, github.com on AWS). */
  readonly repository: string;
  /** The branch or tag checked out. */
  readonly ref: string;
  /** The playbook, relative to the repository root. */
  readonly playbook: string;
  /** How often the playbook runs, in minutes (30 to 1440). */
  readonly everyMinutes: number;
  /** How a failed run counts in compliance reports (AWS State Manager). */
  readonly complianceSeverity: 'critical' | 'high' | 'medium' | 'low' | 'unspecified';
}

/** Where Ansible logs on both clouds (set by `/etc/ansible/ansible.cfg`), shipped to the environment's logs. */
export const ANSIBLE_LOG_PATH = `${CONFIGURATION_PATHS.logDirectory}/ansible.log`;

/** `/etc/ansible/ansible.cfg`: Ansible's log goes where the environment's log shippers read. */
export function renderAnsibleConfig(): string {
  return `[defaults]\nlog_path = ${ANSIBLE_LOG_PATH}\n`;
}

/** The parts of a github.com repository URL (AWS-ApplyAnsiblePlaybooks reads GitHub by owner and name). */
export function parseGitHubUrl(url: string): { owner: string; repository: string } | undefined {
  const match =
    /^https:\/\/github\.com\/([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/(?!\.{1,2}(?:\.git)?\/?$)([A-Za-z0-9._-]{1,100}?)(?:\.git)?\/?$/.exec(
      url,
    );
  return match ? { owner: match[1]!, repository: match[2]! } : undefined;
}

/** Where ansible-pull keeps its checkout of the repository on Azure. */
const ANSIBLE_PULL_DIRECTORY = '/var/lib/platform/ansible';

/** An https URL ansible-pull can put into its own command line: no credentials, query, fragment, space or quote. */
const PULL_URL = /^https:\/\/[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?(?:\/[A-Za-z0-9._~-]+)*\/?$/;
/** The characters of a ref or a playbook path that no command line, request or script reads as anything but data. */
const PLAIN_PATH = /^[A-Za-z0-9._/-]+$/;

/**
 * Whether a branch or tag name follows git's rules (git-check-ref-format(1), with `--branch`'s ban on a leading
 * `-`) and holds only letters, digits and `._/-`: what ansible-pull, the git module and AWS-ApplyAnsiblePlaybooks
 * can all carry, since none of them quotes it.
 */
export function isSafeGitRef(ref: string): boolean {
  return (
    PLAIN_PATH.test(ref) &&
    !/^[-/.]/.test(ref) &&
    !/[/.]$/.test(ref) &&
    !/\.\.|\/\/|\/\./.test(ref) &&
    !/\.lock(\/|$)/.test(ref)
  );
}

/**
 * The values of an Ansible spec that no quoting on our side makes safe, each as a problem (paths relative to
 * `ansible`). ansible-pull builds two command lines of its own from them, unquoted: `ansible ... -a "name=<url>
 * version=<ref> ..."` (split like a shell would, the module arguments split again at spaces and templated by
 * Jinja2) and `ansible-playbook ... <directory>/<playbook>`; AWS-ApplyAnsiblePlaybooks splices the ref and the
 * playbook into a request and a bash script. So the repository, ref and playbook are held to characters none of
 * them reads as anything but data, and the schedule to a whole number of minutes (it is written into a systemd
 * timer and a State Manager rate). A playbook may still begin with `-`: ansible-pull receives it after `--`, and
 * joins it to its directory; AWS refuses it separately.
 */
export function ansibleIssues(ansible: AnsibleSpec): SpecIssue[] {
  const issues = new IssueCollector();
  if (!PULL_URL.test(ansible.repository)) {
    issues.add(
      'repository',
      ansible.repository,
      'an https:// URL of a git repository without credentials, query, fragment or characters other than letters, digits and . _ ~ - / (ansible-pull puts it unquoted into a command line of its own)',
    );
  }
  if (!isSafeGitRef(ansible.ref)) {
    issues.add(
      'ref',
      ansible.ref,
      "a branch or tag name of letters, digits and . _ / - by git's rules: not starting with - . or /, without .. // or /., not ending in / . or .lock (ansible-pull and AWS-ApplyAnsiblePlaybooks pass it on unquoted)",
    );
  }
  if (
    !PLAIN_PATH.test(ansible.playbook) ||
    ansible.playbook.startsWith('/') ||
    /(^|\/)\.\.(\/|$)/.test(ansible.playbook)
  ) {
    issues.add(
      'playbook',
      ansible.playbook,
      'a path relative to the repository root, of letters, digits and . _ / - without .. segments (ansible-pull puts it unquoted into the ansible-playbook command it runs)',
    );
  }
  if (!Number.isInteger(ansible.everyMinutes) || ansible.everyMinutes < 1) {
    issues.add('everyMinutes', ansible.everyMinutes, 'a whole number of minutes, at least 1');
  }
  return [...issues.issues];
}

/**
 * Adds a scheduled `ansible-pull` to a configuration (used on Azure, where no service schedules playbooks):
 * a systemd service and timer, the packages they need and Ansible's log file. The service's command line gives
 * each value as one argument: `--url=<repository>` and `--checkout=<ref>` (one word each, so a value cannot
 * become an option of its own), `--` before the playbook, and every word quoted for systemd ({@link systemdQuote}).
 * Pure: the same inputs give the same configuration, so a change of repository, ref, playbook or schedule reaches
 * running servers through the configuration, like any other change.
 * @throws Error naming each value {@link ansibleIssues} refuses
 */
export function withAnsiblePull(configuration: Configuration, ansible: AnsibleSpec): Configuration {
  const problems = ansibleIssues(ansible);
  if (problems.length > 0) {
    throw new Error(problems.map((i) => formatIssue({ ...i, path: joinPath('ansible', i.path) })).join('; '));
  }
  const pull = endOfOptions(
    [
      '/usr/bin/ansible-pull',
      `--url=${ansible.repository}`,
      `--checkout=${ansible.ref}`,
      `--directory=${ANSIBLE_PULL_DIRECTORY}`,
      '--only-if-changed',
    ],
    [ansible.playbook],
  );
  const service = [
    '[Unit]',
    'Description=Apply the Ansible playbook (platform-constructs)',
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=oneshot',
    `ExecStart=${pull.map(systemdQuote).join(' ')}`,
    'SyslogIdentifier=platform-ansible',
    '',
  ].join('\n');
  const timer = [
    '[Unit]',
    'Description=Run the Ansible playbook on a schedule (platform-constructs)',
    '',
    '[Timer]',
    'OnBootSec=5min',
    `OnUnitActiveSec=${ansible.everyMinutes}min`,
    'RandomizedDelaySec=5min',
    'Persistent=true',
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n');
  const files = [
    { path: '/etc/ansible/ansible.cfg', content: renderAnsibleConfig(), mode: '0644', owner: 'root:root' },
    { path: '/etc/systemd/system/platform-ansible.service', content: service, mode: '0644', owner: 'root:root' },
    { path: '/etc/systemd/system/platform-ansible.timer', content: timer, mode: '0644', owner: 'root:root' },
  ];
  return {
    packages: [...new Set([...configuration.packages, 'ansible-core', 'git'])].sort(),
    files: [...configuration.files, ...files],
    commands: ['systemctl daemon-reload', ...configuration.commands],
    services: [...new Set([...configuration.services, 'platform-ansible.timer'])].sort(),
  };
}

/** Adds Ansible's log configuration to a configuration (used on AWS, where State Manager runs the playbook). */
export function withAnsibleLog(configuration: Configuration): Configuration {
  return {
    ...configuration,
    files: [
      ...configuration.files,
      { path: '/etc/ansible/ansible.cfg', content: renderAnsibleConfig(), mode: '0644', owner: 'root:root' },
    ],
  };
}

/**
 * The configuration a server receives on one cloud: the spec's, plus what Ansible needs there (on Azure a
 * scheduled ansible-pull, on AWS only Ansible's log file, since State Manager schedules the playbook).
 */
export function configurationFor(
  configuration: Configuration,
  ansible: AnsibleSpec | undefined,
  cloud: ServerCloud,
): Configuration {
  if (!ansible) return configuration;
  return cloud === 'azure' ? withAnsiblePull(configuration, ansible) : withAnsibleLog(configuration);
}

/** The ids of a server's default alarms, `server/<name>/<kind>`. */
export function serverAlarmId(server: string, kind: ServerAlarmKind): string {
  return `server/${server}/${kind}`;
}

/** The kinds of default server alarm, and the clouds that have each. */
export const SERVER_ALARMS = {
  /** AWS: the host failed its system status check; the alarm's action recovers the instance onto new hardware. */
  recovery: ['aws'],
  /** AWS: the instance failed its instance status check (the OS is not responding). */
  'status-checks': ['aws'],
  /** Azure: the VM is not available (VmAvailabilityMetric below 1). */
  availability: ['azure'],
  cpu: ['aws', 'azure'],
  memory: ['aws', 'azure'],
  disk: ['aws', 'azure'],
} as const satisfies Record<string, readonly ServerCloud[]>;
/** A kind of default server alarm. */
export type ServerAlarmKind = keyof typeof SERVER_ALARMS;

/** The neutral half of the server alarms both clouds share: thresholds in percent, meaning and first response. */
export const SERVER_ALARM_BASICS: Readonly<Record<'cpu' | 'memory' | 'disk', AlarmBasics>> = {
  cpu: {
    threshold: 90,
    evaluationPeriods: 3,
    severity: 'warning',
    description: ({ threshold, evaluationPeriods }) =>
      `A server's CPU was above ${threshold}% for ${evaluationPeriods * 5} minutes.`,
    firstResponse: 'Find the busy process (top, over a Session Manager or SSH session) before resizing the server.',
  },
  memory: {
    threshold: 90,
    evaluationPeriods: 3,
    severity: 'warning',
    description: ({ threshold, evaluationPeriods }) =>
      `A server used more than ${threshold}% of its memory for ${evaluationPeriods * 5} minutes.`,
    firstResponse: 'Look for a leaking process (ps aux --sort=-rss) and the kernel log for OOM kills before resizing.',
  },
  disk: {
    threshold: 85,
    evaluationPeriods: 1,
    severity: 'warning',
    description: ({ threshold }) => `A server's root file system is more than ${threshold}% full.`,
    firstResponse:
      'Clear old logs and packages (journalctl --vacuum-time, apt/dnf clean), then raise diskGiB in the spec.',
  },
};
