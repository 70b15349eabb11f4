import * as linuxVm from '@cdktf/provider-azurerm/lib/linux-virtual-machine';
import * as maintenanceAssignment from '@cdktf/provider-azurerm/lib/maintenance-assignment-virtual-machine';
import * as dcr from '@cdktf/provider-azurerm/lib/monitor-data-collection-rule';
import * as dcrAssociation from '@cdktf/provider-azurerm/lib/monitor-data-collection-rule-association';
import * as nic from '@cdktf/provider-azurerm/lib/network-interface';
import * as vmExtension from '@cdktf/provider-azurerm/lib/virtual-machine-extension';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import {
  ansibleIssues,
  BACKUP_TAG,
  backupPlanName,
  checkProps,
  configurationFor,
  configurationIssues,
  healthCheckPathProblem,
  IssueCollector,
  makeName,
  MAX_SERVER_COUNT,
  OPERATING_SYSTEM_IMAGES,
  PLATFORM_PREFIX,
  portProblem,
  renderAzureBootstrap,
  renderCloudInit,
  SERVER_SIZE_NAMES,
  SERVER_SIZES,
  SERVER_TAG,
  withHealthProbe,
  zoneIndexOf,
  type PropRules,
  type ServerSpec,
} from '../core';
import {
  ENVIRONMENT_PROP,
  LOCATION_CODE_PROP,
  MONITORING_PROP,
  pathUnder,
  RESOURCE_GROUP_PROP,
  RETAIN_DATA_PROP,
} from './construct-props';
import type { IMonitoring } from './interfaces';
import type { IResourceGroup } from './interfaces';
import { locationCodeOf } from './location';
import type { IPatching } from './patching';
import { RetainStatefulResources } from './protection';
import { addServerAlarms, AZURE_SERVER_HEALTH_LOG } from './server-alarms';

/** Props of {@link Server}. */
export interface ServerProps {
  /** One resolved server definition (`servers[i]` of the environment): size, OS, count, disk, configuration. */
  readonly spec: ServerSpec;
  /** The environment name; it goes into every resource name (`vm-platform-<env>-<name>-<n>`). */
  readonly environment: string;
  /** The resource group to create the servers in; its location is theirs. */
  readonly resourceGroup: IResourceGroup;
  /**
   * Short code of the location, at the end of the names of the network interfaces and the data collection rule
   * (VM names leave it out: they are the servers' host names).
   * @default - the code of the resource group's location in AZURE_LOCATIONS
   */
  readonly locationCode?: string;
  /** The subnet the servers' network interfaces are in (the network's workloads subnet). */
  readonly subnetId: string;
  /**
   * How many availability zones the environment uses (2 or 3); server `i` goes to zone
   * `zoneIndexOf(i, zones, spec.name)` + 1, the same rotation as on AWS.
   */
  readonly zones: number;
  /**
   * The OpenSSH public key of the `platform` administrator, kept for break-glass access (ssh-ed25519 or ssh-rsa).
   * Changing it later does not reach running servers (see {@link Server}).
   */
  readonly adminSshPublicKey: string;
  /**
   * The environment's monitoring: the default alerts, a workbook section, and a data collection rule that sends
   * the servers' performance counters and syslog to its workspace.
   * @default - no alerts and no data collection rule
   */
  readonly monitoring?: IMonitoring;
  /**
   * The environment's patch schedule: each VM is assigned to its maintenance configuration.
   * @default - no assignment (Azure then patches on its own schedule, since the VMs are AutomaticByPlatform)
   */
  readonly patching?: IPatching;
  /**
   * The value of the BACKUP_TAG tag, the backup plan that selects the servers.
   * @default backupPlanName(environment)
   */
  readonly backupPlan?: string;
  /**
   * Give the VMs `lifecycle.prevent_destroy`, so that no plan destroys or replaces a VM and the OS disk it booted from.
   * @default - the tier of the stack (`protectionOf(this).retainData`): in production, and wherever no tier is stated
   */
  readonly retainData?: boolean;
}

const SERVER_PROPS: PropRules = {
  spec: {
    kind: 'object',
    allowed: 'one resolved server definition: defineEnvironment(...).servers[i]',
    fields: {
      name: { kind: 'string', allowed: 'the server name' },
      count: { kind: 'number', allowed: 'how many VMs' },
      healthCheck: {
        kind: 'object',
        optional: true,
        allowed: 'the health endpoint, { port, path }, such as { port: 80, path: "/healthz" }',
      },
    },
  },
  environment: ENVIRONMENT_PROP,
  resourceGroup: RESOURCE_GROUP_PROP,
  locationCode: LOCATION_CODE_PROP,
  subnetId: {
    kind: 'string',
    allowed: "the subnet ID of the servers' network interfaces (network.subnets.workloads.id)",
  },
  zones: { kind: 'number', allowed: 'how many availability zones the environment uses: 2 or 3' },
  adminSshPublicKey: { kind: 'string', allowed: 'an OpenSSH public key (ssh-ed25519 or ssh-rsa)' },
  monitoring: MONITORING_PROP,
  patching: { kind: 'object', optional: true, allowed: "the environment's patch schedule (a Patching)" },
  backupPlan: { kind: 'string', optional: true, allowed: 'the backup plan name the VMs are tagged with' },
  retainData: RETAIN_DATA_PROP,
};

/** The administrator account of every VM (its SSH key is for break-glass access only). */
export const SERVER_ADMIN_USERNAME = 'platform';

/** The Azure Monitor Agent extension: sends what the data collection rule asks for to the workspace. */
export const AZURE_MONITOR_LINUX_AGENT = {
  name: 'AzureMonitorLinuxAgent',
  publisher: 'Microsoft.Azure.Monitor',
  type: 'AzureMonitorLinuxAgent',
  // The major version: Azure installs the newest 1.x minor on creation and upgrades it automatically after.
  typeHandlerVersion: '1.0',
} as const;

/** The performance counters the data collection rule collects every minute (Linux counter names). */
export const SERVER_PERFORMANCE_COUNTERS = [
  '\\Processor(*)\\% Processor Time',
  '\\Memory(*)\\% Used Memory',
  '\\Logical Disk(*)\\% Used Space',
  '\\Logical Disk(*)\\% Free Space',
] as const;

/** Syslog levels from `from` up (Azure Monitor lists every level it collects). */
const SYSLOG_LEVELS = ['Debug', 'Info', 'Notice', 'Warning', 'Error', 'Critical', 'Alert', 'Emergency'] as const;
const levelsFrom = (from: (typeof SYSLOG_LEVELS)[number]): string[] => SYSLOG_LEVELS.slice(SYSLOG_LEVELS.indexOf(from));

/**
 * The syslog the data collection rule collects. `daemon` and `user` from Info up: systemd services log their output
 * under `daemon` at Info (platform-configure and platform-ansible, by their syslog identifiers) and Ansible logs
 * its module runs under `user`; the others from Warning up, which keeps the volume low.
 */
export const SERVER_SYSLOG = [
  { name: 'services', facilityNames: ['daemon', 'user'], logLevels: levelsFrom('Info') },
  { name: 'system', facilityNames: ['auth', 'authpriv', 'cron', 'kern', 'syslog'], logLevels: levelsFrom('Warning') },
] as const;

/** The names of everything the server creates. */
export interface ServerNames {
  /** Each VM, also its computer (host) name: `vm-platform-<env>-<name>-<n>`, n from 1. */
  readonly virtualMachines: readonly string[];
  /** Each VM's network interface: `nic-platform-<env>-<name>-<n>-<location code>`. */
  readonly networkInterfaces: readonly string[];
  /** The data collection rule: `dcr-platform-<env>-<name>-<location code>`. */
  readonly dataCollectionRule: string;
}

/** Names every resource of a server definition, within Azure's limits; pure. */
export function renderServerNames(
  props: Pick<ServerProps, 'spec' | 'environment' | 'resourceGroup' | 'locationCode'>,
): ServerNames {
  const code = props.locationCode ?? locationCodeOf(props.resourceGroup.location);
  const loc = code === undefined ? [] : [code];
  const base = [PLATFORM_PREFIX, props.environment, props.spec.name];
  const numbers = Array.from({ length: Math.max(0, props.spec.count) }, (_, i) => String(i + 1));
  return {
    virtualMachines: numbers.map((n) => makeName('azureLinuxVirtualMachine', ['vm', ...base, n])),
    networkInterfaces: numbers.map((n) => makeName('azureNetworkInterface', ['nic', ...base, n, ...loc])),
    // A data collection rule takes 3-64 letters, digits and hyphens: the VM rule (2-64) is the nearest one named.
    dataCollectionRule: makeName('azureLinuxVirtualMachine', ['dcr', ...base, ...loc]),
  };
}

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/**
 * The lines the health probe runs on Azure after each probe (`withHealthProbe`'s report): it writes `health=1` or
 * `health=0` to syslog with logger (AZURE_SERVER_HEALTH_LOG: tag `platform-health`, `user.notice`), which the
 * journal keeps (`journalctl -t platform-health`) and the Azure Monitor Agent sends to the Syslog table.
 */
export function renderHealthReport(): string[] {
  const { tag, facility, level, prefix } = AZURE_SERVER_HEALTH_LOG;
  return [`logger -t ${tag} -p ${facility}.${level} "${prefix}$HEALTH"`];
}

/**
 * The cloud-config a server definition's VMs receive in their user data (configuration, scheduled Ansible and,
 * with `healthCheck`, the health probe reporting to syslog); pure.
 */
export function renderServerUserData(
  spec: Pick<ServerSpec, 'configuration' | 'ansible' | 'os' | 'healthCheck'>,
): string {
  const configuration = configurationFor(spec.configuration, spec.ansible, 'azure');
  return renderCloudInit(
    spec.healthCheck ? withHealthProbe(configuration, spec.healthCheck, renderHealthReport()) : configuration,
    spec.os.azure,
  );
}

/**
 * Maps one instance of a server definition to the provider's VM config, without its network interface; pure.
 * @param index the instance, from 0 (zone `zoneIndexOf(index, zones, name)` + 1, name ending in `index + 1`)
 */
export function renderVirtualMachineConfig(
  props: ServerProps,
  index: number,
  name: string,
): Omit<linuxVm.LinuxVirtualMachineConfig, 'networkInterfaceIds'> {
  const { spec } = props;
  const size = SERVER_SIZES[spec.size];
  const image = OPERATING_SYSTEM_IMAGES[spec.os.azure].azureImage;
  return {
    name,
    computerName: name,
    location: props.resourceGroup.location,
    resourceGroupName: props.resourceGroup.name,
    size: size.azureVmSize,
    // Chosen once by the index (from a zone that follows from the name, as on AWS): adding servers never moves
    // one, and zone is ForceNew.
    zone: String(zoneIndexOf(index, props.zones, spec.name) + 1),
    adminUsername: SERVER_ADMIN_USERNAME,
    adminSshKey: [{ username: SERVER_ADMIN_USERNAME, publicKey: props.adminSshPublicKey }],
    disablePasswordAuthentication: true,
    osDisk: {
      name: `${name}-osdisk`,
      caching: 'ReadWrite',
      storageAccountType: 'Premium_LRS',
      diskSizeGb: spec.diskGiB,
    },
    ...(image && {
      sourceImageReference: {
        publisher: image.publisher,
        offer: image.offer,
        sku: image.sku,
        // `latest` is resolved once, when the VM is created, and stays `latest` in the state: a newer public image
        // never replaces a running VM. A pinned version is ForceNew: changing it re-creates the VM on purpose.
        version: spec.image.azureImageVersion ?? 'latest',
      },
    }),
    identity: { type: 'SystemAssigned' },
    encryptionAtHostEnabled: size.azureEncryptionAtHost,
    // Trusted launch (the images are Gen2): the boot chain is verified and measured into the vTPM.
    secureBootEnabled: true,
    vtpmEnabled: true,
    // An empty block: boot diagnostics in a storage account Azure manages.
    bootDiagnostics: {},
    customData: base64(renderAzureBootstrap()),
    userData: base64(renderServerUserData(spec)),
    provisionVmAgent: true,
    // Azure installs updates in the maintenance configuration's window, and only there (Azure Update Manager's
    // customer-managed schedules need both settings).
    patchMode: 'AutomaticByPlatform',
    patchAssessmentMode: 'AutomaticByPlatform',
    bypassPlatformSafetyChecksOnUserScheduleEnabled: true,
    tags: {
      [BACKUP_TAG]: props.backupPlan ?? backupPlanName(props.environment),
      [SERVER_TAG]: serverTagValue(props),
    },
    lifecycle: {
      // All three are ForceNew. custom_data is the first-boot bootstrap (the configuration itself travels in
      // user_data, which changes in place), and the SSH key is for break-glass access: a later change to either
      // must reach new VMs only, never re-create a running one and its OS disk. The zone follows from the
      // environment's zone count: changing that count must not move (re-create) running VMs either, whose kept
      // OS disk would then also block the new VM's disk name.
      ignoreChanges: ['custom_data', 'admin_ssh_key', 'zone'],
    },
  };
}

/**
 * Maps a server definition to its data collection rule: performance counters every minute and syslog, both to the
 * environment's workspace; pure.
 */
export function renderDataCollectionRuleConfig(
  props: Pick<ServerProps, 'spec' | 'environment' | 'resourceGroup'>,
  name: string,
  workspaceId: string,
): dcr.MonitorDataCollectionRuleConfig {
  const destination = 'workspace';
  return {
    name,
    location: props.resourceGroup.location,
    resourceGroupName: props.resourceGroup.name,
    kind: 'Linux',
    description: `Performance counters and syslog of the ${props.spec.name} servers, to the environment's workspace`,
    destinations: { logAnalytics: [{ name: destination, workspaceResourceId: workspaceId }] },
    dataSources: {
      performanceCounter: [
        {
          name: 'performance',
          streams: ['Microsoft-Perf'],
          samplingFrequencyInSeconds: 60,
          counterSpecifiers: [...SERVER_PERFORMANCE_COUNTERS],
        },
      ],
      syslog: SERVER_SYSLOG.map((source) => ({
        name: source.name,
        streams: ['Microsoft-Syslog'],
        facilityNames: [...source.facilityNames],
        logLevels: [...source.logLevels],
      })),
    },
    dataFlow: [
      { streams: ['Microsoft-Perf'], destinations: [destination] },
      { streams: ['Microsoft-Syslog'], destinations: [destination] },
    ],
    tags: { [SERVER_TAG]: serverTagValue(props) },
  };
}

/** The value of SERVER_TAG: `<env>-<name>`. */
function serverTagValue(props: Pick<ServerProps, 'spec' | 'environment'>): string {
  return `${props.environment}-${props.spec.name}`;
}

/**
 * `count` identical Linux VMs of one server definition, spread over the zones: they go round the zones from one
 * that follows from the definition's name (`zoneIndexOf`, as on AWS), and server `i` (named `...-<i+1>`) stays in
 * its zone for its life, so adding servers never moves one.
 *
 * Each VM has a network interface in the given subnet with a dynamic private IP and no public IP, SSH keys only
 * (password authentication off, the `platform` key for break-glass access), encryption at host, trusted launch,
 * a system-assigned identity, managed boot diagnostics and the Azure Monitor Agent. It is tagged with the backup
 * plan (BACKUP_TAG) and its definition (SERVER_TAG).
 *
 * Configuration is applied in place: `custom_data` holds a fixed bootstrap that, every 5 minutes, reads the VM's
 * `user_data` (the rendered cloud-config, with a scheduled `ansible-pull` when the spec has a playbook) and applies
 * it when it changed. `user_data` is updated in place by Terraform, so a configuration change never re-creates a
 * VM. `custom_data` and `admin_ssh_key` are ForceNew and ignored after creation for the same reason.
 *
 * With `monitoring`: the default alerts (availability, CPU, memory, disk), a workbook section and a data
 * collection rule sending performance counters and syslog (configuration and Ansible runs) to the environment's
 * workspace. With `patching`: every VM is assigned to the environment's maintenance configuration.
 *
 * With `spec.healthCheck`: the health probe in the user data (a systemd timer that requests
 * `http://127.0.0.1:<port><path>` every minute, lib/core/server-health.ts), reporting `health=1` or `health=0` to
 * syslog ({@link renderHealthReport}), which the data collection rule already collects (`user` from Info up), and,
 * with `monitoring`, a critical `health` log alert per computer evaluated every minute (see `addServerAlarms`): it
 * fires 4 to 5 minutes after the endpoint fails or the server stops reporting (AWS: 3 minutes), because it leaves a
 * minute for log ingestion. The measure is the same as on AWS: the healthy share of a minute's probes, 0 to 1.
 * Adding or changing the health check changes user_data only, in place.
 *
 * The subscription must have the EncryptionAtHost feature of Microsoft.Compute registered.
 *
 * @example
 * new Server(stack, 'server-web', {
 *   spec: env.servers[0], environment: env.name, resourceGroup: rg, subnetId: network.subnets.workloads.id,
 *   zones: env.network.zones, adminSshPublicKey: env.azure.adminSshPublicKey, monitoring, patching,
 * });
 */
export class Server extends Construct {
  /** The VMs, in instance order. */
  public readonly virtualMachines: readonly linuxVm.LinuxVirtualMachine[];
  /** Their network interfaces, in the same order. */
  public readonly networkInterfaces: readonly nic.NetworkInterface[];
  /** The Azure Monitor Agent extension of each VM, in the same order. */
  public readonly monitorAgents: readonly vmExtension.VirtualMachineExtension[];
  /** The data collection rule, when monitoring is given. */
  public readonly dataCollectionRule?: dcr.MonitorDataCollectionRule;
  /** Each VM's assignment to the patch schedule, when patching is given. */
  public readonly maintenanceAssignments: readonly maintenanceAssignment.MaintenanceAssignmentVirtualMachine[];
  /** The names of everything the server creates; the VM names are also the computer names logs carry. */
  public readonly names: ServerNames;

  constructor(scope: Construct, id: string, props: ServerProps) {
    checkProps('Server', pathUnder(scope, id), props, SERVER_PROPS);
    super(scope, id);
    validateServerProps(props);
    const names = renderServerNames(props);
    this.names = names;
    const rg = props.resourceGroup;
    const tags = { [SERVER_TAG]: serverTagValue(props) };

    const vms: linuxVm.LinuxVirtualMachine[] = [];
    const nics: nic.NetworkInterface[] = [];
    const agents: vmExtension.VirtualMachineExtension[] = [];
    for (let i = 0; i < props.spec.count; i++) {
      // Ids end in the instance's number, like its name: adding servers never changes an existing address.
      const n = i + 1;
      const networkInterface = new nic.NetworkInterface(this, `NetworkInterface-${n}`, {
        name: names.networkInterfaces[i]!,
        location: rg.location,
        resourceGroupName: rg.name,
        ipConfiguration: [{ name: 'primary', subnetId: props.subnetId, privateIpAddressAllocation: 'Dynamic' }],
        tags,
      });
      const vm = new linuxVm.LinuxVirtualMachine(this, `VirtualMachine-${n}`, {
        ...renderVirtualMachineConfig(props, i, names.virtualMachines[i]!),
        networkInterfaceIds: [networkInterface.id],
      });
      RetainStatefulResources.protect(vm, props.retainData);
      agents.push(
        new vmExtension.VirtualMachineExtension(this, `MonitorAgent-${n}`, {
          ...AZURE_MONITOR_LINUX_AGENT,
          virtualMachineId: vm.id,
          autoUpgradeMinorVersion: true,
          automaticUpgradeEnabled: true,
          tags,
        }),
      );
      nics.push(networkInterface);
      vms.push(vm);
    }
    this.virtualMachines = vms;
    this.networkInterfaces = nics;
    this.monitorAgents = agents;

    const patching = props.patching;
    this.maintenanceAssignments = patching
      ? vms.map(
          (vm, i) =>
            new maintenanceAssignment.MaintenanceAssignmentVirtualMachine(this, `PatchAssignment-${i + 1}`, {
              location: patching.location,
              maintenanceConfigurationId: patching.maintenanceConfigurationId,
              virtualMachineId: vm.id,
            }),
        )
      : [];

    const monitoring = props.monitoring;
    if (monitoring) {
      const rule = new dcr.MonitorDataCollectionRule(
        this,
        'DataCollectionRule',
        renderDataCollectionRuleConfig(props, names.dataCollectionRule, monitoring.workspaceId),
      );
      vms.forEach(
        (vm, i) =>
          new dcrAssociation.MonitorDataCollectionRuleAssociation(this, `DataCollectionRuleAssociation-${i + 1}`, {
            name: names.dataCollectionRule,
            targetResourceId: vm.id,
            dataCollectionRuleId: rule.id,
            description: `Sends ${names.virtualMachines[i]!}'s performance counters and syslog to the workspace`,
          }),
      );
      this.dataCollectionRule = rule;
      addServerAlarms(
        this,
        {
          name: props.spec.name,
          virtualMachineIds: vms.map((vm) => vm.id),
          computerNames: names.virtualMachines,
          location: rg.location,
          ...(props.spec.healthCheck && { healthCheck: props.spec.healthCheck }),
        },
        monitoring,
      );
    }
  }
}

function validateServerProps(props: ServerProps): void {
  const issues = new IssueCollector();
  const { spec } = props;
  if (!Number.isInteger(spec.count) || spec.count < 1 || spec.count > MAX_SERVER_COUNT) {
    issues.add('spec.count', spec.count, `a whole number of servers from 1 to ${MAX_SERVER_COUNT}`);
  }
  if (!Number.isInteger(props.zones) || props.zones < 1 || props.zones > 3) {
    issues.add('zones', props.zones, 'a whole number of availability zones from 1 to 3 (Azure regions have 3)');
  }
  if (!(SERVER_SIZE_NAMES as readonly string[]).includes(spec.size)) {
    issues.add('spec.size', spec.size, `one of ${SERVER_SIZE_NAMES.join(', ')}`);
  }
  const os = OPERATING_SYSTEM_IMAGES[spec.os.azure];
  if (!os?.azureImage) {
    const others = Object.entries(OPERATING_SYSTEM_IMAGES)
      .filter(([, image]) => image.azureImage !== undefined)
      .map(([name]) => name);
    issues.add('spec.os.azure', spec.os.azure, `an operating system with an Azure image: ${others.join(', ')}`);
  } else {
    const min = os.minDiskGiB.azure ?? 1;
    if (!Number.isInteger(spec.diskGiB) || spec.diskGiB < min) {
      issues.add(
        'spec.diskGiB',
        spec.diskGiB,
        `a whole number of GiB, at least ${min} (the ${spec.os.azure} image's disk)`,
      );
    }
    // The values that reach user data and its command lines, checked here with their paths (renderServerUserData
    // would refuse them too, in one message), then the size, which only a rendering tells.
    const before = issues.issues.length;
    issues.addAll(configurationIssues(spec.configuration), 'spec.configuration');
    if (spec.ansible) issues.addAll(ansibleIssues(spec.ansible), 'spec.ansible');
    const check = spec.healthCheck;
    if (check) {
      // The spec's rules, for a definition built without it: the port and path reach the probe script.
      const portIssue = typeof check.port === 'number' ? portProblem(check.port) : 'a TCP port, 1 to 65535';
      if (portIssue) issues.add('spec.healthCheck.port', check.port, portIssue);
      const pathIssue =
        typeof check.path === 'string' ? healthCheckPathProblem(check.path) : 'an absolute URL path such as /healthz';
      if (pathIssue) issues.add('spec.healthCheck.path', check.path, pathIssue);
    }
    if (issues.issues.length === before) {
      try {
        renderServerUserData(spec);
      } catch (error) {
        issues.add('spec.configuration', '(azure)', (error as Error).message.replace(/^configuration: /, ''));
      }
    }
  }
  // One key line: Azure writes it into authorized_keys, where a newline would add another key.
  if (
    !Token.isUnresolved(props.adminSshPublicKey) &&
    !/^(ssh-ed25519|ssh-rsa) [A-Za-z0-9+/]+={0,3}( [^\n\0]*)?$/.test(props.adminSshPublicKey)
  ) {
    issues.add('adminSshPublicKey', props.adminSshPublicKey, 'an OpenSSH public key line (ssh-ed25519 or ssh-rsa)');
  }
  if (!Token.isUnresolved(props.subnetId) && props.subnetId.trim() === '') {
    issues.add('subnetId', props.subnetId, "the ID of the subnet the servers' network interfaces go into");
  }
  if (props.backupPlan !== undefined && props.backupPlan.trim() === '') {
    issues.add('backupPlan', props.backupPlan, 'the name of the backup plan that selects the servers');
  }
  if (issues.issues.length === 0) {
    try {
      renderServerNames(props);
    } catch (error) {
      issues.add('spec.name', spec.name, (error as Error).message);
    }
  }
  issues.throwIfAny(`Invalid Server props (${spec.name})`);
}
