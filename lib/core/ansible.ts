import type { ServerCloud } from './clouds';
import type { Configuration } from './configuration';
import { CONFIGURATION_PATHS } from './configuration-applier';
import { formatIssue, IssueCollector, joinPath, type SpecIssue } from './errors';
import { endOfOptions, systemdQuote } from './shell';

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
