import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { App, TerraformStack } from 'cdktf';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AZURE_RULES,
  checkTerraform,
  decideProtection,
  Monitoring,
  Patching,
  renderServerNames,
  Server,
  TagResources,
  type ServerProps,
} from '../../lib/azure';
import {
  BACKUP_TAG,
  checkName,
  defineEnvironment,
  SERVER_TAG,
  zoneIndexOf,
  type Environment,
  type EnvironmentInput,
  type ServerSpec,
} from '../../lib/core';
import { productionApp as buildProductionApp } from '../util/azure-production';
import { devInput, errorOf, prodInput } from '../util/fixtures';
import { readStackJson, type TfStackJson } from '../util/terraform';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq1Hbr4i1J9wY0l3hZ6pYc3c2hQ5JbW8B9m3v3kq5p0 break-glass';
const SUBNET =
  '/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/snet-workloads';
const rg = { name: 'rg-platform-dev-weu', location: 'westeurope' };

type ServerInput = NonNullable<EnvironmentInput['servers']>[number];

/** An environment with servers (and the admin key they need); `extra` changes other sections. */
function envWith(servers: ServerInput[], base: EnvironmentInput = devInput(), extra: Partial<EnvironmentInput> = {}) {
  return defineEnvironment({ ...base, azure: { ...base.azure, adminSshPublicKey: KEY }, servers, ...extra });
}

/** A resolved server definition. */
function serverSpec(input: Partial<ServerInput> = {}): ServerSpec {
  return envWith([{ name: 'web', size: 'medium', count: 3, ...input }]).servers[0]!;
}

interface SynthOptions {
  readonly env?: Environment;
  readonly spec?: ServerSpec;
  readonly zones?: number;
  readonly monitoring?: boolean;
  readonly patching?: boolean;
  readonly props?: Partial<ServerProps>;
}

/** Synthesizes a stack with one Server (and, if asked, the environment's monitoring and patching). */
function synth(options: SynthOptions = {}): TfStackJson {
  const env = options.env ?? envWith([{ name: 'web', size: 'medium', count: 3 }]);
  const outdir = mkdtempSync(join(tmpdir(), 'azure-server-'));
  try {
    const app = new App({ outdir });
    const stack = new TerraformStack(app, 'env');
    new AzurermProvider(stack, 'azurerm', { features: [{}] });
    decideProtection(stack, env.tier);
    const monitoring = options.monitoring
      ? new Monitoring(stack, 'monitoring', { spec: env.monitoring, name: env.name, resourceGroup: rg })
      : undefined;
    const patching = options.patching
      ? new Patching(stack, 'patching', { spec: env.patching, environment: env.name, resourceGroup: rg })
      : undefined;
    new Server(stack, 'server-web', {
      spec: options.spec ?? env.servers[0]!,
      environment: env.name,
      resourceGroup: rg,
      subnetId: SUBNET,
      zones: options.zones ?? 2,
      adminSshPublicKey: KEY,
      ...(monitoring && { monitoring }),
      ...(patching && { patching }),
      ...options.props,
    });
    app.synth();
    return readStackJson(outdir, 'env');
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

interface IpConfiguration {
  readonly name: string;
  readonly subnet_id: string;
  readonly private_ip_address_allocation: string;
  readonly public_ip_address_id?: string;
}

interface Criterion {
  readonly metric_namespace: string;
  readonly metric_name: string;
  readonly aggregation: string;
  readonly operator: string;
  readonly threshold: number;
}

interface LogCriterion {
  readonly query: string;
  readonly time_aggregation_method: string;
  readonly operator: string;
  readonly threshold: number;
  readonly metric_measure_column?: string;
  readonly dimension?: { readonly name: string; readonly operator: string; readonly values: string[] }[];
  readonly failing_periods: {
    readonly minimum_failing_periods_to_trigger_alert: number;
    readonly number_of_evaluation_periods: number;
  };
}

/** The attributes these tests read, by resource type, as cdktf writes them. */
interface Synthesized {
  azurerm_linux_virtual_machine: {
    readonly name: string;
    readonly computer_name: string;
    readonly size: string;
    readonly zone: string;
    readonly admin_username: string;
    readonly admin_password?: string;
    readonly admin_ssh_key: { readonly username: string; readonly public_key: string }[];
    readonly disable_password_authentication: boolean;
    readonly network_interface_ids: string[];
    readonly os_disk: Readonly<Record<string, unknown>>;
    readonly source_image_reference: Readonly<Record<string, string>>;
    readonly identity: { readonly type: string };
    readonly encryption_at_host_enabled: boolean;
    readonly secure_boot_enabled: boolean;
    readonly vtpm_enabled: boolean;
    readonly boot_diagnostics: Readonly<Record<string, unknown>>;
    readonly custom_data: string;
    readonly user_data: string;
    readonly patch_mode: string;
    readonly patch_assessment_mode: string;
    readonly bypass_platform_safety_checks_on_user_schedule_enabled: boolean;
    readonly provision_vm_agent: boolean;
    readonly tags: Readonly<Record<string, string>>;
    readonly lifecycle: { readonly ignore_changes: string[] };
  };
  azurerm_network_interface: {
    readonly name: string;
    readonly ip_configuration: IpConfiguration[];
    readonly tags: Readonly<Record<string, string>>;
  };
  azurerm_virtual_machine_extension: {
    readonly name: string;
    readonly publisher: string;
    readonly type: string;
    readonly type_handler_version: string;
    readonly auto_upgrade_minor_version: boolean;
    readonly automatic_upgrade_enabled: boolean;
    readonly virtual_machine_id: string;
  };
  azurerm_monitor_data_collection_rule: {
    readonly name: string;
    readonly kind: string;
    readonly location: string;
    readonly destinations: {
      readonly log_analytics: { readonly name: string; readonly workspace_resource_id: string }[];
    };
    readonly data_sources: {
      readonly performance_counter: {
        readonly name: string;
        readonly streams: string[];
        readonly sampling_frequency_in_seconds: number;
        readonly counter_specifiers: string[];
      }[];
      readonly syslog: {
        readonly name: string;
        readonly streams: string[];
        readonly facility_names: string[];
        readonly log_levels: string[];
      }[];
    };
    readonly data_flow: { readonly streams: string[]; readonly destinations: string[] }[];
  };
  azurerm_monitor_data_collection_rule_association: {
    readonly name: string;
    readonly target_resource_id: string;
    readonly data_collection_rule_id: string;
  };
  azurerm_maintenance_assignment_virtual_machine: {
    readonly location: string;
    readonly maintenance_configuration_id: string;
    readonly virtual_machine_id: string;
  };
  azurerm_monitor_metric_alert: {
    readonly name: string;
    readonly scopes: string[];
    readonly severity: number;
    readonly window_size: string;
    readonly frequency: string;
    readonly description: string;
    readonly target_resource_type?: string;
    readonly target_resource_location?: string;
    readonly criteria: readonly [Criterion];
  };
  azurerm_monitor_scheduled_query_rules_alert_v2: {
    readonly name: string;
    readonly severity: number;
    readonly window_duration: string;
    readonly scopes: string[];
    readonly description: string;
    readonly criteria: readonly [LogCriterion];
  };
  azurerm_application_insights_workbook: { readonly data_json: string };
}

function all<K extends keyof Synthesized>(tf: TfStackJson, type: K): Synthesized[K][] {
  return Object.values(tf.resource[type] ?? {}) as unknown as Synthesized[K][];
}

function addressesOf(tf: TfStackJson, type: keyof Synthesized): string[] {
  return Object.keys(tf.resource[type] ?? {});
}

const decode = (b64: string): string => Buffer.from(b64, 'base64').toString('utf8');

/** The workbook's query items, as the workbook JSON holds them. */
interface WorkbookData {
  readonly items: { readonly content: { readonly title?: string; readonly json?: string; readonly query?: string } }[];
}

describe('Server (Azure)', () => {
  describe('virtual machines', () => {
    test('one VM per server, named vm-platform-<env>-<name>-<n> (also its computer name), of the mapped size', () => {
      const vms = all(synth(), 'azurerm_linux_virtual_machine');
      expect(vms.map((vm) => [vm.name, vm.computer_name, vm.size])).toEqual([
        ['vm-platform-dev-web-1', 'vm-platform-dev-web-1', 'Standard_D4s_v5'],
        ['vm-platform-dev-web-2', 'vm-platform-dev-web-2', 'Standard_D4s_v5'],
        ['vm-platform-dev-web-3', 'vm-platform-dev-web-3', 'Standard_D4s_v5'],
      ]);
    });

    test('each size maps to its Dsv5 size', () => {
      const sizes = (['small', 'large', 'xlarge'] as const).map(
        (size) => all(synth({ spec: serverSpec({ size, count: 1 }) }), 'azurerm_linux_virtual_machine')[0]!.size,
      );
      expect(sizes).toEqual(['Standard_D2s_v5', 'Standard_D8s_v5', 'Standard_D16s_v5']);
    });

    test('servers go round the zones from the one the name gives, the same zones as on AWS', () => {
      // `web` starts in the second of two zones and in the first of three (zoneIndexOf in lib/core).
      expect(all(synth(), 'azurerm_linux_virtual_machine').map((vm) => vm.zone)).toEqual(['2', '1', '2']);
      const three = all(synth({ zones: 3 }), 'azurerm_linux_virtual_machine');
      expect(three.map((vm) => vm.zone)).toEqual(['1', '2', '3']);
      const zones = [0, 1, 2].map((i) => String(zoneIndexOf(i, 2, 'web') + 1));
      expect(all(synth(), 'azurerm_linux_virtual_machine').map((vm) => vm.zone)).toEqual(zones);
    });

    test('a single server of another definition may start in another zone', () => {
      const spec = serverSpec({ name: 'app', count: 1 });
      const [vm] = all(synth({ spec, zones: 3 }), 'azurerm_linux_virtual_machine');
      expect(vm!.zone).toBe('3');
    });

    test('a fourth server keeps the first three in their zones and at their addresses', () => {
      const before = synth();
      const after = synth({ spec: serverSpec({ count: 4 }) });
      const zones = (tf: TfStackJson) =>
        Object.fromEntries(
          Object.entries(tf.resource.azurerm_linux_virtual_machine ?? {}).map(([address, vm]) => [address, vm.zone]),
        );
      expect(zones(after)).toMatchObject(zones(before));
      expect(Object.keys(zones(after))).toHaveLength(4);
      expect(Object.values(zones(after))).toEqual(['2', '1', '2', '1']);
    });

    test('resource addresses end in the server number', () => {
      const tf = synth({ monitoring: true, patching: true });
      expect(addressesOf(tf, 'azurerm_linux_virtual_machine')).toEqual([
        expect.stringMatching(/^server-web_VirtualMachine-1_[0-9A-F]{8}$/),
        expect.stringMatching(/^server-web_VirtualMachine-2_[0-9A-F]{8}$/),
        expect.stringMatching(/^server-web_VirtualMachine-3_[0-9A-F]{8}$/),
      ]);
      expect(addressesOf(tf, 'azurerm_network_interface')[0]).toMatch(/^server-web_NetworkInterface-1_/);
      expect(addressesOf(tf, 'azurerm_virtual_machine_extension')[0]).toMatch(/^server-web_MonitorAgent-1_/);
      expect(addressesOf(tf, 'azurerm_maintenance_assignment_virtual_machine')[0]).toMatch(
        /^server-web_PatchAssignment-1_/,
      );
    });

    test('administrators sign in with the platform SSH key only: password authentication off, no password', () => {
      const vms = all(synth(), 'azurerm_linux_virtual_machine');
      expect(
        vms.map((vm) => [vm.admin_username, vm.admin_ssh_key, vm.disable_password_authentication, vm.admin_password]),
      ).toEqual(Array(3).fill(['platform', [{ username: 'platform', public_key: KEY }], true, undefined]));
    });

    test('encryption at host, trusted launch, a system-assigned identity and managed boot diagnostics', () => {
      const [vm] = all(synth(), 'azurerm_linux_virtual_machine');
      expect(vm).toMatchObject({
        encryption_at_host_enabled: true,
        secure_boot_enabled: true,
        vtpm_enabled: true,
        identity: { type: 'SystemAssigned' },
        boot_diagnostics: {},
        provision_vm_agent: true,
      });
    });

    test('a premium OS disk of the spec size, named after the VM', () => {
      const [vm] = all(synth({ spec: serverSpec({ diskGiB: 64 }) }), 'azurerm_linux_virtual_machine');
      expect(vm!.os_disk).toEqual({
        name: 'vm-platform-dev-web-1-osdisk',
        caching: 'ReadWrite',
        storage_account_type: 'Premium_LRS',
        disk_size_gb: 64,
      });
    });

    test('Ubuntu 24.04 from Canonical, at the version current when the VM is created', () => {
      const [vm] = all(synth(), 'azurerm_linux_virtual_machine');
      expect(vm!.source_image_reference).toEqual({
        publisher: 'Canonical',
        offer: 'ubuntu-24_04-lts',
        sku: 'server',
        version: 'latest',
      });
    });

    test('a pinned image version is used as given', () => {
      const spec = serverSpec({ image: { azureImageVersion: '24.04.202411030' } });
      const [vm] = all(synth({ spec }), 'azurerm_linux_virtual_machine');
      expect(vm!.source_image_reference.version).toBe('24.04.202411030');
    });

    test('user_data holds the rendered cloud-config of the definition', () => {
      const spec = serverSpec({ configuration: { packages: ['nginx'], services: ['nginx'] } });
      const vms = all(synth({ spec }), 'azurerm_linux_virtual_machine');
      expect(vms.map((vm) => decode(vm.user_data))).toEqual(
        Array(3).fill(
          [
            '#cloud-config',
            '# Rendered by platform-constructs for ubuntu-24.04; edit the spec, not this file.',
            'package_update: true',
            'packages:',
            '  - "nginx"',
            'runcmd:',
            '  - ["systemctl", "enable", "--now", "--", "nginx"]',
            '',
          ].join('\n'),
        ),
      );
    });

    test('with a playbook, user_data installs the scheduled ansible-pull', () => {
      const spec = serverSpec({
        ansible: { repository: 'https://github.com/acme/ops', playbook: 'site.yml', everyMinutes: 60 },
      });
      const userData = decode(all(synth({ spec }), 'azurerm_linux_virtual_machine')[0]!.user_data);
      expect(userData).toContain('"/etc/systemd/system/platform-ansible.timer"');
      expect(userData).toContain('["systemctl", "enable", "--now", "--", "platform-ansible.timer"]');
      expect(userData).toContain('  - "ansible-core"');
    });

    test('custom_data holds the bootstrap that fetches the user data every 5 minutes and applies it', () => {
      const vms = all(synth(), 'azurerm_linux_virtual_machine');
      expect(vms).toHaveLength(3);
      const bootstraps = [...new Set(vms.map((vm) => decode(vm.custom_data)))];
      expect(bootstraps).toHaveLength(1);
      const bootstrap = bootstraps[0]!;
      expect(bootstrap).toMatch(
        /^#cloud-config\n# Rendered by platform-constructs: installs the configuration applier; the configuration is in the user data\.\nwrite_files:\n/,
      );
      expect([...bootstrap.matchAll(/^ {2}- path: "(.+)"$/gm)].map((m) => m[1])).toEqual([
        '/usr/local/sbin/platform-configure',
        '/usr/local/sbin/platform-fetch-configuration',
        '/etc/systemd/system/platform-configure.service',
        '/etc/systemd/system/platform-configure.timer',
      ]);
      expect(bootstrap).toMatch(
        /\nruncmd:\n {2}- \["systemctl", "daemon-reload"\]\n {2}- \["systemctl", "enable", "--now", "platform-configure\.timer"\]\n$/,
      );
      /** The decoded content of one file the bootstrap writes. */
      const file = (path: string): string =>
        decode(
          new RegExp(`- path: "${path}"\\n {4}encoding: "b64"\\n {4}content: "([^"]+)"`).exec(bootstrap)?.[1] ?? '',
        );
      expect(file('/usr/local/sbin/platform-fetch-configuration')).toContain(
        "curl --silent --fail --show-error --header Metadata:true --noproxy '*' 'http://169.254.169.254/metadata/instance/compute/userData?api-version=2021-01-01&format=text' | base64 --decode > /var/lib/platform/cloud-config.yaml.new",
      );
      expect(file('/etc/systemd/system/platform-configure.timer')).toContain('OnBootSec=1min\nOnUnitActiveSec=5min\n');
      expect(file('/etc/systemd/system/platform-configure.service')).toContain(
        'ExecStart=/usr/local/sbin/platform-fetch-configuration\n',
      );
    });

    test('a later bootstrap, key or zone-count change never re-creates a VM: custom_data, admin_ssh_key and zone are ignored', () => {
      expect(all(synth(), 'azurerm_linux_virtual_machine').map((vm) => vm.lifecycle)).toEqual(
        Array(3).fill({ ignore_changes: ['custom_data', 'admin_ssh_key', 'zone'] }),
      );
    });

    test('a configuration change changes only user_data, which is updated in place', () => {
      const before = all(synth(), 'azurerm_linux_virtual_machine')[0]!;
      const spec = serverSpec({ configuration: { packages: ['htop'] } });
      const after = all(synth({ spec }), 'azurerm_linux_virtual_machine')[0]!;
      const changed = Object.keys(after).filter(
        (key) =>
          JSON.stringify(after[key as keyof typeof after]) !== JSON.stringify(before[key as keyof typeof before]),
      );
      expect(changed).toEqual(['user_data']);
    });

    test('patched by the platform in the maintenance window (customer-managed schedule)', () => {
      const [vm] = all(synth(), 'azurerm_linux_virtual_machine');
      expect(vm).toMatchObject({
        patch_mode: 'AutomaticByPlatform',
        patch_assessment_mode: 'AutomaticByPlatform',
        bypass_platform_safety_checks_on_user_schedule_enabled: true,
      });
    });

    test('tagged with the backup plan and the server definition', () => {
      const [vm] = all(synth(), 'azurerm_linux_virtual_machine');
      expect(vm!.tags).toEqual({ [BACKUP_TAG]: 'platform-dev', [SERVER_TAG]: 'dev-web' });
    });

    test('backupPlan names another plan', () => {
      const [vm] = all(synth({ props: { backupPlan: 'platform-dev-weekly' } }), 'azurerm_linux_virtual_machine');
      expect(vm!.tags[BACKUP_TAG]).toBe('platform-dev-weekly');
    });

    test('the environment tags are added to the definition tags, not in place of them', () => {
      const env = envWith([{ name: 'web', size: 'small' }]);
      const outdir = mkdtempSync(join(tmpdir(), 'azure-server-'));
      try {
        const app = new App({ outdir });
        const stack = new TerraformStack(app, 'env');
        new AzurermProvider(stack, 'azurerm', { features: [{}] });
        new Server(stack, 'server-web', {
          spec: env.servers[0]!,
          environment: 'dev',
          resourceGroup: rg,
          subnetId: SUBNET,
          zones: 2,
          adminSshPublicKey: KEY,
        });
        TagResources.applyTo(stack, env.tags);
        app.synth();
        const [vm] = all(readStackJson(outdir, 'env'), 'azurerm_linux_virtual_machine');
        expect(vm!.tags).toEqual({ ...env.tags, [BACKUP_TAG]: 'platform-dev', [SERVER_TAG]: 'dev-web' });
        expect(vm!.tags.owner).toBe('platform-team');
      } finally {
        rmSync(outdir, { recursive: true, force: true });
      }
    });
  });

  describe('network interfaces', () => {
    test('one per VM, in the subnet, with a dynamic private IP and no public IP', () => {
      const tf = synth();
      const nics = all(tf, 'azurerm_network_interface');
      expect(nics.map((n) => n.name)).toEqual([
        'nic-platform-dev-web-1-weu',
        'nic-platform-dev-web-2-weu',
        'nic-platform-dev-web-3-weu',
      ]);
      for (const n of nics) {
        expect(n.ip_configuration).toEqual([
          { name: 'primary', subnet_id: SUBNET, private_ip_address_allocation: 'Dynamic' },
        ]);
        expect(n.tags).toEqual({ [SERVER_TAG]: 'dev-web' });
      }
      const nicAddresses = addressesOf(tf, 'azurerm_network_interface');
      expect(all(tf, 'azurerm_linux_virtual_machine').map((vm) => vm.network_interface_ids)).toEqual(
        nicAddresses.map((a) => [`\${azurerm_network_interface.${a}.id}`]),
      );
    });

    test('locationCode names the location in the network interface names', () => {
      const nics = all(synth({ props: { locationCode: 'we' } }), 'azurerm_network_interface');
      expect(nics[0]!.name).toBe('nic-platform-dev-web-1-we');
    });
  });

  describe('monitoring agent and data collection', () => {
    test('the Azure Monitor Agent on every VM, upgraded automatically', () => {
      const tf = synth();
      const agents = all(tf, 'azurerm_virtual_machine_extension');
      expect(agents).toHaveLength(3);
      expect(agents.map((a) => a.virtual_machine_id)).toEqual(
        addressesOf(tf, 'azurerm_linux_virtual_machine').map((a) => `\${azurerm_linux_virtual_machine.${a}.id}`),
      );
      for (const agent of agents) {
        expect(agent).toMatchObject({
          name: 'AzureMonitorLinuxAgent',
          publisher: 'Microsoft.Azure.Monitor',
          type: 'AzureMonitorLinuxAgent',
          type_handler_version: '1.0',
          auto_upgrade_minor_version: true,
          automatic_upgrade_enabled: true,
        });
      }
    });

    test('without monitoring: no data collection rule and no alerts', () => {
      const tf = synth();
      expect(all(tf, 'azurerm_monitor_data_collection_rule')).toEqual([]);
      expect(all(tf, 'azurerm_monitor_data_collection_rule_association')).toEqual([]);
      expect(all(tf, 'azurerm_monitor_metric_alert')).toEqual([]);
    });

    test('a data collection rule sends performance counters every minute to the workspace', () => {
      const [rule] = all(synth({ monitoring: true }), 'azurerm_monitor_data_collection_rule');
      expect(rule).toMatchObject({ name: 'dcr-platform-dev-web-weu', kind: 'Linux', location: 'westeurope' });
      expect(rule!.destinations.log_analytics).toEqual([
        {
          name: 'workspace',
          workspace_resource_id: expect.stringMatching(/^\$\{azurerm_log_analytics_workspace\.[^.]+\.id\}$/),
        },
      ]);
      expect(rule!.data_sources.performance_counter).toEqual([
        {
          name: 'performance',
          streams: ['Microsoft-Perf'],
          sampling_frequency_in_seconds: 60,
          counter_specifiers: [
            '\\Processor(*)\\% Processor Time',
            '\\Memory(*)\\% Used Memory',
            '\\Logical Disk(*)\\% Used Space',
            '\\Logical Disk(*)\\% Free Space',
          ],
        },
      ]);
      expect(rule!.data_flow).toEqual([
        { streams: ['Microsoft-Perf'], destinations: ['workspace'] },
        { streams: ['Microsoft-Syslog'], destinations: ['workspace'] },
      ]);
    });

    test('syslog: services and Ansible (daemon, user) from Info up, the system facilities from Warning up', () => {
      const [rule] = all(synth({ monitoring: true }), 'azurerm_monitor_data_collection_rule');
      expect(rule!.data_sources.syslog).toEqual([
        {
          name: 'services',
          streams: ['Microsoft-Syslog'],
          facility_names: ['daemon', 'user'],
          log_levels: ['Info', 'Notice', 'Warning', 'Error', 'Critical', 'Alert', 'Emergency'],
        },
        {
          name: 'system',
          streams: ['Microsoft-Syslog'],
          facility_names: ['auth', 'authpriv', 'cron', 'kern', 'syslog'],
          log_levels: ['Warning', 'Error', 'Critical', 'Alert', 'Emergency'],
        },
      ]);
    });

    test('one data collection rule association per VM', () => {
      const tf = synth({ monitoring: true });
      const [ruleAddress] = addressesOf(tf, 'azurerm_monitor_data_collection_rule');
      const associations = all(tf, 'azurerm_monitor_data_collection_rule_association');
      expect(associations.map((a) => [a.name, a.target_resource_id, a.data_collection_rule_id])).toEqual(
        addressesOf(tf, 'azurerm_linux_virtual_machine').map((vm) => [
          'dcr-platform-dev-web-weu',
          `\${azurerm_linux_virtual_machine.${vm}.id}`,
          `\${azurerm_monitor_data_collection_rule.${ruleAddress}.id}`,
        ]),
      );
    });
  });

  describe('alerts', () => {
    const vmIds = (tf: TfStackJson): string[] =>
      addressesOf(tf, 'azurerm_linux_virtual_machine').map((a) => `\${azurerm_linux_virtual_machine.${a}.id}`);

    test('availability, CPU, memory and disk alerts named platform-<env>-server.<name>.<kind>', () => {
      const tf = synth({ monitoring: true });
      expect(all(tf, 'azurerm_monitor_metric_alert').map((a) => a.name)).toEqual([
        'platform-dev-server.web.availability',
        'platform-dev-server.web.cpu',
      ]);
      expect(
        all(tf, 'azurerm_monitor_scheduled_query_rules_alert_v2')
          .map((a) => a.name)
          .filter((n) => n.includes('server'))
          .sort(),
      ).toEqual(['platform-dev-server.web.disk', 'platform-dev-server.web.memory']);
    });

    test('availability: one critical alert over every VM, each judged on its own', () => {
      const tf = synth({ monitoring: true });
      const alert = all(tf, 'azurerm_monitor_metric_alert').find((a) => a.name.endsWith('.availability'))!;
      expect(alert).toMatchObject({
        scopes: vmIds(tf),
        target_resource_type: 'Microsoft.Compute/virtualMachines',
        target_resource_location: 'westeurope',
        severity: 1,
        window_size: 'PT5M',
        criteria: [
          {
            metric_namespace: 'Microsoft.Compute/virtualMachines',
            metric_name: 'VmAvailabilityMetric',
            aggregation: 'Average',
            operator: 'LessThan',
            threshold: 1,
          },
        ],
      });
      expect(alert.description).toMatch(
        /^\[critical\] A server of web was not available for 5 minutes.+First response: /,
      );
    });

    test('CPU: above 90% on average for 15 minutes (3 periods of 5), a warning, over every VM', () => {
      const tf = synth({ monitoring: true });
      const alert = all(tf, 'azurerm_monitor_metric_alert').find((a) => a.name.endsWith('.cpu'))!;
      expect(alert).toMatchObject({
        scopes: vmIds(tf),
        target_resource_type: 'Microsoft.Compute/virtualMachines',
        target_resource_location: 'westeurope',
        severity: 2,
        window_size: 'PT15M',
        frequency: 'PT5M',
        criteria: [{ metric_name: 'Percentage CPU', aggregation: 'Average', operator: 'GreaterThan', threshold: 90 }],
      });
      expect(alert.description).toBe(
        "[warning] A server's CPU was above 90% for 15 minutes. First response: Find the busy process (top, over a Session Manager or SSH session) before resizing the server.",
      );
    });

    test('memory: the average % Used Memory per computer of the definition, above 90% for 3 windows of 5 minutes', () => {
      const tf = synth({ monitoring: true });
      const alert = all(tf, 'azurerm_monitor_scheduled_query_rules_alert_v2').find((a) =>
        a.name.endsWith('server.web.memory'),
      )!;
      expect(alert.window_duration).toBe('PT5M');
      expect(alert.severity).toBe(2);
      expect(alert.criteria[0]).toEqual({
        query:
          'Perf | where Computer in ("vm-platform-dev-web-1", "vm-platform-dev-web-2", "vm-platform-dev-web-3") and ObjectName == "Memory" and CounterName == "% Used Memory"',
        time_aggregation_method: 'Average',
        operator: 'GreaterThan',
        threshold: 90,
        metric_measure_column: 'CounterValue',
        dimension: [{ name: 'Computer', operator: 'Include', values: ['*'] }],
        failing_periods: { minimum_failing_periods_to_trigger_alert: 3, number_of_evaluation_periods: 3 },
      });
    });

    test('disk: the root file system more than 85% full, per computer', () => {
      const tf = synth({ monitoring: true });
      const alert = all(tf, 'azurerm_monitor_scheduled_query_rules_alert_v2').find((a) =>
        a.name.endsWith('server.web.disk'),
      )!;
      expect(alert.criteria[0]).toMatchObject({
        query:
          'Perf | where Computer in ("vm-platform-dev-web-1", "vm-platform-dev-web-2", "vm-platform-dev-web-3") and ObjectName == "Logical Disk" and CounterName == "% Used Space" and InstanceName == "/"',
        time_aggregation_method: 'Average',
        operator: 'GreaterThan',
        threshold: 85,
        metric_measure_column: 'CounterValue',
        dimension: [{ name: 'Computer', operator: 'Include', values: ['*'] }],
        failing_periods: { minimum_failing_periods_to_trigger_alert: 1, number_of_evaluation_periods: 1 },
      });
      expect(alert.description).toMatch(/^\[warning\] A server's root file system is more than 85% full\./);
    });

    test('the spec tunes one server alert, and its CPU window follows the periods', () => {
      const env = envWith([{ name: 'web', size: 'medium', count: 3 }], devInput(), {
        monitoring: { alarms: { 'server/web/cpu': { threshold: 75, evaluationPeriods: 1, severity: 'critical' } } },
      });
      const alert = all(synth({ env, monitoring: true }), 'azurerm_monitor_metric_alert').find((a) =>
        a.name.endsWith('.cpu'),
      )!;
      expect([alert.criteria[0].threshold, alert.window_size, alert.severity]).toEqual([75, 'PT5M', 1]);
      expect(alert.description).toMatch(/above 75% for 5 minutes/);
    });

    test('the spec switches the memory alert off with a reason', () => {
      const env = envWith([{ name: 'web', size: 'medium', count: 3 }], devInput(), {
        monitoring: {
          alarms: { 'server/web/memory': { enabled: false, reason: 'A cache that fills memory on purpose' } },
        },
      });
      const names = all(synth({ env, monitoring: true }), 'azurerm_monitor_scheduled_query_rules_alert_v2').map(
        (a) => a.name,
      );
      expect(names).not.toContain('platform-dev-server.web.memory');
      expect(names).toContain('platform-dev-server.web.disk');
    });

    test('overrides of the AWS-only alarms (recovery, status checks) are accepted', () => {
      const env = envWith([{ name: 'web', size: 'medium', count: 3 }], devInput(), {
        monitoring: {
          alarms: {
            'server/web/recovery': { enabled: false, reason: 'Recovered by the auto scaling group instead' },
            'server/web/status-checks': { evaluationPeriods: 3 },
          },
        },
      });
      expect(all(synth({ env, monitoring: true }), 'azurerm_monitor_metric_alert')).toHaveLength(2);
    });

    test('an override of an alarm the server does not have still fails synthesis', () => {
      const env = envWith([{ name: 'web', size: 'medium', count: 3 }], devInput(), {
        monitoring: { alarms: { 'server/web/swap': { threshold: 3 } } },
      });
      expect(errorOf(() => synth({ env, monitoring: true })).message).toContain(
        'monitoring.alarms.server/web/swap: no alarm has this id',
      );
    });

    test('a workbook section charts CPU, memory and disk per computer', () => {
      const [book] = all(synth({ monitoring: true }), 'azurerm_application_insights_workbook');
      const data = JSON.parse(book!.data_json) as WorkbookData;
      const start = data.items.findIndex((i) => i.content.json === '## Servers: web');
      expect(start).toBeGreaterThan(0);
      const section = data.items.slice(start + 1, start + 4).map((i) => [i.content.title, i.content.query]);
      expect(section).toEqual([
        [
          'CPU used (%)',
          expect.stringMatching(
            /^Perf \| where Computer in \("vm-platform-dev-web-1", .+\) and ObjectName == "Processor" and CounterName == "% Processor Time" and InstanceName == "_Total" \| summarize avg\(CounterValue\) by Computer, bin\(TimeGenerated, 5m\)$/,
          ),
        ],
        ['Memory used (%)', expect.stringContaining('CounterName == "% Used Memory"')],
        ['Root disk used (%)', expect.stringContaining('CounterName == "% Used Space" and InstanceName == "/"')],
      ]);
    });
  });

  describe('names', () => {
    test('fit Azure limits for the longest environment and server names', () => {
      const spec = { ...serverSpec(), name: 'abcdefghijklmnop', count: 20 };
      const names = renderServerNames({
        spec,
        environment: 'abcdefghijkl',
        resourceGroup: { name: 'rg', location: 'southcentralus' },
      });
      expect(names.virtualMachines[19]).toBe('vm-platform-abcdefghijkl-abcdefghijklmnop-20');
      expect(names.dataCollectionRule).toBe('dcr-platform-abcdefghijkl-abcdefghijklmnop-scus');
      for (const n of names.virtualMachines) expect(checkName('azureLinuxVirtualMachine', n)).toBeUndefined();
      for (const n of names.networkInterfaces) expect(checkName('azureNetworkInterface', n)).toBeUndefined();
      expect(names.dataCollectionRule.length).toBeLessThanOrEqual(64);
    });
  });

  describe('validation', () => {
    const build =
      (change: Partial<ServerProps>, spec: Partial<ServerSpec> = {}) =>
      () =>
        synth({ spec: { ...serverSpec(), ...spec }, props: change });

    test('an operating system without an Azure image is refused, naming the ones that have one', () => {
      expect(build({}, { os: { aws: 'amazon-linux-2023', azure: 'amazon-linux-2023' } })).toThrow(
        /spec\.os\.azure: "amazon-linux-2023" - an operating system with an Azure image: ubuntu-24\.04/,
      );
    });

    test('fewer than one zone is refused', () => {
      expect(build({ zones: 0 })).toThrow(/zones: 0 - a whole number of availability zones from 1 to 3/);
    });

    test('fewer than one server is refused', () => {
      expect(build({}, { count: 0 })).toThrow(/spec\.count: 0 - a whole number of servers from 1 to 20/);
    });

    test('a disk smaller than the image is refused', () => {
      expect(build({}, { diskGiB: 16 })).toThrow(/spec\.diskGiB: 16 - a whole number of GiB, at least 30/);
    });

    test('a key that is not an OpenSSH public key is refused', () => {
      expect(build({ adminSshPublicKey: 'AAAAB3Nza' })).toThrow(
        /adminSshPublicKey: "AAAAB3Nza" - an OpenSSH public key line/,
      );
    });

    test('an empty subnet is refused', () => {
      expect(build({ subnetId: '' })).toThrow(/subnetId: "" - the ID of the subnet/);
    });

    test('a service named like an option reaches user_data after --, so systemctl reads it as a unit name', () => {
      const spec: ServerSpec = {
        ...serverSpec(),
        configuration: { packages: [], files: [], commands: [], services: ['--force'] },
      };
      const userData = decode(all(synth({ spec }), 'azurerm_linux_virtual_machine')[0]!.user_data);
      expect(userData).toContain('\n  - ["systemctl", "enable", "--now", "--", "--force"]\n');
    });

    test('configuration and Ansible values user_data cannot carry as data are refused at their paths', () => {
      const base = serverSpec({
        ansible: { repository: 'https://github.com/acme/ops', playbook: 'site.yml' },
      });
      const message = errorOf(
        build(
          {},
          {
            configuration: { ...base.configuration, packages: ['--allow-unauthenticated'], services: ['x; reboot'] },
            ansible: { ...base.ansible!, ref: '--help', playbook: '$(id).yml' },
          },
        ),
      ).message;
      expect(message).toMatch(/^Invalid Server props \(web\) \(4 problems\):/);
      expect(message).toContain('spec.configuration.packages[0]: "--allow-unauthenticated" - a package name');
      expect(message).toContain('spec.configuration.services[0]: "x; reboot" - a systemd unit name');
      expect(message).toContain('spec.ansible.ref: "--help" - a branch or tag name');
      expect(message).toContain('spec.ansible.playbook: "$(id).yml" - a path relative to the repository root');
    });

    test('a key with a second line is refused: Azure writes it into authorized_keys, where it would add a key', () => {
      expect(build({ adminSshPublicKey: `${KEY}\nssh-rsa AAAAB3Nza attacker` })).toThrow(
        /adminSshPublicKey: "ssh-ed25519 .* - an OpenSSH public key line/,
      );
    });

    test('every problem is reported at once', () => {
      const message = errorOf(build({ zones: 0 }, { count: 0 })).message;
      expect(message).toMatch(/^Invalid Server props \(web\) \(2 problems\):/);
      expect(message).toContain('spec.count: 0');
      expect(message).toContain('zones: 0');
    });
  });

  describe('guardrails', () => {
    /** A production-tier stack composed like the environment stacks: monitoring, network, patching, one server. */
    function productionApp(outdir: string, skipValidation: boolean): App {
      const env = envWith([{ name: 'web', size: 'medium', count: 3 }], prodInput());
      return buildProductionApp(
        env,
        outdir,
        ({ stack, resourceGroup, monitoring, network }) => {
          const patching = new Patching(stack, 'patching', {
            spec: env.patching,
            environment: env.name,
            resourceGroup,
          });
          new Server(stack, 'server-web', {
            spec: env.servers[0]!,
            environment: env.name,
            resourceGroup,
            subnetId: network.subnets.workloads.id,
            zones: env.network.zones,
            adminSshPublicKey: KEY,
            monitoring,
            patching,
          });
        },
        { skipValidation },
      );
    }

    let outdir: string;
    beforeEach(() => {
      outdir = mkdtempSync(join(tmpdir(), 'azure-server-policy-'));
    });
    afterEach(() => rmSync(outdir, { recursive: true, force: true }));

    test('in production, the only finding is the VM backup that issue 7 brings, on each VM', () => {
      productionApp(outdir, true).synth();
      const tf = readStackJson(outdir, 'env');
      const findings = checkTerraform(tf, { tier: 'production', rules: AZURE_RULES });
      expect(findings.map((f) => [f.ruleId, f.severity, f.address])).toEqual(
        addressesOf(tf, 'azurerm_linux_virtual_machine').map((a) => [
          'PC_AZURE_VM_BACKUP',
          'error',
          `azurerm_linux_virtual_machine.${a}`,
        ]),
      );
      expect(all(tf, 'azurerm_linux_virtual_machine').map((vm) => vm.zone)).toEqual(['1', '2', '3']);
    });

    test('PolicyChecks fails a production synthesis on the missing backups, and on nothing else', () => {
      const message = errorOf(() => productionApp(outdir, false).synth()).message;
      const rules = [...message.matchAll(/\[(?:error|warning)\] (\S+)/g)].map((m) => m[1]);
      expect(rules).toEqual(['PC_AZURE_VM_BACKUP', 'PC_AZURE_VM_BACKUP', 'PC_AZURE_VM_BACKUP']);
    });
  });
});
