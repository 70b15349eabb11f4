// What the example servers share on both clouds, written out as a hand-written program would keep it.
//
// The cloud-config: YAML with each file's content base64-encoded (so no YAML quoting can break it), the same
// bytes as ours renders from the spec (renderCloudInit and configurationFor in lib/core), which the bench
// checks by comparing the outputs. Kept apart from lib/core/configuration.ts on purpose: that module loads
// zod, which a raw program would not.
//
// The texts of the alarms both clouds have (CPU, memory, disk): threshold, periods, meaning, first response.

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** Where Ansible logs on both clouds, shipped to the environment's logs. */
const ANSIBLE_CFG = '[defaults]\nlog_path = /var/log/platform/ansible.log\n';

/** A file of a cloud-config's write_files, written after the packages are installed. */
function file(path: string, content: string): string {
  return [
    `  - path: "${path}"`,
    '    encoding: "b64"',
    `    content: "${b64(content)}"`,
    '    permissions: "0644"',
    '    owner: "root:root"',
    '    defer: true',
  ].join('\n');
}

/** The web servers (Ubuntu 24.04, on both clouds): nginx serving a static health page. */
export const WEB_CLOUD_CONFIG = `#cloud-config
# Rendered by platform-constructs for ubuntu-24.04; edit the spec, not this file.
package_update: true
packages:
  - "nginx"
write_files:
${file('/var/www/html/healthz', 'ok\n')}
${file('/etc/nginx/conf.d/platform.conf', 'server_tokens off;\n')}
runcmd:
  - ["systemctl", "enable", "--now", "--", "nginx"]
`;

/** The ops servers on AWS (Amazon Linux 2023): State Manager runs the playbook, so only Ansible's log setting. */
export const OPS_CLOUD_CONFIG_AWS = `#cloud-config
# Rendered by platform-constructs for amazon-linux-2023; edit the spec, not this file.
write_files:
${file('/etc/ansible/ansible.cfg', ANSIBLE_CFG)}
`;

const ANSIBLE_PULL_SERVICE = `[Unit]
Description=Apply the Ansible playbook (platform-constructs)
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
ExecStart=/usr/bin/ansible-pull --url=https://github.com/example-org/platform-playbooks --checkout=main --directory=/var/lib/platform/ansible --only-if-changed -- ops.yml
SyslogIdentifier=platform-ansible
`;

const ANSIBLE_PULL_TIMER = `[Unit]
Description=Run the Ansible playbook on a schedule (platform-constructs)

[Timer]
OnBootSec=5min
OnUnitActiveSec=30min
RandomizedDelaySec=5min
Persistent=true

[Install]
WantedBy=timers.target
`;

/** The ops servers on Azure (Ubuntu 24.04): nothing schedules playbooks there, so a systemd timer runs ansible-pull. */
export const OPS_CLOUD_CONFIG_AZURE = `#cloud-config
# Rendered by platform-constructs for ubuntu-24.04; edit the spec, not this file.
package_update: true
packages:
  - "ansible-core"
  - "git"
write_files:
${file('/etc/ansible/ansible.cfg', ANSIBLE_CFG)}
${file('/etc/systemd/system/platform-ansible.service', ANSIBLE_PULL_SERVICE)}
${file('/etc/systemd/system/platform-ansible.timer', ANSIBLE_PULL_TIMER)}
runcmd:
  - ["sh", "-c", "--", "systemctl daemon-reload"]
  - ["systemctl", "enable", "--now", "--", "platform-ansible.timer"]
`;

/** An alarm both clouds have: when it fires (over 5-minute periods) and what it says. */
export interface SharedServerAlarm {
  readonly threshold: number;
  readonly evaluationPeriods: number;
  readonly description: string;
  readonly firstResponse: string;
}

/** The warning alarms of every server on both clouds (all notify the warning channels). */
export const SERVER_ALARMS: Readonly<Record<'cpu' | 'memory' | 'disk', SharedServerAlarm>> = {
  cpu: {
    threshold: 90,
    evaluationPeriods: 3,
    description: "A server's CPU was above 90% for 15 minutes.",
    firstResponse: 'Find the busy process (top, over a Session Manager or SSH session) before resizing the server.',
  },
  memory: {
    threshold: 90,
    evaluationPeriods: 3,
    description: 'A server used more than 90% of its memory for 15 minutes.',
    firstResponse: 'Look for a leaking process (ps aux --sort=-rss) and the kernel log for OOM kills before resizing.',
  },
  disk: {
    threshold: 85,
    evaluationPeriods: 1,
    description: "A server's root file system is more than 85% full.",
    firstResponse:
      'Clear old logs and packages (journalctl --vacuum-time, apt/dnf clean), then raise diskGiB in the spec.',
  },
};
