import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  alarmName,
  ansibleIssues,
  AZURE_USER_DATA_URL,
  backupPlanName,
  CONFIGURATION_PATHS,
  configurationFor,
  configurationHash,
  DEFAULT_SERVER_DISK_GIB,
  defineEnvironment,
  OPERATING_SYSTEM_IMAGES,
  OPERATING_SYSTEMS,
  parseGitHubUrl,
  patchGroupName,
  renderAnsibleConfig,
  renderApplier,
  renderAzureBootstrap,
  renderCloudInit,
  serverAlarmId,
  SERVER_ALARMS,
  SERVER_SIZE_NAMES,
  SERVER_SIZES,
  serversSection,
  SpecError,
  withAnsibleLog,
  isSafeGitRef,
  withAnsiblePull,
  zoneIndexOf,
  type AnsibleSpec,
  type Configuration,
  type EnvironmentInput,
  type NetworkSpec,
  type OperatingSystem,
} from '../../lib/core';
import { devInput, errorOf, prodInput } from '../util/fixtures';

/** A break-glass key in the OpenSSH format the spec accepts. */
const SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPlatformExampleKey platform@example';

/** An environment input with these servers (written as the spec would, valid or not) and an admin SSH key. */
function withServers(servers: unknown, base: EnvironmentInput = devInput()): EnvironmentInput {
  return {
    ...base,
    azure: { ...base.azure, adminSshPublicKey: SSH_KEY },
    servers: servers as EnvironmentInput['servers'],
  };
}

/** The problems a spec produces, as `path: value - message` lines. */
function problems(input: EnvironmentInput): string[] {
  const error = errorOf(() => defineEnvironment(input));
  expect(SpecError.isSpecError(error)).toBe(true);
  return (error as SpecError).issues.map((i) => `${i.path}: ${JSON.stringify(i.value)} - ${i.message}`);
}

const EMPTY: Configuration = { packages: [], files: [], commands: [], services: [] };

const ANSIBLE: AnsibleSpec = {
  repository: 'https://github.com/acme/playbooks',
  ref: 'v1.2.0',
  playbook: 'plays/site.yml',
  everyMinutes: 45,
  complianceSeverity: 'high',
};

const REPOSITORY_MESSAGE =
  'an https://github.com/<owner>/<repository> URL without credentials (AWS-ApplyAnsiblePlaybooks reads GitHub; ansible-pull on Azure reads the same URL)';
const PLAYBOOK_MESSAGE = 'a playbook path relative to the repository root, ending in .yml or .yaml, such as site.yml';

describe('servers section: defaults', () => {
  test('an environment without servers has none and needs no Azure admin SSH key', () => {
    expect(defineEnvironment(devInput()).servers).toEqual([]);
  });

  test('development: one ubuntu-24.04 server of 30 GiB in the private subnets, Ansible from main every 30 minutes at medium severity', () => {
    const env = defineEnvironment(
      withServers([
        {
          name: 'web',
          size: 'small',
          ansible: { repository: 'https://github.com/acme/playbooks', playbook: 'site.yml' },
        },
      ]),
    );
    expect(env.servers).toEqual([
      {
        name: 'web',
        size: 'small',
        os: { aws: 'ubuntu-24.04', azure: 'ubuntu-24.04' },
        count: 1,
        diskGiB: 30,
        subnet: 'private',
        configuration: EMPTY,
        ansible: {
          repository: 'https://github.com/acme/playbooks',
          ref: 'main',
          playbook: 'site.yml',
          everyMinutes: 30,
          complianceSeverity: 'medium',
        },
        image: {},
      },
    ]);
    expect(env.azure.adminSshPublicKey).toBe(SSH_KEY);
  });

  test('production: two servers per definition, and a failed playbook run counts as high severity', () => {
    const env = defineEnvironment(
      withServers(
        [
          {
            name: 'web',
            size: 'medium',
            ansible: { repository: 'https://github.com/acme/playbooks', playbook: 'site.yml' },
          },
        ],
        prodInput(),
      ),
    );
    expect(env.servers[0]).toMatchObject({ count: 2, diskGiB: 30, subnet: 'private' });
    expect(env.servers[0]?.ansible?.complianceSeverity).toBe('high');
  });

  test('a server without a playbook has no ansible field', () => {
    const env = defineEnvironment(withServers([{ name: 'web', size: 'small' }]));
    expect(env.servers[0]).not.toHaveProperty('ansible');
  });

  test('the default disk is the largest minimum of every image, so each OS boots from it on both clouds', () => {
    const minimums = Object.values(OPERATING_SYSTEM_IMAGES).flatMap((i) => [
      i.minDiskGiB.aws ?? 0,
      i.minDiskGiB.azure ?? 0,
    ]);
    expect(DEFAULT_SERVER_DISK_GIB).toBe(30);
    expect(Math.max(...minimums)).toBe(DEFAULT_SERVER_DISK_GIB);
  });

  test('an os object names one operating system per cloud', () => {
    const env = defineEnvironment(
      withServers([{ name: 'batch', size: 'large', os: { aws: 'amazon-linux-2023', azure: 'ubuntu-24.04' } }]),
    );
    expect(env.servers[0]?.os).toEqual({ aws: 'amazon-linux-2023', azure: 'ubuntu-24.04' });
  });

  test('explicit values win over the defaults, and pinned images are kept', () => {
    const env = defineEnvironment(
      withServers([
        {
          name: 'web',
          size: 'xlarge',
          count: 3,
          diskGiB: 100,
          ansible: {
            repository: 'https://github.com/acme/playbooks.git',
            ref: 'v1.2.0',
            playbook: 'plays/site.yaml',
            everyMinutes: 1440,
            complianceSeverity: 'critical',
          },
          image: { awsImageId: 'ami-0123456789abcdef0', azureImageVersion: '24.04.202411030' },
        },
      ]),
    );
    expect(env.servers[0]).toMatchObject({
      count: 3,
      diskGiB: 100,
      ansible: {
        repository: 'https://github.com/acme/playbooks.git',
        ref: 'v1.2.0',
        playbook: 'plays/site.yaml',
        everyMinutes: 1440,
        complianceSeverity: 'critical',
      },
      image: { awsImageId: 'ami-0123456789abcdef0', azureImageVersion: '24.04.202411030' },
    });
  });

  test('the configuration is resolved: four-digit modes, root:root owners, sorted packages and services without repeats', () => {
    const env = defineEnvironment(
      withServers([
        {
          name: 'web',
          size: 'small',
          configuration: {
            packages: ['nginx', 'curl', 'nginx'],
            files: [{ path: '/etc/app.conf', content: 'a=1\n', mode: '755' }],
            commands: ['nginx -t'],
            services: ['nginx', 'app.timer'],
          },
        },
      ]),
    );
    expect(env.servers[0]?.configuration).toEqual({
      packages: ['curl', 'nginx'],
      files: [{ path: '/etc/app.conf', content: 'a=1\n', mode: '0755', owner: 'root:root' }],
      commands: ['nginx -t'],
      services: ['app.timer', 'nginx'],
    });
  });
});

describe('servers section: rules', () => {
  test('an invalid entry does not hide the problems of the valid ones: all are reported at once', () => {
    expect(
      problems(
        withServers([
          { name: 'web', size: 'huge' },
          {
            name: 'api',
            size: 'small',
            diskGiB: 20,
            configuration: {
              files: [
                { path: '/b', content: 'y' },
                { path: '/b', content: 'z' },
              ],
            },
          },
        ]),
      ),
    ).toEqual([
      'dev.servers[0].size: "huge" - one of small (2 vCPU, 8 GiB), medium (4 vCPU, 16 GiB), large (8 vCPU, 32 GiB), xlarge (16 vCPU, 64 GiB)',
      'dev.servers[1].diskGiB: 20 - at least 30 GiB: the disk of the ubuntu-24.04 image on Azure is 30 GiB',
      'dev.servers[1].configuration.files[1].path: "/b" - a path no other file has (files[0] writes it too)',
    ]);
  });

  test('an unknown size is refused with the sizes and what each is', () => {
    expect(problems(withServers([{ name: 'web', size: 'tiny' }]))).toEqual([
      'dev.servers[0].size: "tiny" - one of small (2 vCPU, 8 GiB), medium (4 vCPU, 16 GiB), large (8 vCPU, 32 GiB), xlarge (16 vCPU, 64 GiB)',
    ]);
  });

  test('a disk smaller than the Azure Ubuntu image is refused with the image size', () => {
    expect(problems(withServers([{ name: 'web', size: 'small', diskGiB: 20 }]))).toEqual([
      'dev.servers[0].diskGiB: 20 - at least 30 GiB: the disk of the ubuntu-24.04 image on Azure is 30 GiB',
    ]);
  });

  test('a disk smaller than both images is reported once per cloud', () => {
    expect(problems(withServers([{ name: 'web', size: 'small', diskGiB: 4 }]))).toEqual([
      'dev.servers[0].diskGiB: 4 - at least 8 GiB: the disk of the ubuntu-24.04 image on AWS is 8 GiB',
      'dev.servers[0].diskGiB: 4 - at least 30 GiB: the disk of the ubuntu-24.04 image on Azure is 30 GiB',
    ]);
  });

  test('amazon-linux-2023 needs only 8 GiB on AWS; the Azure side keeps its own minimum', () => {
    expect(
      problems(
        withServers([
          { name: 'web', size: 'small', diskGiB: 8, os: { aws: 'amazon-linux-2023', azure: 'ubuntu-24.04' } },
        ]),
      ),
    ).toEqual(['dev.servers[0].diskGiB: 8 - at least 30 GiB: the disk of the ubuntu-24.04 image on Azure is 30 GiB']);
  });

  test('a disk above 2048 GiB is refused', () => {
    expect(problems(withServers([{ name: 'web', size: 'small', diskGiB: 2049 }]))).toEqual([
      'dev.servers[0].diskGiB: 2049 - at most 2048 GiB (the largest OS disk both clouds boot from)',
    ]);
  });

  test('amazon-linux-2023 as a plain os is refused at servers[i].os: it has no Azure image', () => {
    expect(problems(withServers([{ name: 'web', size: 'small', os: 'amazon-linux-2023' }]))).toEqual([
      "dev.servers[0].os: \"amazon-linux-2023\" - amazon-linux-2023 has no Azure image; use one of ubuntu-24.04 there, for instance os: { aws: 'amazon-linux-2023', azure: 'ubuntu-24.04' }",
    ]);
  });

  test('amazon-linux-2023 on the azure side of an os object is refused at os.azure', () => {
    expect(
      problems(withServers([{ name: 'web', size: 'small', os: { aws: 'ubuntu-24.04', azure: 'amazon-linux-2023' } }])),
    ).toEqual([
      "dev.servers[0].os.azure: \"amazon-linux-2023\" - amazon-linux-2023 has no Azure image; use one of ubuntu-24.04 there, for instance os: { aws: 'ubuntu-24.04', azure: 'ubuntu-24.04' }",
    ]);
  });

  test('an unknown operating system is refused with the ones allowed', () => {
    expect(problems(withServers([{ name: 'web', size: 'small', os: 'windows-2022' }]))).toEqual([
      'dev.servers[0].os: "windows-2022" - an operating system (ubuntu-24.04, amazon-linux-2023) or { aws, azure } naming one per cloud',
    ]);
  });

  test('an invalid file mode is refused at its file', () => {
    expect(
      problems(
        withServers([
          { name: 'web', size: 'small', configuration: { files: [{ path: '/etc/a', content: '', mode: '0999' }] } },
        ]),
      ),
    ).toEqual(['dev.servers[0].configuration.files[0].mode: "0999" - an octal mode such as 0644 or 755']);
  });

  test('a file path written twice is reported at the second file, naming the first', () => {
    expect(
      problems(
        withServers([
          { name: 'api', size: 'small' },
          {
            name: 'web',
            size: 'small',
            configuration: {
              files: [
                { path: '/etc/a', content: '1' },
                { path: '/etc/b', content: '2' },
                { path: '/etc/a', content: '3' },
              ],
            },
          },
        ]),
      ),
    ).toEqual([
      'dev.servers[1].configuration.files[2].path: "/etc/a" - a path no other file has (files[0] writes it too)',
    ]);
  });

  test('a file at a path the Ansible schedule writes is refused', () => {
    expect(
      problems(
        withServers([
          {
            name: 'web',
            size: 'small',
            configuration: { files: [{ path: '/etc/ansible/ansible.cfg', content: '[defaults]\n' }] },
            ansible: { repository: 'https://github.com/acme/playbooks', playbook: 'site.yml' },
          },
        ]),
      ),
    ).toContainEqual(
      expect.stringMatching(/^dev\.servers\[0\]\.configuration\.files\[0\]\.path: "\/etc\/ansible\/ansible\.cfg" - /),
    );
  });

  test.each([
    [0, 'at least 1 server'],
    [21, 'at most 20 servers per definition (each brings alarms; split a larger fleet into several definitions)'],
  ])('count %j is refused', (count, message) => {
    expect(problems(withServers([{ name: 'web', size: 'small', count }]))).toEqual([
      `dev.servers[0].count: ${count} - ${message}`,
    ]);
  });

  test('servers that fill a zone exactly are accepted; one more is refused at the definition that overflows', () => {
    // A /24 over 2 zones gives /27 subnets: 32 addresses, 5 reserved, 27 per zone; 20+20+14 puts 27 in each.
    const network = { cidr: '10.10.0.0/24' };
    const fits = [20, 20, 14].map((count, n) => ({ name: `web-${n}`, size: 'small', count }));
    expect(defineEnvironment({ ...withServers(fits), network }).network.awsSubnetPrefix).toBe(27);
    const over = [20, 20, 20].map((count, n) => ({ name: `web-${n}`, size: 'small', count }));
    expect(problems({ ...withServers(over), network })).toEqual([
      'dev.servers[2].count: 20 - the servers so far put 30 in one zone, but each private subnet (/27) holds 27; lower the count or widen network.cidr',
    ]);
  });

  test('the first server to overflow a zone is reported, with the count the zone would hold', () => {
    const singles = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `s-${i}`, size: 'small' as const }));
    const fits = defineEnvironment({ ...withServers(singles(27)), network: { cidr: '10.10.0.0/24' } });
    expect(fits.servers).toHaveLength(27);
    const overflow = problems({ ...withServers(singles(60)), network: { cidr: '10.10.0.0/24' } });
    expect(overflow[0]).toMatch(
      /^dev\.servers\[\d+\]\.count: 1 - the servers so far put 28 in one zone, but each private subnet \(\/27\) holds 27/,
    );
  });

  test('more servers than the Azure workloads subnet holds are refused at the definition that overflows it', () => {
    // The library's own networks always give the Azure workloads subnet more room than the AWS private subnets
    // together, so this rule is checked on a network given directly.
    const servers = defineEnvironment(
      withServers([
        { name: 'api', size: 'small', count: 6 },
        { name: 'web', size: 'small', count: 6 },
      ]),
    ).servers;
    const network: NetworkSpec = {
      cidr: '10.10.0.0/16',
      zones: 2,
      natGateways: 1,
      awsSubnetPrefix: 24,
      azureSubnets: { workloads: '10.10.0.0/28', data: '10.10.0.16/28', apps: '10.10.0.32/28' },
      zoneRedundant: false,
    };
    const reported: string[] = [];
    serversSection.check?.(
      servers,
      {
        name: 'dev',
        tier: 'development',
        aws: { zoneCandidates: [] },
        azure: { hasAdminSshKey: true, hasKeyVault: false },
        sections: { network },
      },
      (path, value, message) => reported.push(`${path}: ${JSON.stringify(value)} - ${message}`),
    );
    expect(reported).toEqual([
      'servers[1].count: 6 - the servers so far number 12, but the Azure workloads subnet (10.10.0.0/28) holds 11; lower the count or widen network.cidr',
    ]);
  });

  test('a name used twice is refused at the second definition, naming the first', () => {
    expect(
      problems(
        withServers([
          { name: 'web', size: 'small' },
          { name: 'api', size: 'small' },
          { name: 'web', size: 'medium' },
        ]),
      ),
    ).toEqual(['dev.servers[2].name: "web" - a name no other server has (servers[0] has it)']);
  });

  test.each(['Web', 'w', 'web--1', 'web-', 'a-very-long-server-name'])('name %j is refused', (name) => {
    expect(problems(withServers([{ name, size: 'small' }]))).toEqual([
      `dev.servers[0].name: ${JSON.stringify(name)} - a kebab-case name of 2-16 lowercase letters, digits and single hyphens, such as web or batch-1`,
    ]);
  });

  test.each([
    ['a host other than github.com', 'https://gitlab.com/acme/playbooks'],
    ['plain http', 'http://github.com/acme/playbooks'],
    ['credentials in the URL', 'https://user:token@github.com/acme/playbooks'],
    ['an SSH URL', 'git@github.com:acme/playbooks.git'],
    ['a path below the repository', 'https://github.com/acme/playbooks/tree/main'],
  ])('a playbook repository with %s is refused', (_, repository) => {
    expect(
      problems(withServers([{ name: 'web', size: 'small', ansible: { repository, playbook: 'site.yml' } }])),
    ).toEqual([`dev.servers[0].ansible.repository: ${JSON.stringify(repository)} - ${REPOSITORY_MESSAGE}`]);
  });

  test.each([
    ['../x.yml', `${PLAYBOOK_MESSAGE}: no .. segments (the path must say where it goes, and stay there)`],
    ['plays/../../x.yml', `${PLAYBOOK_MESSAGE}: no .. segments (the path must say where it goes, and stay there)`],
    ['/abs.yml', `${PLAYBOOK_MESSAGE}: a path relative to the root, not starting with /`],
    ['site.txt', PLAYBOOK_MESSAGE],
    ['site', PLAYBOOK_MESSAGE],
    [
      '-e.yml',
      `${PLAYBOOK_MESSAGE}: a path that does not start with "-" (on a command line it would read as an option)`,
    ],
    [
      '-i.yml',
      `${PLAYBOOK_MESSAGE}: a path that does not start with "-" (on a command line it would read as an option)`,
    ],
    ['plays//site.yml', `${PLAYBOOK_MESSAGE}: a normalized path: no // (an empty segment)`],
    ['./site.yml', `${PLAYBOOK_MESSAGE}: a normalized path: no . segments`],
  ])('playbook %j is refused', (playbook, message) => {
    expect(
      problems(
        withServers([
          { name: 'web', size: 'small', ansible: { repository: 'https://github.com/acme/playbooks', playbook } },
        ]),
      ),
    ).toEqual([`dev.servers[0].ansible.playbook: ${JSON.stringify(playbook)} - ${message}`]);
  });

  test.each([
    ['a..b', 'no ".." (git reads it as a range of commits)'],
    ['/main', 'not starting or ending with "/"'],
    ['main/', 'not starting or ending with "/"'],
    [
      'feature branch',
      'letters, digits and . _ / - only; " " is refused (git forbids spaces, ~ ^ : ? * [ \\ and @{, and the ref reaches a command line unquoted)',
    ],
    ['--help', 'not starting with "-" (git and ansible-pull would read it as an option)'],
    ['-b', 'not starting with "-" (git and ansible-pull would read it as an option)'],
    ['main.lock', 'no part ending in ".lock" (the name of git\'s lock files)'],
    ['release/v1.lock/x', 'no part ending in ".lock" (the name of git\'s lock files)'],
    ['feature//x', 'no "//"'],
    ['v1.', 'not ending with "."'],
    ['.hidden', 'no part starting with "."'],
    ['release/.x', 'no part starting with "."'],
    [
      '@',
      'letters, digits and . _ / - only; "@" is refused (git forbids spaces, ~ ^ : ? * [ \\ and @{, and the ref reaches a command line unquoted)',
    ],
    [
      'main@{1}',
      'letters, digits and . _ / - only; "@" is refused (git forbids spaces, ~ ^ : ? * [ \\ and @{, and the ref reaches a command line unquoted)',
    ],
    [
      'a~1',
      'letters, digits and . _ / - only; "~" is refused (git forbids spaces, ~ ^ : ? * [ \\ and @{, and the ref reaches a command line unquoted)',
    ],
    [
      '$(reboot)',
      'letters, digits and . _ / - only; "$" is refused (git forbids spaces, ~ ^ : ? * [ \\ and @{, and the ref reaches a command line unquoted)',
    ],
    ['', 'not empty, such as main or v1.2.0'],
    ['x'.repeat(101), 'at most 100 characters'],
  ])('ref %j is refused: git check-ref-format rules', (ref, rule) => {
    expect(
      problems(
        withServers([
          {
            name: 'web',
            size: 'small',
            ansible: { repository: 'https://github.com/acme/playbooks', ref, playbook: 'site.yml' },
          },
        ]),
      ),
    ).toEqual([`dev.servers[0].ansible.ref: ${JSON.stringify(ref)} - a branch or tag name git accepts: ${rule}`]);
  });

  test.each(['main', 'v1.2.0', 'release/2024-11', 'feature/x_y', 'a.b/c-d'])('ref %j is accepted', (ref) => {
    const env = defineEnvironment(
      withServers([
        {
          name: 'web',
          size: 'small',
          ansible: { repository: 'https://github.com/acme/playbooks', ref, playbook: 'site.yml' },
        },
      ]),
    );
    expect(env.servers[0]?.ansible?.ref).toBe(ref);
  });

  test.each([
    [10, 'at least 30 minutes (the shortest State Manager schedule)'],
    [2000, 'at most 1440 minutes (once a day)'],
  ])('a playbook every %j minutes is refused', (everyMinutes, message) => {
    expect(
      problems(
        withServers([
          {
            name: 'web',
            size: 'small',
            ansible: { repository: 'https://github.com/acme/playbooks', playbook: 'site.yml', everyMinutes },
          },
        ]),
      ),
    ).toEqual([`dev.servers[0].ansible.everyMinutes: ${everyMinutes} - ${message}`]);
  });

  test('servers need the Azure admin SSH key', () => {
    expect(problems({ ...devInput(), servers: [{ name: 'web', size: 'small' }] })).toEqual([
      'dev.azure.adminSshPublicKey: undefined - required when the environment has servers: Azure Linux VMs need an admin SSH key (kept for break-glass access; day-to-day access goes through Entra ID)',
    ]);
  });

  test('an Azure admin SSH key that is not an OpenSSH public key line is refused, and only that is reported', () => {
    const input = withServers([{ name: 'web', size: 'small' }]);
    expect(problems({ ...input, azure: { ...input.azure, adminSshPublicKey: 'ssh-dss AAAAB3NzaC1kc3M=' } })).toEqual([
      'dev.azure.adminSshPublicKey: "ssh-dss AAAAB3NzaC1kc3M=" - an OpenSSH public key line (ssh-ed25519 or ssh-rsa), such as the contents of ~/.ssh/id_ed25519.pub',
    ]);
  });

  test('a configuration too large for EC2 user data is reported at the configuration, once per cloud', () => {
    const big = 'x'.repeat(16384);
    const lines = problems(
      withServers([{ name: 'web', size: 'small', configuration: { files: [{ path: '/opt/big', content: big }] } }]),
    );
    const message =
      'renders to N bytes of user data; EC2 accepts at most 16384: move large files to a package, an S3 object or the Ansible playbook';
    expect(lines.map((l) => l.replace(/renders to \d+ bytes/, 'renders to N bytes'))).toEqual([
      `dev.servers[0].configuration: "(aws)" - ${message}`,
      `dev.servers[0].configuration: "(azure)" - ${message}`,
    ]);
  });

  test('the Ansible schedule counts towards the size: a configuration can fit on AWS and not on Azure', () => {
    // 11500 bytes of content render to about 15800 bytes on AWS; the ansible-pull unit files add about 1200 more.
    expect(
      problems(
        withServers([
          {
            name: 'web',
            size: 'small',
            configuration: { files: [{ path: '/opt/big', content: 'x'.repeat(11500) }] },
            ansible: { repository: 'https://github.com/acme/playbooks', playbook: 'site.yml' },
          },
        ]),
      ),
    ).toEqual([
      expect.stringMatching(
        /^dev\.servers\[0\]\.configuration: "\(azure\)" - renders to \d+ bytes of user data; EC2 accepts at most 16384: /,
      ),
    ]);
  });

  test('field problems of several servers come in one SpecError', () => {
    const error = errorOf(() =>
      defineEnvironment(
        withServers([
          { name: 'web', size: 'tiny', count: 0 },
          {
            name: 'api',
            size: 'small',
            ansible: { repository: 'http://github.com/acme/playbooks', playbook: 'site.txt', everyMinutes: 10 },
          },
        ]),
      ),
    );
    expect(error.message).toMatch(/^Invalid environment spec \(5 problems\):\n/);
    expect((error as SpecError).issues.map((i) => i.path)).toEqual([
      'dev.servers[0].size',
      'dev.servers[0].count',
      'dev.servers[1].ansible.repository',
      'dev.servers[1].ansible.playbook',
      'dev.servers[1].ansible.everyMinutes',
    ]);
  });

  test('rules across fields and sections come in one SpecError', () => {
    expect(
      problems({
        ...prodInput(),
        servers: [
          { name: 'web', size: 'small', diskGiB: 20 },
          { name: 'web', size: 'small', os: { aws: 'amazon-linux-2023', azure: 'amazon-linux-2023' } },
        ],
        patching: { day: 'monday' },
      }),
    ).toEqual([
      'prod.servers[0].diskGiB: 20 - at least 30 GiB: the disk of the ubuntu-24.04 image on Azure is 30 GiB',
      'prod.servers[1].name: "web" - a name no other server has (servers[0] has it)',
      "prod.servers[1].os: \"amazon-linux-2023\" - amazon-linux-2023 has no Azure image; use one of ubuntu-24.04 there, for instance os: { aws: 'amazon-linux-2023', azure: 'ubuntu-24.04' }",
      'prod.azure.adminSshPublicKey: undefined - required when the environment has servers: Azure Linux VMs need an admin SSH key (kept for break-glass access; day-to-day access goes through Entra ID)',
      'prod.patching.day: "monday" - saturday or sunday in a production-tier environment (patch in a weekend window)',
    ]);
  });
});

describe('zones', () => {
  test('instances go round the zones in order', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((i) => zoneIndexOf(i, 3))).toEqual([0, 1, 2, 0, 1, 2, 0]);
    expect([0, 1, 2, 3, 4].map((i) => zoneIndexOf(i, 2))).toEqual([0, 1, 0, 1, 0]);
  });

  test('a definition starts at a zone that follows from its name, the same on every call', () => {
    // The first byte of the SHA-256 of the name, modulo the zones: written out, since a change would move servers.
    const starts = ['web', 'api', 'ops', 'batch', 'db', 'cache'].map((name) => zoneIndexOf(0, 3, name));
    expect(starts).toEqual([0, 2, 1, 0, 0, 1]);
    expect(['web', 'api', 'ops', 'batch', 'db', 'cache'].map((name) => zoneIndexOf(0, 2, name))).toEqual([
      1, 0, 1, 1, 1, 0,
    ]);
    expect([0, 1, 2, 3].map((i) => zoneIndexOf(i, 3, 'api'))).toEqual([2, 0, 1, 2]);
  });

  test.each([2, 3])('adding an instance never moves an earlier one (%j zones)', (zones) => {
    const placement = (count: number): number[] =>
      Array.from({ length: count }, (_, i) => zoneIndexOf(i, zones, 'web'));
    for (let count = 1; count < 20; count++) {
      expect(placement(count + 1).slice(0, count)).toEqual(placement(count));
    }
  });
});

describe('configuration delivery', () => {
  test('configurationHash is the SHA-256 of the text in hex, the same every time', () => {
    expect(configurationHash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(configurationHash('#cloud-config\n')).toBe(
      '88c95955b024402aa9572b663f7eeb134f01343bb92af27b50e97e72b22c565f',
    );
    expect(configurationHash('#cloud-config\n')).toMatch(/^[0-9a-f]{64}$/);
    expect(configurationHash('#cloud-config\n')).not.toBe(configurationHash('#cloud-config\n\n'));
  });

  test('the applier is a shell script that runs the four cloud-init modules with frequency always, then records the hash', () => {
    const lines = renderApplier().split('\n');
    expect(lines[0]).toBe('#!/bin/sh');
    expect(lines).toContain('set -eu');
    const loop = lines.indexOf(
      'for module in package_update_upgrade_install write_files_deferred runcmd scripts_user; do',
    );
    expect(loop).toBeGreaterThan(0);
    expect(lines[loop + 1]).toMatch(/^ {2}cloud-init single --name "\$module" --frequency always --file "\$config" /);
    expect(lines.indexOf('echo "$hash" > /var/lib/platform/applied.sha256')).toBeGreaterThan(loop);
    // Every line, written out: servers run this text, and a change reaches every one of them.
    expect(lines).toEqual([
      '#!/bin/sh',
      '# platform-configure: applies a cloud-config to a running server (rendered by platform-constructs).',
      'set -eu',
      'config="${1:-/var/lib/platform/cloud-config.yaml}"',
      'mkdir -p /var/log/platform /var/lib/platform',
      'exec >>/var/log/platform/configure.log 2>&1',
      'say() { echo "$(date -u +%FT%TZ) $*"; logger -t platform-configure -- "$*" || true; }',
      'hash=$(sha256sum "$config" | cut -d" " -f1)',
      'if [ -f /var/lib/platform/applied.sha256 ] && [ "$(cat /var/lib/platform/applied.sha256)" = "$hash" ]; then say "configuration $hash already applied"; exit 0; fi',
      'say "applying configuration $hash"',
      'for module in package_update_upgrade_install write_files_deferred runcmd scripts_user; do',
      '  cloud-init single --name "$module" --frequency always --file "$config" || { say "ERROR: cloud-init module $module failed"; exit 1; }',
      'done',
      'echo "$hash" > /var/lib/platform/applied.sha256',
      'say "configuration $hash applied"',
      '',
    ]);
  });

  describe('the applier, run with a stand-in cloud-init', () => {
    let dir: string;
    let script: string;
    let config: string;
    const calls = (): string[] => readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n');
    const run = (): void => {
      execFileSync('sh', [script, config], {
        env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}` },
      });
    };

    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'applier-'));
      mkdirSync(join(dir, 'bin'));
      const fake = join(dir, 'bin', 'cloud-init');
      writeFileSync(fake, `#!/bin/sh\necho "$*" >> ${join(dir, 'calls')}\n[ "$3" != "\${FAIL_MODULE:-}" ]\n`);
      chmodSync(fake, 0o755);
      writeFileSync(join(dir, 'calls'), '');
      // The same script, with the server's absolute paths moved into the test's directory.
      script = join(dir, 'platform-configure');
      writeFileSync(
        script,
        renderApplier()
          .replaceAll(CONFIGURATION_PATHS.applied, join(dir, 'applied.sha256'))
          .replaceAll(CONFIGURATION_PATHS.logDirectory, join(dir, 'log'))
          .replaceAll('/var/lib/platform', join(dir, 'lib')),
      );
      config = join(dir, 'cloud-config.yaml');
      writeFileSync(config, '#cloud-config\npackages:\n  - "nginx"\n');
    });

    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    test('applies a new configuration: the four modules in order, then the hash', () => {
      run();
      expect(calls()).toEqual(
        ['package_update_upgrade_install', 'write_files_deferred', 'runcmd', 'scripts_user'].map(
          (m) => `single --name ${m} --frequency always --file ${config}`,
        ),
      );
      // sha256sum of the config the test wrote (`#cloud-config`, packages: nginx).
      expect(readFileSync(join(dir, 'applied.sha256'), 'utf8')).toBe(
        '84dad1ae8f4231d31496736996481b2a6f5c5158110332b248a13cbaa96b2adc\n',
      );
    });

    test('skips a configuration whose hash was applied, and applies it again once it changes', () => {
      run();
      run();
      expect(calls()).toHaveLength(4);
      expect(readFileSync(join(dir, 'log', 'configure.log'), 'utf8')).toMatch(
        / configuration [0-9a-f]{64} already applied\n$/,
      );
      writeFileSync(config, '#cloud-config\npackages:\n  - "curl"\n');
      run();
      expect(calls()).toHaveLength(8);
    });

    test('a failing module stops the run and records no hash, so the next run tries again', () => {
      expect(() =>
        execFileSync('sh', [script, config], {
          env: { ...process.env, FAIL_MODULE: 'runcmd', PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}` },
        }),
      ).toThrow(/Command failed: sh /);
      expect(calls()).toHaveLength(3);
      expect(readFileSync(join(dir, 'log', 'configure.log'), 'utf8')).toContain(
        'ERROR: cloud-init module runcmd failed',
      );
      expect(() => readFileSync(join(dir, 'applied.sha256'), 'utf8')).toThrow(/ENOENT/);
    });
  });

  /** The files a rendered cloud-config writes, decoded, in order. */
  function writeFiles(cloudConfig: string): Array<{ path: string; content: string; mode: string }> {
    const file =
      /^ {2}- path: (".*")\n {4}encoding: "b64"\n {4}content: (".*")\n {4}permissions: (".*")\n {4}owner: "root:root"$/gm;
    return [...cloudConfig.matchAll(file)].map(([, path, content, mode]) => ({
      path: JSON.parse(path!) as string,
      content: Buffer.from(JSON.parse(content!) as string, 'base64').toString('utf8'),
      mode: JSON.parse(mode!) as string,
    }));
  }

  test('the Azure bootstrap installs the applier, a user-data fetcher, and a service run by a 5-minute timer', () => {
    const text = renderAzureBootstrap();
    expect(text.startsWith('#cloud-config\n')).toBe(true);
    const files = writeFiles(text);
    expect(files.map((f) => [f.path, f.mode])).toEqual([
      ['/usr/local/sbin/platform-configure', '0755'],
      ['/usr/local/sbin/platform-fetch-configuration', '0755'],
      ['/etc/systemd/system/platform-configure.service', '0644'],
      ['/etc/systemd/system/platform-configure.timer', '0644'],
    ]);
    const [applier, fetcher, service, timer] = files.map((f) => f.content);
    expect(applier).toBe(renderApplier());
    expect(fetcher).toContain(
      `curl --silent --fail --show-error --header Metadata:true --noproxy '*' '${AZURE_USER_DATA_URL}' | base64 --decode > /var/lib/platform/cloud-config.yaml.new`,
    );
    expect(fetcher).toContain('exec /usr/local/sbin/platform-configure /var/lib/platform/cloud-config.yaml');
    expect(AZURE_USER_DATA_URL).toBe(
      'http://169.254.169.254/metadata/instance/compute/userData?api-version=2021-01-01&format=text',
    );
    expect(service).toContain('ExecStart=/usr/local/sbin/platform-fetch-configuration');
    expect(service).toContain('Type=oneshot');
    expect(timer).toContain('OnUnitActiveSec=5min');
    expect(
      text.endsWith(
        'runcmd:\n  - ["systemctl", "daemon-reload"]\n  - ["systemctl", "enable", "--now", "platform-configure.timer"]\n',
      ),
    ).toBe(true);
  });

  test('the Azure bootstrap bytes are pinned', () => {
    const digest = createHash('sha256').update(renderAzureBootstrap(), 'utf8').digest('hex');
    const pinned = 'f1293ecc3f6c6c3cdb68d50de591a93a4db2c0b84ffac52433fbbd3e62d5e311';
    if (digest !== pinned) {
      throw new Error(
        [
          `renderAzureBootstrap() changed (sha256 ${digest}, pinned ${pinned}).`,
          "It is every Azure VM's custom_data, which is ForceNew in azurerm: existing VMs ignore the change",
          '(the Server sets ignore_changes on custom_data) and keep the old bootstrap, while new VMs get the new one,',
          'so the fleet runs two bootstraps. Make the change deliberately: keep it compatible with VMs that have the',
          'old bootstrap (the configuration travels in user_data), then update the pinned digest here.',
        ].join(' '),
      );
    }
    expect(digest).toBe(pinned);
  });
});

describe('Ansible', () => {
  const userFile = { path: '/etc/app.conf', content: 'a=1\n', mode: '0644', owner: 'root:root' };
  const base: Configuration = {
    packages: ['git', 'nginx'],
    files: [userFile],
    commands: ['nginx -t'],
    services: ['nginx'],
  };

  test('withAnsiblePull adds ansible-core and git, the log configuration and a scheduled ansible-pull, after the user files', () => {
    const result = withAnsiblePull(base, ANSIBLE);
    expect(result.packages).toEqual(['ansible-core', 'git', 'nginx']);
    expect(result.files.map((f) => f.path)).toEqual([
      '/etc/app.conf',
      '/etc/ansible/ansible.cfg',
      '/etc/systemd/system/platform-ansible.service',
      '/etc/systemd/system/platform-ansible.timer',
    ]);
    expect(result.files[0]).toBe(userFile);
    expect(result.files[1]?.content).toBe('[defaults]\nlog_path = /var/log/platform/ansible.log\n');
    expect(result.files[2]?.content).toContain(
      'ExecStart=/usr/bin/ansible-pull --url=https://github.com/acme/playbooks --checkout=v1.2.0 --directory=/var/lib/platform/ansible --only-if-changed -- plays/site.yml\n',
    );
    expect(result.files[3]?.content).toContain('\nOnUnitActiveSec=45min\n');
    expect(result.files[3]?.content).toContain('\nWantedBy=timers.target\n');
    expect(result.commands).toEqual(['systemctl daemon-reload', 'nginx -t']);
    expect(result.services).toEqual(['nginx', 'platform-ansible.timer']);
  });

  test('withAnsiblePull is pure: the input is untouched and the same inputs give the same bytes', () => {
    const input = structuredClone(base);
    const first = withAnsiblePull(input, ANSIBLE);
    expect(input).toEqual(base);
    expect(withAnsiblePull(input, ANSIBLE)).toEqual(first);
    expect(renderCloudInit(withAnsiblePull(input, ANSIBLE), 'ubuntu-24.04')).toBe(
      renderCloudInit(first, 'ubuntu-24.04'),
    );
    expect(withAnsiblePull(input, { ...ANSIBLE, ref: 'v1.3.0' }).files[2]?.content).toContain(' --checkout=v1.3.0 ');
  });

  test('withAnsibleLog adds only the Ansible log configuration', () => {
    expect(withAnsibleLog(base)).toEqual({
      ...base,
      files: [
        userFile,
        { path: '/etc/ansible/ansible.cfg', content: renderAnsibleConfig(), mode: '0644', owner: 'root:root' },
      ],
    });
  });

  test('configurationFor: unchanged without a playbook, ansible-pull on Azure, only the log configuration on AWS', () => {
    expect(configurationFor(base, undefined, 'aws')).toBe(base);
    expect(configurationFor(base, undefined, 'azure')).toBe(base);
    expect(configurationFor(base, ANSIBLE, 'azure')).toEqual(withAnsiblePull(base, ANSIBLE));
    expect(configurationFor(base, ANSIBLE, 'aws')).toEqual(withAnsibleLog(base));
  });

  test.each([
    ['https://github.com/acme/playbooks', 'acme', 'playbooks'],
    ['https://github.com/acme/playbooks.git', 'acme', 'playbooks'],
    ['https://github.com/acme/playbooks/', 'acme', 'playbooks'],
    ['https://github.com/acme/playbooks.git/', 'acme', 'playbooks'],
    ['https://github.com/Acme-Corp/my.play_books-1', 'Acme-Corp', 'my.play_books-1'],
  ])('parseGitHubUrl reads %j', (url, owner, repository) => {
    expect(parseGitHubUrl(url)).toEqual({ owner, repository });
  });

  test.each([
    'http://github.com/acme/playbooks',
    'https://gitlab.com/acme/playbooks',
    'https://github.com.evil.example/acme/playbooks',
    'https://user:token@github.com/acme/playbooks',
    'https://github.com/acme',
    'https://github.com/acme/playbooks/tree/main',
    'https://github.com/acme/playbooks?ref=main',
    'https://github.com/-acme/playbooks',
    'git@github.com:acme/playbooks.git',
    '',
  ])('parseGitHubUrl refuses %j', (url) => {
    expect(parseGitHubUrl(url)).toBeUndefined();
  });
});

/** Ansible values given to the renderers without the spec, as a construct used on its own receives them. */
describe('Ansible: hostile values, rendered without the spec', () => {
  /** The ExecStart line of the scheduled ansible-pull. */
  const execStart = (ansible: AnsibleSpec): string =>
    withAnsiblePull(EMPTY, ansible)
      .files.find((f) => f.path.endsWith('.service'))!
      .content.split('\n')
      .find((l) => l.startsWith('ExecStart='))!;

  test.each(['-e.yml', '-i.yml', '--help.yml'])(
    'a playbook named like an option (%j) follows --, so ansible-pull reads it as the playbook',
    (playbook) => {
      expect(execStart({ ...ANSIBLE, playbook })).toBe(
        `ExecStart=/usr/bin/ansible-pull --url=https://github.com/acme/playbooks --checkout=v1.2.0 --directory=/var/lib/platform/ansible --only-if-changed -- ${playbook}`,
      );
    },
  );

  test('the repository and the ref are one word each (--url=, --checkout=), never an option of their own', () => {
    expect(execStart(ANSIBLE).slice('ExecStart='.length).split(' ')).toEqual([
      '/usr/bin/ansible-pull',
      '--url=https://github.com/acme/playbooks',
      '--checkout=v1.2.0',
      '--directory=/var/lib/platform/ansible',
      '--only-if-changed',
      '--',
      'plays/site.yml',
    ]);
  });

  test.each([
    '--help',
    '-b',
    'x; reboot',
    '$(id)',
    '`id`',
    "it's",
    '"q"',
    'a\nb',
    '%n',
    '{{ lookup("pipe", "id") }}',
    'main force=yes',
    'main:evil',
    'a..b',
    '.hidden',
    'feature/.x',
    'x.lock',
    'a//b',
    'main/',
    'v1.',
    '',
  ])('ref %j is refused: ansible-pull and AWS-ApplyAnsiblePlaybooks pass it on unquoted', (ref) => {
    expect(isSafeGitRef(ref)).toBe(false);
    expect(() => withAnsiblePull(EMPTY, { ...ANSIBLE, ref })).toThrow(
      /^ansible\.ref: .* - a branch or tag name of letters, digits and \. _ \/ - by git's rules/,
    );
  });

  test.each(['main', 'v1.2.0', 'release/2024.1', 'feature/x_y-z'])('ref %j is accepted', (ref) => {
    expect(isSafeGitRef(ref)).toBe(true);
  });

  test.each([
    '/etc/passwd.yml',
    '../x.yml',
    'plays/../../x.yml',
    'a b.yml',
    '$(id).yml',
    '`id`.yml',
    "it's.yml",
    'a\n.yml',
    '%n.yml',
    '',
  ])('playbook %j is refused: ansible-pull puts it unquoted into the ansible-playbook command line', (playbook) => {
    expect(() => withAnsiblePull(EMPTY, { ...ANSIBLE, playbook })).toThrow(
      /^ansible\.playbook: .* - a path relative to the repository root, of letters, digits and \. _ \/ - without \.\. segments/,
    );
  });

  test.each([
    'https://github.com/acme/ops --upload-pack=touch',
    'https://user:token@github.com/acme/ops',
    'https://github.com/acme/ops?ref=x',
    'https://github.com/acme/ops#x',
    'https://github.com/acme/{{ lookup("pipe", "id") }}',
    'https://github.com/acme/%2e%2e',
    'ext::sh -c id',
    '-uhttps://github.com/acme/ops',
    'http://github.com/acme/ops',
    'file:///etc',
  ])('repository %j is refused: ansible-pull puts it unquoted into a command line of its own', (repository) => {
    expect(() => withAnsiblePull(EMPTY, { ...ANSIBLE, repository })).toThrow(
      /^ansible\.repository: .* - an https:\/\/ URL/,
    );
  });

  test.each([0, -30, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'a schedule of %d minutes is refused: it is written into the timer unit',
    (everyMinutes) => {
      expect(() => withAnsiblePull(EMPTY, { ...ANSIBLE, everyMinutes })).toThrow(
        /^ansible\.everyMinutes: .* - a whole number of minutes, at least 1$/,
      );
    },
  );

  test('every problem is named in one error; ansibleIssues gives them with paths relative to ansible', () => {
    const hostile = { ...ANSIBLE, repository: 'ext::sh', ref: '--help', playbook: '/x.yml', everyMinutes: 0 };
    expect(ansibleIssues(hostile).map((i) => i.path)).toEqual(['repository', 'ref', 'playbook', 'everyMinutes']);
    expect(
      errorOf(() => withAnsiblePull(EMPTY, hostile))
        .message.split('; ')
        .map((m) => m.split(':')[0]),
    ).toEqual(['ansible.repository', 'ansible.ref', 'ansible.playbook', 'ansible.everyMinutes']);
    expect(ansibleIssues(ANSIBLE)).toEqual([]);
  });

  test('configurationFor refuses on Azure what withAnsiblePull refuses', () => {
    expect(() => configurationFor(EMPTY, { ...ANSIBLE, ref: '--help' }, 'azure')).toThrow(/^ansible\.ref: "--help"/);
  });
});

describe('names, alarms and sizes', () => {
  test('the patch group is per environment and operating system; the backup plan per environment', () => {
    expect(patchGroupName('prod', 'ubuntu-24.04')).toBe('platform-prod-ubuntu-24.04');
    expect(patchGroupName('prod', 'amazon-linux-2023')).toBe('platform-prod-amazon-linux-2023');
    expect(backupPlanName('prod')).toBe('platform-prod');
  });

  test('server alarm ids are server/<name>/<kind>, and each instance is a member', () => {
    expect(serverAlarmId('web', 'status-checks')).toBe('server/web/status-checks');
    expect(alarmName('prod', serverAlarmId('web', 'status-checks'), '1')).toBe(
      'platform-prod-server.web.status-checks.1',
    );
  });

  test('each kind of server alarm names the clouds that have it', () => {
    expect(SERVER_ALARMS).toEqual({
      recovery: ['aws'],
      'status-checks': ['aws'],
      availability: ['azure'],
      cpu: ['aws', 'azure'],
      memory: ['aws', 'azure'],
      disk: ['aws', 'azure'],
      health: ['aws', 'azure'],
    });
  });

  test.each(SERVER_SIZE_NAMES.map((size) => [size]))('size %j has the same vCPUs and memory on both clouds', (size) => {
    const { vcpus, memoryGiB, awsInstanceType, azureVmSize, azureEncryptionAtHost } = SERVER_SIZES[size];
    // m6i and Dsv5 both give 4 GiB per vCPU; Dsv5 names carry the vCPUs, m6i names the size step.
    const m6i: Record<number, string> = { 2: 'm6i.large', 4: 'm6i.xlarge', 8: 'm6i.2xlarge', 16: 'm6i.4xlarge' };
    expect(memoryGiB).toBe(vcpus * 4);
    expect(awsInstanceType).toBe(m6i[vcpus]);
    expect(azureVmSize).toBe(`Standard_D${vcpus}s_v5`);
    expect(azureEncryptionAtHost).toBe(true);
  });

  test('sizes grow from small to xlarge', () => {
    expect(SERVER_SIZE_NAMES).toEqual(['small', 'medium', 'large', 'xlarge']);
    const sizes = SERVER_SIZE_NAMES.map((s) => SERVER_SIZES[s]);
    for (let i = 1; i < sizes.length; i++) {
      expect(sizes[i]!.vcpus).toBeGreaterThan(sizes[i - 1]!.vcpus);
      expect(sizes[i]!.memoryGiB).toBeGreaterThan(sizes[i - 1]!.memoryGiB);
    }
  });

  test('every operating system has an image on AWS; ubuntu-24.04 also on Azure', () => {
    expect(Object.keys(OPERATING_SYSTEM_IMAGES).sort()).toEqual(Object.keys(OPERATING_SYSTEMS).sort());
    expect(OPERATING_SYSTEM_IMAGES['ubuntu-24.04']).toMatchObject({
      azureImage: { publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server' },
      rootFsType: 'ext4',
    });
    expect(OPERATING_SYSTEM_IMAGES['amazon-linux-2023']).toMatchObject({ rootFsType: 'xfs' });
    expect(OPERATING_SYSTEM_IMAGES['amazon-linux-2023']).not.toHaveProperty('azureImage');
    for (const image of Object.values(OPERATING_SYSTEM_IMAGES))
      expect(image.awsImageParameter).toMatch(/^\/aws\/service\//);
  });

  test.each<[OperatingSystem]>([['ubuntu-24.04'], ['amazon-linux-2023']])(
    'a configuration with a playbook renders to the same cloud-config on %s, but for the header',
    (os) => {
      const text = renderCloudInit(configurationFor(EMPTY, ANSIBLE, 'azure'), os);
      const lines = text.split('\n');
      expect(lines.slice(0, 2)).toEqual([
        '#cloud-config',
        `# Rendered by platform-constructs for ${os}; edit the spec, not this file.`,
      ]);
      expect(lines.slice(2)).toEqual(
        renderCloudInit(configurationFor(EMPTY, ANSIBLE, 'azure'), 'ubuntu-24.04')
          .split('\n')
          .slice(2),
      );
      expect(lines.slice(2, 6)).toEqual(['package_update: true', 'packages:', '  - "ansible-core"', '  - "git"']);
      expect(lines.slice(-4)).toEqual([
        'runcmd:',
        '  - ["sh", "-c", "--", "systemctl daemon-reload"]',
        '  - ["systemctl", "enable", "--now", "--", "platform-ansible.timer"]',
        '',
      ]);
    },
  );
});

describe('servers section: health check', () => {
  test('a definition without healthCheck has none', () => {
    const env = defineEnvironment(withServers([{ name: 'web', size: 'small' }]));
    expect(env.servers[0]).not.toHaveProperty('healthCheck');
  });

  test('healthCheck resolves to the port and path the probe requests on each server', () => {
    const env = defineEnvironment(
      withServers([{ name: 'web', size: 'small', healthCheck: { port: 8080, path: '/healthz' } }]),
    );
    expect(env.servers[0]?.healthCheck).toEqual({ port: 8080, path: '/healthz' });
  });

  test('a port and a path outside the limits are refused in the words the services use, both at once', () => {
    expect(
      problems(withServers([{ name: 'web', size: 'small', healthCheck: { port: 70000, path: 'healthz' } }])),
    ).toEqual([
      'dev.servers[0].healthCheck.port: 70000 - a port from 1 to 65535',
      'dev.servers[0].healthCheck.path: "healthz" - an absolute URL path such as /healthz',
    ]);
    expect(
      problems(
        withServers([{ name: 'web', size: 'small', healthCheck: { port: 80.5, path: `/${'a'.repeat(1024)}` } }]),
      ),
    ).toEqual([
      'dev.servers[0].healthCheck.port: 80.5 - a port from 1 to 65535',
      `dev.servers[0].healthCheck.path: "/${'a'.repeat(1024)}" - at most 1024 characters (the longest health check path a target group takes)`,
    ]);
  });

  test('port and path are required, and nothing else is taken', () => {
    expect(problems(withServers([{ name: 'web', size: 'small', healthCheck: { interval: 5 } }]))).toEqual([
      'dev.servers[0].healthCheck.port: undefined - a port from 1 to 65535',
      'dev.servers[0].healthCheck.path: undefined - an absolute URL path such as /healthz',
      'dev.servers[0].healthCheck.interval: 5 - unknown field; allowed fields here: port, path',
    ]);
  });

  test('a path with a space, which is no URL path, is refused', () => {
    expect(
      problems(withServers([{ name: 'web', size: 'small', healthCheck: { port: 80, path: '/health check' } }])),
    ).toEqual(['dev.servers[0].healthCheck.path: "/health check" - an absolute URL path such as /healthz']);
  });
});
