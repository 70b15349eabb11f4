import { execFileSync } from 'node:child_process';
import { parse } from 'yaml';
import { z } from 'zod';
import {
  configurationIssues,
  configurationSchema,
  duplicateFilePaths,
  MAX_USER_DATA_BYTES,
  renderCloudInit,
  resolveConfiguration,
  shellQuote,
  type Configuration,
  type ConfigurationInput,
  type OperatingSystem,
} from '../../lib/core';
import { errorOf } from '../util/fixtures';

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
        '  - ["sh", "-c", "--", "nginx -t"]',
        '  - ["systemctl", "enable", "--now", "--", "nginx"]',
        '',
      ].join('\n'),
    );
  });

  test('quotes and backslashes in commands stay one YAML scalar; an empty configuration is just the header', () => {
    const { configuration } = resolve({ commands: ['echo "a\\b" > /tmp/x'] });
    const text = renderCloudInit(configuration, 'amazon-linux-2023');
    expect(text.split('\n')[3]).toBe('  - ["sh", "-c", "--", "echo \\"a\\\\b\\" > /tmp/x"]');
    expect(JSON.parse(text.split('\n')[3]!.slice(4))).toEqual(['sh', '-c', '--', 'echo "a\\b" > /tmp/x']);
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

/**
 * Configurations built without the spec, as a construct used on its own receives them: the renderer is the last
 * line of defence between a value and the command lines cloud-init builds.
 */
describe('configuration: hostile values, rendered without the spec', () => {
  const EMPTY: Configuration = { packages: [], files: [], commands: [], services: [] };
  const file = { path: '/etc/app.conf', content: 'a=1\n', mode: '0644', owner: 'root:root' };
  const render = (change: Partial<Configuration>): string => renderCloudInit({ ...EMPTY, ...change }, 'ubuntu-24.04');
  const paths = (change: Partial<Configuration>): string[] =>
    configurationIssues({ ...EMPTY, ...change }).map((i) => i.path);
  /** The runcmd entries of a rendered cloud-config, as cloud-init reads them (YAML 1.1). */
  const runcmd = (text: string): string[][] => (parse(text, { version: '1.1' }) as { runcmd: string[][] }).runcmd;

  test('a service named like an option is enabled after --, so systemctl reads it as a unit name', () => {
    const text = render({ services: ['--force', '-.mount'] });
    expect(text).toContain('\n  - ["systemctl", "enable", "--now", "--", "--force"]\n');
    expect(runcmd(text)).toEqual([
      ['systemctl', 'enable', '--now', '--', '--force'],
      ['systemctl', 'enable', '--now', '--', '-.mount'],
    ]);
  });

  test('a command that begins with - or + follows -- on the sh -c line, so sh runs it instead of reading options', () => {
    const text = render({ commands: ['-x', 'printf \'%s|\' "$0" data'] });
    expect(text).toContain('\n  - ["sh", "-c", "--", "-x"]\n');
    // cloud-init writes each runcmd list as one line of single-quoted words (util.shellify), as shellQuote does.
    const script = runcmd(text)
      .map((argv) => `${argv.map(shellQuote).join(' ')} 2>&1 || true`)
      .join('\n');
    expect(execFileSync('sh', ['-c', script], { encoding: 'utf8' })).toMatch(/-x: .*not found\nsh\|data\|$/);
  });

  test('packages apt-get or dnf would read as options or removals, or that hold spaces and shell, are refused', () => {
    const hostile = ['--allow-unauthenticated', '-oAPT::Get::Trivial-Only=1', 'nginx-', 'nginx x', '$(id)', 'a;b', ''];
    expect(paths({ packages: ['nginx', ...hostile, 'g++', 'libc6:amd64', 'python3.12'] })).toEqual(
      hostile.map((_, i) => `packages[${i + 1}]`),
    );
    expect(() => render({ packages: ['--allow-unauthenticated'] })).toThrow(
      /^configuration\.packages\[0\]: "--allow-unauthenticated" - a package name of letters, digits and \+ \. : _ -, starting with a letter or digit \(apt-get and dnf would read a leading - as an option\)/,
    );
  });

  test('services that are paths, or hold spaces, shell, quotes or newlines, are refused', () => {
    const hostile = ['/etc/evil.service', 'x; reboot', '$(id)', '`id`', "it's", 'a\nb', ''];
    expect(paths({ services: ['nginx', 'getty@tty1.service', ...hostile] })).toEqual(
      hostile.map((_, i) => `services[${i + 2}]`),
    );
    expect(() => render({ services: ['x; reboot'] })).toThrow(
      /^configuration\.services\[0\]: "x; reboot" - a systemd unit name of letters, digits and : _ \. @ \\ - \(not a path/,
    );
  });

  test('relative paths, .. segments, special permission bits and owners other than user:group are refused', () => {
    const files = [
      { ...file, path: 'etc/app.conf' },
      { ...file, path: '/etc/../shadow' },
      { ...file, path: '/tmp/a\nb' },
      { ...file, path: '/tmp/a\0b' },
      { ...file, mode: '4755' },
      { ...file, mode: '0o644' },
      { ...file, mode: '644\nruncmd: [reboot]' },
      { ...file, owner: 'root' },
      { ...file, owner: 'root:root\n- x' },
      { ...file, owner: '-u:root' },
    ];
    expect(paths({ files: [file, { ...file, mode: '755' }, ...files] })).toEqual([
      'files[2].path',
      'files[3].path',
      'files[4].path',
      'files[5].path',
      'files[6].mode',
      'files[7].mode',
      'files[8].mode',
      'files[9].owner',
      'files[10].owner',
      'files[11].owner',
    ]);
    expect(() => render({ files: [{ ...file, mode: '4755' }] })).toThrow(
      /^configuration\.files\[0\]\.mode: "4755" - an octal mode such as 0644 or 755 \(no setuid, setgid or sticky bit\)$/,
    );
  });

  test('a command may hold any shell, newlines included, but not a NUL', () => {
    expect(paths({ commands: ['echo one\necho "$HOME" `id` $(id) | tee /tmp/x; true', 'echo a\0b'] })).toEqual([
      'commands[1]',
    ]);
  });

  test('an unknown operating system is refused before it reaches the header comment', () => {
    expect(() => renderCloudInit(EMPTY, 'ubuntu-24.04\nruncmd: [[reboot]]' as OperatingSystem)).toThrow(
      /^os: "ubuntu-24\.04\\nruncmd: \[\[reboot\]\]" - one of ubuntu-24\.04, amazon-linux-2023$/,
    );
  });

  test('every problem is named in one error', () => {
    const { message } = errorOf(() =>
      render({ packages: ['-x'], services: ['a b'], files: [{ ...file, owner: 'root' }] }),
    );
    expect(message.split('; ').map((m) => m.split(':')[0])).toEqual([
      'configuration.packages[0]',
      'configuration.files[0].owner',
      'configuration.services[0]',
    ]);
  });

  test('every value is one YAML scalar: quotes, colons, #, newlines and line separators add no key or item', () => {
    const configuration: Configuration = {
      packages: ['nginx'],
      files: [
        { path: '/tmp/a": b', content: 'x', mode: '0600', owner: 'root:root' },
        { path: '/tmp/#x\u2028- y\x7f\x85', content: '', mode: '644', owner: 'www-data:www-data' },
      ],
      commands: ['echo "a": b\n- c', 'echo \'# x\' && echo "$HOME" `id`'],
      services: ['--force'],
    };
    expect(parse(renderCloudInit(configuration, 'amazon-linux-2023'), { version: '1.1' })).toEqual({
      package_update: true,
      packages: ['nginx'],
      write_files: [
        { path: '/tmp/a": b', encoding: 'b64', content: 'eA==', permissions: '0600', owner: 'root:root', defer: true },
        {
          path: '/tmp/#x\u2028- y\x7f\x85',
          encoding: 'b64',
          content: '',
          permissions: '644',
          owner: 'www-data:www-data',
          defer: true,
        },
      ],
      runcmd: [
        ['sh', '-c', '--', 'echo "a": b\n- c'],
        ['sh', '-c', '--', 'echo \'# x\' && echo "$HOME" `id`'],
        ['systemctl', 'enable', '--now', '--', '--force'],
      ],
    });
  });
});
