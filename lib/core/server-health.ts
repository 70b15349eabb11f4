import type { ServerHealthCheck } from './api-checks';
import type { Configuration } from './configuration';
import { shellQuote } from './shell';

/** Where the probe script lives on a server. */
export const HEALTH_PROBE_PATH = '/usr/local/lib/platform/health-probe';

/** The systemd units that run the probe every minute. */
export const HEALTH_PROBE_UNITS = {
  service: 'platform-health.service',
  timer: 'platform-health.timer',
} as const;

/** Seconds one probe waits for the endpoint before it counts as failed. */
export const HEALTH_PROBE_TIMEOUT_SECONDS = 10;

/**
 * The probe script, pure: it requests `http://127.0.0.1:<port><path>` with curl and sets `HEALTH` to 1 when the
 * endpoint answers with a 2xx or 3xx status within {@link HEALTH_PROBE_TIMEOUT_SECONDS}, else 0; then runs the
 * cloud's `report` lines, which read `$HEALTH` (AWS sends it to the CloudWatch agent, Azure writes it to syslog).
 */
export function renderHealthProbe(check: ServerHealthCheck, report: readonly string[]): string {
  const url = `http://127.0.0.1:${check.port}${check.path}`;
  return [
    '#!/bin/bash',
    "# Probes this server's health endpoint once and reports 1 (healthy) or 0 (platform-constructs).",
    'HEALTH=0',
    `if curl --fail --silent --output /dev/null --max-time ${HEALTH_PROBE_TIMEOUT_SECONDS} -- ${shellQuote(url)}; then`,
    '  HEALTH=1',
    'fi',
    ...report,
    '',
  ].join('\n');
}

/**
 * Adds the health probe to a configuration: the script, a oneshot service and a timer that runs it every minute
 * from boot, and curl. `report` is the cloud's lines that send `$HEALTH` on (see {@link renderHealthProbe}).
 */
export function withHealthProbe(
  configuration: Configuration,
  check: ServerHealthCheck,
  report: readonly string[],
): Configuration {
  const service = [
    '[Unit]',
    'Description=Probe the health endpoint and report it (platform-constructs)',
    '',
    '[Service]',
    'Type=oneshot',
    `ExecStart=${HEALTH_PROBE_PATH}`,
    'SyslogIdentifier=platform-health',
    '',
  ].join('\n');
  const timer = [
    '[Unit]',
    'Description=Probe the health endpoint every minute (platform-constructs)',
    '',
    '[Timer]',
    'OnBootSec=1min',
    'OnUnitActiveSec=1min',
    'AccuracySec=1s',
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n');
  const files = [
    { path: HEALTH_PROBE_PATH, content: renderHealthProbe(check, report), mode: '0755', owner: 'root:root' },
    { path: `/etc/systemd/system/${HEALTH_PROBE_UNITS.service}`, content: service, mode: '0644', owner: 'root:root' },
    { path: `/etc/systemd/system/${HEALTH_PROBE_UNITS.timer}`, content: timer, mode: '0644', owner: 'root:root' },
  ];
  return {
    packages: [...new Set([...configuration.packages, 'curl'])].sort(),
    files: [...configuration.files, ...files],
    commands: ['systemctl daemon-reload', ...configuration.commands],
    services: [...new Set([...configuration.services, HEALTH_PROBE_UNITS.timer])].sort(),
  };
}
