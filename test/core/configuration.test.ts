import { z } from 'zod';
import {
  configurationSchema,
  duplicateFilePaths,
  MAX_USER_DATA_BYTES,
  renderCloudInit,
  resolveConfiguration,
  type ConfigurationInput,
} from '../../lib/core';

function resolve(input: ConfigurationInput) {
  return resolveConfiguration(configurationSchema.parse(input));
}

/** The problems zod finds, as `path: message`. */
function schemaProblems(input: unknown): string[] {
  const result = configurationSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('configuration', () => {
  test('defaults: mode 0644, owner root:root; packages and services sorted without repeats', () => {
    const { configuration, issues } = resolve({
      packages: ['nginx', 'curl', 'nginx'],
      files: [
        { path: '/etc/app.conf', content: 'a=1\n', mode: '600' },
        { path: '/etc/motd', content: 'hi' },
      ],
      commands: ['echo one', 'echo two'],
      services: ['nginx', 'app.timer', 'nginx'],
    });
    expect(issues).toEqual([]);
    expect(configuration).toEqual({
      packages: ['curl', 'nginx'],
      files: [
        { path: '/etc/app.conf', content: 'a=1\n', mode: '0600', owner: 'root:root' },
        { path: '/etc/motd', content: 'hi', mode: '0644', owner: 'root:root' },
      ],
      commands: ['echo one', 'echo two'],
      services: ['app.timer', 'nginx'],
    });
  });

  test('a path written twice is reported with both places', () => {
    const { issues } = resolve({
      files: [
        { path: '/etc/a', content: '1' },
        { path: '/etc/b', content: '2' },
        { path: '/etc/a', content: '3' },
      ],
    });
    expect(issues).toEqual([
      { path: 'files[2].path', value: '/etc/a', message: 'a path no other file has (files[0] writes it too)' },
    ]);
  });

  test('invalid modes, relative paths, owners, packages and units are named with what is allowed', () => {
    expect(
      schemaProblems({
        packages: ['Nginx'],
        files: [
          { path: 'etc/app.conf', content: '', mode: '0999', owner: 'root' },
          { path: '/etc/../shadow', content: '' },
        ],
        services: ['bad unit'],
      }),
    ).toEqual([
      'packages.0: a package name such as nginx or python3-pip',
      'files.0.path: an absolute path without .. segments',
      'files.0.mode: an octal mode such as 0644 or 755',
      'files.0.owner: user:group, such as root:root',
      'files.1.path: an absolute path without .. segments',
      'services.0: a systemd unit such as nginx or app.timer',
    ]);
  });

  test('renders cloud-config: packages, base64 files written after the packages, commands, then services', () => {
    const { configuration } = resolve({
      packages: ['nginx'],
      files: [{ path: '/etc/nginx/conf.d/app.conf', content: 'server { listen 8080; }\n', owner: 'www-data:www-data' }],
      commands: ['nginx -t'],
      services: ['nginx'],
    });
    expect(renderCloudInit(configuration, 'ubuntu-24.04')).toBe(
      [
        '#cloud-config',
        '# Rendered by platform-constructs for ubuntu-24.04; edit the spec, not this file.',
        'package_update: true',
        'packages:',
        '  - "nginx"',
        'write_files:',
        '  - path: "/etc/nginx/conf.d/app.conf"',
        '    encoding: "b64"',
        `    content: "${Buffer.from('server { listen 8080; }\n').toString('base64')}"`,
        '    permissions: "0644"',
        '    owner: "www-data:www-data"',
        '    defer: true',
        'runcmd:',
        '  - ["sh", "-c", "nginx -t"]',
        '  - ["systemctl", "enable", "--now", "nginx"]',
        '',
      ].join('\n'),
    );
  });

  test('quotes and backslashes in commands stay one YAML scalar; an empty configuration is just the header', () => {
    const { configuration } = resolve({ commands: ['echo "a\\b" > /tmp/x'] });
    const text = renderCloudInit(configuration, 'amazon-linux-2023');
    expect(text.split('\n')[3]).toBe('  - ["sh", "-c", "echo \\"a\\\\b\\" > /tmp/x"]');
    expect(JSON.parse(text.split('\n')[3]!.slice(4))).toEqual(['sh', '-c', 'echo "a\\b" > /tmp/x']);
    expect(renderCloudInit(resolve({}).configuration, 'ubuntu-24.04')).toBe(
      '#cloud-config\n# Rendered by platform-constructs for ubuntu-24.04; edit the spec, not this file.\n',
    );
  });

  test('the same configuration renders the same bytes; one too large for EC2 user data is refused', () => {
    const input: ConfigurationInput = { packages: ['b', 'a'], services: ['y', 'x'] };
    expect(renderCloudInit(resolve(input).configuration, 'ubuntu-24.04')).toBe(
      renderCloudInit(resolve({ packages: ['a', 'b'], services: ['x', 'y'] }).configuration, 'ubuntu-24.04'),
    );
    const big = resolve({ files: [{ path: '/opt/big', content: 'x'.repeat(MAX_USER_DATA_BYTES) }] }).configuration;
    expect(() => renderCloudInit(big, 'ubuntu-24.04')).toThrow(
      /^configuration: renders to \d+ bytes of user data; EC2 accepts at most 16384: move large files to a package, an S3 object or the Ansible playbook$/,
    );
  });

  test('the schema is strict: an unknown key is refused', () => {
    expect(z.prettifyError(configurationSchema.safeParse({ package: ['x'] }).error!)).toMatch(/package/);
  });
});

describe('configuration: file paths and empty input', () => {
  test('every repeat of a path is reported, each naming the first file that writes it', () => {
    expect(
      duplicateFilePaths([{ path: '/etc/a' }, { path: '/etc/b' }, { path: '/etc/a' }, { path: '/etc/a' }]),
    ).toEqual([
      { path: 'files[2].path', value: '/etc/a', message: 'a path no other file has (files[0] writes it too)' },
      { path: 'files[3].path', value: '/etc/a', message: 'a path no other file has (files[0] writes it too)' },
    ]);
  });

  test('no configuration resolves to an empty one', () => {
    expect(resolveConfiguration(undefined)).toEqual({
      configuration: { packages: [], files: [], commands: [], services: [] },
      issues: [],
    });
  });

  test('a configuration that renders to exactly 16384 bytes is accepted; one byte more is refused', () => {
    const render = (path: string): string =>
      renderCloudInit(resolve({ files: [{ path, content: 'x'.repeat(12000) }] }).configuration, 'ubuntu-24.04');
    // Each character of the path is one byte of the rendered text: pad it to fill the limit exactly.
    const room = MAX_USER_DATA_BYTES - Buffer.byteLength(render('/f'), 'utf8');
    expect(room).toBeGreaterThan(0);
    const path = `/f${'f'.repeat(room)}`;
    expect(Buffer.byteLength(render(path), 'utf8')).toBe(MAX_USER_DATA_BYTES);
    expect(() => render(`${path}f`)).toThrow(/^configuration: renders to 16385 bytes of user data;/);
  });
});
