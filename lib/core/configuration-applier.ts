import { createHash } from 'node:crypto';
import { yamlQuote } from './shell';

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
