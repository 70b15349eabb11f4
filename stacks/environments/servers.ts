import type { ConfigurationInput } from '../../lib/core';

/** The break-glass admin key of the example environments' Azure VMs (public half only; replace with your own). */
export const EXAMPLE_ADMIN_SSH_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINcHJ9pkEHbs06DzF/d8CTJtnKONmjl4XyHznF1QT3gG platform-break-glass';

/** A web server's configuration: nginx serving a static health page. */
export const WEB_CONFIGURATION: ConfigurationInput = {
  packages: ['nginx'],
  files: [
    { path: '/var/www/html/healthz', content: 'ok\n', mode: '0644' },
    {
      path: '/etc/nginx/conf.d/platform.conf',
      content: 'server_tokens off;\n',
      mode: '0644',
    },
  ],
  services: ['nginx'],
};

/** The operations playbook every environment's ops servers run (owned by the platform team). */
export const OPS_PLAYBOOK = {
  repository: 'https://github.com/example-org/platform-playbooks',
  playbook: 'ops.yml',
} as const;
