// The Azure half of the bench's reference point: the same three environment stacks as stacks/azure (same
// construct IDs, so the same Terraform JSON), written against cdktf and the azurerm provider directly, with
// names, address blocks and tags spelled out instead of computed from the spec. Provider resources come by
// deep path: the package root loads every azurerm resource (seconds and hundreds of MB).
//
// Monitoring is written out too: action groups per severity, the Log Analytics workspace with an alert and
// a saved search per log pattern, the workbook (its JSON built directly, its UUID name spelled out), the NAT
// gateway alerts, and a diagnostic setting created beside each resource that supports one (ours adds those
// through an aspect).
//
// Servers and patching are mirrored too: the maintenance configuration of the environment's patch window, and
// per server definition the network interfaces, Linux VMs (in the zones the spec's rotation gives, with the
// fixed bootstrap in custom_data and the cloud-config in user_data), the Azure Monitor Agent, patch
// assignments, a data collection rule with its associations, the alerts (availability, CPU, memory, disk) and
// a workbook section. The cloud-config text is spelled out (bench/raw/servers.ts); the bootstrap comes from
// lib/core's pure renderer, as the same text would be pasted in by hand.
//
// Backup (issue 7) is mirrored in bench/raw/azure-backup.ts: the Recovery Services vault (its diagnostic setting
// with log_analytics_destination_type Dedicated), the V2 VM backup policy, an azurerm_backup_protected_vm per
// server VM, the alert processing rule routing the vault's built-in alerts to the critical action group, and a
// workbook section after the servers' sections.
//
// Container services and scheduled jobs (issue 6) are mirrored in bench/raw/azure-workloads.ts: the Container
// Apps environment in the delegated apps subnet (zone-redundant in production) with its diagnostic setting;
// per service a user-assigned identity, Key Vault access for its secrets, the container app with probes and
// scale rules, a diagnostic setting and five metric alerts; per job an identity, the Container Apps job on the
// nightly cron and its failure log alert; and a workbook section for each. Their definitions, which both clouds
// share, are spelled out in bench/raw/workloads.ts.
//
// Production keeps its data as ours does (lifecycle.prevent_destroy on the resource group, the workspace,
// the VMs and the Recovery Services vault), and each stack records the same tier and rule list in its "//" block. What this program does
// NOT do is ours' check work: it has no rule engine, so it neither re-renders each stack to Terraform JSON
// for a validation nor runs the rules over it. Its times are therefore a lower bound for the same output,
// and ours/raw for azure includes the price of the checks.
import * as workbook from '@cdktf/provider-azurerm/lib/application-insights-workbook';
import * as linuxVm from '@cdktf/provider-azurerm/lib/linux-virtual-machine';
import * as savedSearch from '@cdktf/provider-azurerm/lib/log-analytics-saved-search';
import * as workspace from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import * as maintenanceAssignment from '@cdktf/provider-azurerm/lib/maintenance-assignment-virtual-machine';
import * as maintenance from '@cdktf/provider-azurerm/lib/maintenance-configuration';
import * as actionGroup from '@cdktf/provider-azurerm/lib/monitor-action-group';
import * as dcr from '@cdktf/provider-azurerm/lib/monitor-data-collection-rule';
import * as dcrAssociation from '@cdktf/provider-azurerm/lib/monitor-data-collection-rule-association';
import * as diagnosticSetting from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import * as metricAlert from '@cdktf/provider-azurerm/lib/monitor-metric-alert';
import * as queryAlert from '@cdktf/provider-azurerm/lib/monitor-scheduled-query-rules-alert-v2';
import * as natGateway from '@cdktf/provider-azurerm/lib/nat-gateway';
import * as natIpAssociation from '@cdktf/provider-azurerm/lib/nat-gateway-public-ip-association';
import * as nic from '@cdktf/provider-azurerm/lib/network-interface';
import * as nsg from '@cdktf/provider-azurerm/lib/network-security-group';
import * as nsgRule from '@cdktf/provider-azurerm/lib/network-security-rule';
import * as provider from '@cdktf/provider-azurerm/lib/provider';
import * as publicIp from '@cdktf/provider-azurerm/lib/public-ip';
import * as resourceGroup from '@cdktf/provider-azurerm/lib/resource-group';
import * as subnet from '@cdktf/provider-azurerm/lib/subnet';
import * as subnetNat from '@cdktf/provider-azurerm/lib/subnet-nat-gateway-association';
import * as subnetNsg from '@cdktf/provider-azurerm/lib/subnet-network-security-group-association';
import * as vmExtension from '@cdktf/provider-azurerm/lib/virtual-machine-extension';
import * as vnet from '@cdktf/provider-azurerm/lib/virtual-network';
import { App, AzurermBackend, Fn, LocalBackend, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import * as path from 'node:path';
import { renderAzureBootstrap } from '../../lib/core/servers';
import { parseBenchArgs } from '../args';
import { backupWorkbookSection, buildBackup } from './azure-backup';
import { buildContainers, workbookSections, type RawAzureWorkloads } from './azure-workloads';
import { OPS_CLOUD_CONFIG_AZURE, SERVER_ALARMS, WEB_CLOUD_CONFIG } from './servers';
import { API_SERVICE, DEVELOPMENT_COUNTS, NIGHTLY_JOB, PRODUCTION_COUNTS, WEB_SERVICE } from './workloads';

/** One environment, as stacks/environments resolves it for Azure. */
interface RawAzureEnvironment extends RawAzureWorkloads {
  readonly name: string;
  readonly tier: 'development' | 'production';
  /** Keep stateful resources (here the resource group) from ever being destroyed by a plan. */
  readonly retainData: boolean;
  /** The VNet's address space. */
  readonly cidr: string;
  /** The /18 blocks of the workloads, data and apps subnets (the /16 split in four, the last kept spare). */
  readonly subnets: Readonly<Record<Role, string>>;
  /** Remote state; local state beside the project when absent. */
  readonly backend?: { readonly resourceGroupName: string; readonly storageAccountName: string };
  /** Who each severity's action group notifies: the spec's routing applied to its addresses. */
  readonly alertReceivers: Readonly<
    Record<Severity, { readonly emails: readonly string[]; readonly webhooks: readonly string[] }>
  >;
  /** The channels each severity is routed to, as the workbook header names them. */
  readonly routing: Readonly<Record<Severity, string>>;
  /** Days the Log Analytics workspace keeps records. */
  readonly retentionDays: number;
  /** Alert thresholds of the two log patterns: error lines and HTTP 5xx responses per 5 minutes. */
  readonly logThresholds: { readonly errors: number; readonly serverErrors: number };
  /** The workbook's name: a UUID that stays the same on every synthesis. */
  readonly workbookId: string;
  /** The maintenance window (UTC): its first start, on the window's weekday, and how it repeats. */
  readonly patchWindow: { readonly startDateTime: string; readonly recurEvery: string };
  /** The server definitions, in the spec's order. */
  readonly servers: readonly RawAzureServer[];
}

/** One server definition with the defaults applied (lib/core/spec/servers.ts); all run Ubuntu 24.04 on Azure. */
interface RawAzureServer {
  readonly name: 'web' | 'ops';
  readonly vmSize: string;
  readonly diskGiB: number;
  /**
   * The zone of each VM: the zones taken in turn from one that follows from the definition's name, as the
   * spec's rotation gives them; their number is the VM count.
   */
  readonly zones: readonly string[];
  /** The cloud-config the VMs apply, in their user data. */
  readonly cloudConfig: string;
}

type Role = 'workloads' | 'data' | 'apps';
type Severity = 'critical' | 'warning';
const ALERT_EMAIL = 'platform-alerts@example.com';
const PAGER_WEBHOOK = 'https://events.pagerduty.com/integration/0000/enqueue';
/** Azure alert severities (0 critical ... 4 verbose). */
const AZURE_SEVERITY: Readonly<Record<Severity, number>> = { critical: 1, warning: 2 };
const ROLES: readonly Role[] = ['workloads', 'data', 'apps'];
const LOCATION = 'westeurope';
const LOCATION_CODE = 'weu';
/** The break-glass key of the example environments' VMs (stacks/environments/workloads.ts). */
const ADMIN_SSH_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINcHJ9pkEHbs06DzF/d8CTJtnKONmjl4XyHznF1QT3gG platform-break-glass';

/** The Key Vault holding an example environment's secrets (stacks/environments/workloads.ts). */
function keyVaultOf(environment: string): string {
  return `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-secrets/providers/Microsoft.KeyVault/vaults/kv-platform-${environment}`;
}

const ENVIRONMENTS: readonly RawAzureEnvironment[] = [
  {
    name: 'dev',
    tier: 'development',
    retainData: false,
    cidr: '10.10.0.0/16',
    subnets: { workloads: '10.10.0.0/18', data: '10.10.64.0/18', apps: '10.10.128.0/18' },
    alertReceivers: {
      critical: { emails: [ALERT_EMAIL], webhooks: [] },
      warning: { emails: [ALERT_EMAIL], webhooks: [] },
    },
    routing: { critical: 'email, webhook', warning: 'email, webhook' },
    retentionDays: 30,
    logThresholds: { errors: 10, serverErrors: 20 },
    workbookId: 'a46093b7-ae04-5e8c-ad71-238c413aa9b6',
    patchWindow: { startDateTime: '2026-01-04 03:00', recurEvery: '1Day' },
    servers: [
      { name: 'web', vmSize: 'Standard_D2s_v5', diskGiB: 30, zones: ['2'], cloudConfig: WEB_CLOUD_CONFIG },
      { name: 'ops', vmSize: 'Standard_D2s_v5', diskGiB: 30, zones: ['2'], cloudConfig: OPS_CLOUD_CONFIG_AZURE },
    ],
    keyVaultId: keyVaultOf('dev'),
    services: [
      { ...WEB_SERVICE, ...DEVELOPMENT_COUNTS },
      { ...API_SERVICE, ...DEVELOPMENT_COUNTS },
    ],
    jobs: [{ ...NIGHTLY_JOB, retries: 0 }],
  },
  {
    name: 'staging',
    tier: 'production',
    retainData: true,
    cidr: '10.20.0.0/16',
    subnets: { workloads: '10.20.0.0/18', data: '10.20.64.0/18', apps: '10.20.128.0/18' },
    alertReceivers: {
      critical: { emails: [ALERT_EMAIL], webhooks: [] },
      warning: { emails: [ALERT_EMAIL], webhooks: [] },
    },
    routing: { critical: 'email, webhook', warning: 'email' },
    retentionDays: 365,
    logThresholds: { errors: 5, serverErrors: 10 },
    workbookId: '47820c85-2e4a-5cc1-888d-ff42650f9f29',
    patchWindow: { startDateTime: '2026-01-04 02:00', recurEvery: '1Week Sunday' },
    servers: [
      { name: 'web', vmSize: 'Standard_D2s_v5', diskGiB: 30, zones: ['1', '2'], cloudConfig: WEB_CLOUD_CONFIG },
      { name: 'ops', vmSize: 'Standard_D2s_v5', diskGiB: 30, zones: ['2'], cloudConfig: OPS_CLOUD_CONFIG_AZURE },
    ],
    keyVaultId: keyVaultOf('staging'),
    services: [
      { ...WEB_SERVICE, ...PRODUCTION_COUNTS },
      { ...API_SERVICE, ...PRODUCTION_COUNTS },
    ],
    jobs: [{ ...NIGHTLY_JOB, retries: 1 }],
  },
  {
    name: 'prod',
    tier: 'production',
    retainData: true,
    cidr: '10.30.0.0/16',
    subnets: { workloads: '10.30.0.0/18', data: '10.30.64.0/18', apps: '10.30.128.0/18' },
    backend: { resourceGroupName: 'rg-platform-tfstate', storageAccountName: 'stplatformtfstate' },
    alertReceivers: {
      critical: { emails: [ALERT_EMAIL], webhooks: [PAGER_WEBHOOK] },
      warning: { emails: [ALERT_EMAIL], webhooks: [] },
    },
    routing: { critical: 'email, webhook', warning: 'email' },
    retentionDays: 365,
    logThresholds: { errors: 5, serverErrors: 10 },
    workbookId: 'b8fb5247-4494-5128-95e1-41d60203b455',
    patchWindow: { startDateTime: '2026-01-04 02:00', recurEvery: '1Week Sunday' },
    servers: [
      { name: 'web', vmSize: 'Standard_D4s_v5', diskGiB: 64, zones: ['1', '2', '3'], cloudConfig: WEB_CLOUD_CONFIG },
      { name: 'ops', vmSize: 'Standard_D2s_v5', diskGiB: 30, zones: ['2', '3'], cloudConfig: OPS_CLOUD_CONFIG_AZURE },
    ],
    keyVaultId: keyVaultOf('prod'),
    services: [
      { ...WEB_SERVICE, ...PRODUCTION_COUNTS },
      { ...API_SERVICE, ...PRODUCTION_COUNTS },
    ],
    jobs: [{ ...NIGHTLY_JOB, retries: 1 }],
  },
];

/** The ids of the rules ours checks every stack with, as it records them in the stack's "//" block. */
const POLICY_RULE_IDS: readonly string[] = [
  'CKV_AZURE_10',
  'CKV_AZURE_110',
  'CKV_AZURE_119',
  'CKV_AZURE_149',
  'CKV_AZURE_160',
  'CKV_AZURE_178',
  'CKV_AZURE_189',
  'CKV_AZURE_2',
  'CKV_AZURE_206',
  'CKV_AZURE_251',
  'CKV_AZURE_3',
  'CKV_AZURE_44',
  'CKV_AZURE_59',
  'CKV_AZURE_77',
  'CKV_AZURE_9',
  'CKV_AZURE_97',
  'CKV2_AZURE_31',
  'CKV2_AZURE_35',
  'CKV2_AZURE_38',
  'CKV2_AZURE_40',
  'CKV2_AZURE_47',
  'PC_AZURE_ALERT_ACTION',
  'PC_AZURE_CONTAINER_APP_HTTPS_ONLY',
  'PC_AZURE_CONTAINER_APP_MIN_REPLICAS',
  'PC_AZURE_CONTAINER_APP_PROBES',
  'PC_AZURE_CONTAINER_APP_SECRET_ENV',
  'PC_AZURE_DIAGNOSTICS',
  'PC_AZURE_DISK_NETWORK_ACCESS_POLICY',
  'PC_AZURE_KEY_VAULT_SOFT_DELETE_90_DAYS',
  'PC_AZURE_LINUX_VM_NO_ADMIN_PASSWORD',
  'PC_AZURE_LOG_RETENTION',
  'PC_AZURE_NAME_LIMITS',
  'PC_AZURE_PREVENT_DESTROY',
  'PC_AZURE_PUBLIC_IP_EDGE_ONLY',
  'PC_AZURE_RSV_CROSS_REGION',
  'PC_AZURE_RSV_IMMUTABILITY',
  'PC_AZURE_RSV_SOFT_DELETE',
  'PC_AZURE_VM_BACKUP',
  'PC_AZURE_VM_ENCRYPTION_AT_HOST',
];

/** The Perf counters the server alerts and workbook charts read (the data collection rule collects them). */
const PERF = {
  cpu: 'ObjectName == "Processor" and CounterName == "% Processor Time" and InstanceName == "_Total"',
  memory: 'ObjectName == "Memory" and CounterName == "% Used Memory"',
  disk: 'ObjectName == "Logical Disk" and CounterName == "% Used Space" and InstanceName == "/"',
} as const;

/** The VMs' names (also their computer names) of a server definition. */
function vmNames(env: RawAzureEnvironment, server: RawAzureServer): string[] {
  return server.zones.map((_, i) => `vm-platform-${env.name}-${server.name}-${i + 1}`);
}

/** A KQL query over the Perf table for one counter of a server definition's computers. */
function perfQuery(computers: readonly string[], counter: keyof typeof PERF): string {
  return `Perf | where Computer in (${computers.map((c) => `"${c}"`).join(', ')}) and ${PERF[counter]}`;
}

function buildEnvironment(app: App, env: RawAzureEnvironment): void {
  const stackName = `platform-${env.name}`;
  const stack = new TerraformStack(app, stackName);
  // Sorted keys, as ours writes them; passed to each taggable resource instead of through an aspect.
  const tags = {
    'cost-center': 'platform',
    environment: env.name,
    'managed-by': 'platform-constructs',
    owner: 'platform-team',
  };

  new provider.AzurermProvider(stack, 'azurerm', {
    features: [
      {
        apiManagement: [{ purgeSoftDeleteOnDestroy: false, recoverSoftDeleted: true }],
        appConfiguration: [{ purgeSoftDeleteOnDestroy: false, recoverSoftDeleted: true }],
        cognitiveAccount: [{ purgeSoftDeleteOnDestroy: false }],
        databricksWorkspace: [{ forceDelete: false }],
        keyVault: [
          {
            purgeSoftDeleteOnDestroy: false,
            purgeSoftDeletedCertificatesOnDestroy: false,
            purgeSoftDeletedHardwareSecurityModuleKeysOnDestroy: false,
            purgeSoftDeletedHardwareSecurityModulesOnDestroy: false,
            purgeSoftDeletedKeysOnDestroy: false,
            purgeSoftDeletedSecretsOnDestroy: false,
            recoverSoftDeletedCertificates: true,
            recoverSoftDeletedHardwareSecurityModuleKeys: true,
            recoverSoftDeletedKeyVaults: true,
            recoverSoftDeletedKeys: true,
            recoverSoftDeletedSecrets: true,
          },
        ],
        logAnalyticsWorkspace: [{ permanentlyDeleteOnDestroy: false }],
        machineLearning: [{ purgeSoftDeletedWorkspaceOnDestroy: false }],
        netapp: [{ deleteBackupsOnBackupVaultDestroy: false, preventVolumeDestruction: true }],
        recoveryService: [
          { purgeProtectedItemsFromVaultOnDestroy: false, vmBackupStopProtectionAndRetainDataOnDestroy: true },
        ],
        recoveryServicesVaults: [{ recoverSoftDeletedBackupProtectedVm: true }],
        resourceGroup: [{ preventDeletionIfContainsResources: true }],
        subscription: [{ preventCancellationOnDestroy: true }],
        virtualMachine: [
          { deleteOsDiskOnDeletion: false, detachImplicitDataDiskOnDeletion: true, skipShutdownAndForceDelete: false },
        ],
        virtualMachineScaleSet: [{ forceDelete: false }],
      },
    ],
    storageUseAzuread: true,
  });
  // Ours makes the JSON plain Terraform: the provider's full source address and a minimum CLI version.
  stack.addOverride('terraform.required_providers.azurerm.source', 'hashicorp/azurerm');
  stack.addOverride('terraform.required_version', '>= 1.5.0');
  if (env.backend) {
    new AzurermBackend(stack, {
      ...env.backend,
      containerName: 'tfstate',
      key: `${stackName}.tfstate`,
      useAzureadAuth: true,
    });
  } else {
    new LocalBackend(stack, { path: `../../../terraform.${stackName}.tfstate` });
  }

  const rg = new resourceGroup.ResourceGroup(stack, 'resource-group', {
    name: `rg-${stackName}-${LOCATION_CODE}`,
    location: LOCATION,
    tags,
    ...(env.retainData && { lifecycle: { preventDestroy: true } }),
  });
  const inRg = { location: rg.location, resourceGroupName: rg.name, tags };

  // Monitoring, under plain Constructs named like ours: an action group per severity, the Log Analytics
  // workspace with an alert and a saved search per log pattern, and the workbook.
  const monitoring = new Construct(stack, 'monitoring');
  const actionGroups = {} as Record<Severity, actionGroup.MonitorActionGroup>;
  for (const severity of ['critical', 'warning'] as const) {
    const { emails, webhooks } = env.alertReceivers[severity];
    actionGroups[severity] = new actionGroup.MonitorActionGroup(monitoring, `action-group-${severity}`, {
      name: `ag-${stackName}-${severity}`,
      resourceGroupName: rg.name,
      location: 'global',
      shortName: `${env.name.slice(0, 7)}-${severity === 'critical' ? 'crit' : 'warn'}`,
      emailReceiver: emails.map((emailAddress, i) => ({
        name: `email-${i + 1}`,
        emailAddress,
        useCommonAlertSchema: true,
      })),
      ...(webhooks.length > 0 && {
        webhookReceiver: webhooks.map((serviceUri, i) => ({
          name: `webhook-${i + 1}`,
          serviceUri,
          useCommonAlertSchema: true,
        })),
      }),
      tags,
    });
  }

  const logAnalysis = new Construct(monitoring, 'logs');
  const workspaceName = `log-${stackName}-${LOCATION_CODE}`;
  const logWorkspace = new workspace.LogAnalyticsWorkspace(logAnalysis, 'workspace', {
    ...inRg,
    name: workspaceName,
    sku: 'PerGB2018',
    retentionInDays: env.retentionDays,
    localAuthenticationEnabled: false,
    ...(env.retainData && { lifecycle: { preventDestroy: true } }),
  });
  // Every log line of the workloads, as one table: container app console logs (the diagnostic setting's table
  // and the older `_CL` one) and VM syslog.
  const platformLogs =
    'union isfuzzy=true (ContainerAppConsoleLogs | project TimeGenerated, Source = ContainerAppName, Message = Log), (ContainerAppConsoleLogs_CL | project TimeGenerated, Source = tostring(ContainerAppName_s), Message = tostring(Log_s)), (Syslog | project TimeGenerated, Source = Computer, Message = SyslogMessage)';
  const patterns = [
    {
      name: 'errors',
      filter: '| where Message has_cs "ERROR"',
      matched: '"ERROR"',
      threshold: env.logThresholds.errors,
      severity: 'warning',
    },
    {
      name: 'http-5xx',
      filter: '| where toint(parse_json(Message).status) between (500 .. 599)',
      matched: 'status between 500 and 599',
      threshold: env.logThresholds.serverErrors,
      severity: 'critical',
    },
  ] as const;
  for (const p of patterns) {
    const alertName = `${stackName}-logs.${p.name}`;
    new queryAlert.MonitorScheduledQueryRulesAlertV2(logAnalysis, `logs-${p.name}`, {
      ...inRg,
      name: alertName,
      scopes: [logWorkspace.id],
      description: `[${p.severity}] ${p.threshold} or more log lines matched ${p.matched} within 5 minutes. First response: Run the saved search ${p.name}-by-source in the workspace ${workspaceName} to see which source logs them.`,
      displayName: alertName,
      severity: AZURE_SEVERITY[p.severity],
      evaluationFrequency: 'PT5M',
      windowDuration: 'PT5M',
      autoMitigationEnabled: true,
      skipQueryValidation: true,
      criteria: [
        {
          query: `${platformLogs} ${p.filter}`,
          timeAggregationMethod: 'Count',
          operator: 'GreaterThanOrEqual',
          threshold: p.threshold,
          failingPeriods: { minimumFailingPeriodsToTriggerAlert: 1, numberOfEvaluationPeriods: 1 },
        },
      ],
      action: { actionGroups: [actionGroups[p.severity].id] },
    });
  }
  const searches: ReadonlyArray<readonly [string, string]> = [
    ...patterns.map(
      (p) =>
        [
          `${p.name}-by-source`,
          `${platformLogs} ${p.filter} | summarize matches = count() by Source | order by matches desc`,
        ] as const,
    ),
    [
      'slowest-requests',
      `${platformLogs} | extend duration_ms = todouble(parse_json(Message).duration_ms) | where isnotnull(duration_ms) | top 50 by duration_ms desc`,
    ],
    [
      'top-clients',
      `${platformLogs} | extend client_ip = tostring(parse_json(Message).client_ip) | where isnotempty(client_ip) | summarize requests = count() by client_ip | top 25 by requests desc`,
    ],
  ];
  for (const [name, query] of searches) {
    new savedSearch.LogAnalyticsSavedSearch(logAnalysis, `search-${name}`, {
      name: `platform-${name}`,
      category: 'platform',
      displayName: name,
      logAnalyticsWorkspaceId: logWorkspace.id,
      query,
      tags,
    });
  }

  const header = `# Platform ${env.name}\n\nCritical alerts: ${env.routing.critical}; warnings: ${env.routing.warning}.\n\nEvery default alarm is on.`;
  const workbookItems = [
    { type: 1, name: 'text-0', content: { json: header } },
    { type: 1, name: 'text-1', content: { json: '## Logs' } },
    ...searches.map(([title, query], i) => ({
      type: 3,
      name: `query-${i + 2}`,
      content: {
        version: 'KqlItem/1.0',
        title,
        query,
        size: 0,
        queryType: 0,
        resourceType: 'microsoft.operationalinsights/workspaces',
        visualization: 'table',
      },
    })),
  ];
  // A section per server definition: CPU, memory and root disk use per computer.
  for (const server of env.servers) {
    const computers = vmNames(env, server);
    const charts = [
      ['CPU used (%)', 'cpu'],
      ['Memory used (%)', 'memory'],
      ['Root disk used (%)', 'disk'],
    ] as const;
    workbookItems.push({
      type: 1,
      name: `text-${workbookItems.length}`,
      content: { json: `## Servers: ${server.name}` },
    });
    for (const [title, counter] of charts) {
      workbookItems.push({
        type: 3,
        name: `query-${workbookItems.length}`,
        content: {
          version: 'KqlItem/1.0',
          title,
          query: `${perfQuery(computers, counter)} | summarize avg(CounterValue) by Computer, bin(TimeGenerated, 5m)`,
          size: 0,
          queryType: 0,
          resourceType: 'microsoft.operationalinsights/workspaces',
          visualization: 'timechart',
        },
      });
    }
  }
  // The backup's section, then a section per service and job.
  for (const section of [backupWorkbookSection(), ...workbookSections(env)]) {
    workbookItems.push({ type: 1, name: `text-${workbookItems.length}`, content: { json: `## ${section.title}` } });
    for (const { title, query, visualization } of section.items) {
      workbookItems.push({
        type: 3,
        name: `query-${workbookItems.length}`,
        content: {
          version: 'KqlItem/1.0',
          title,
          query,
          size: 0,
          queryType: 0,
          resourceType: 'microsoft.operationalinsights/workspaces',
          visualization,
        },
      });
    }
  }
  new workbook.ApplicationInsightsWorkbook(monitoring, 'workbook', {
    ...inRg,
    name: env.workbookId,
    displayName: `Platform ${env.name}`,
    category: 'workbook',
    // The portal stores workbook sources in lowercase.
    sourceId: Fn.lower(logWorkspace.id),
    dataJson: JSON.stringify({ version: 'Notebook/1.0', items: workbookItems, isLocked: false }),
  });

  /** Sends a resource's logs and/or metrics to the workspace, through a setting beside it. */
  const sendDiagnostics = (
    target: { readonly id: string; readonly node: { readonly id: string; readonly scope?: Construct } },
    what: { readonly logs: boolean; readonly metrics: boolean; readonly dedicated?: boolean },
  ): void => {
    new diagnosticSetting.MonitorDiagnosticSetting(target.node.scope!, `${target.node.id}-diagnostics`, {
      name: 'platform-diagnostics',
      targetResourceId: target.id,
      logAnalyticsWorkspaceId: logWorkspace.id,
      ...(what.logs && { enabledLog: [{ categoryGroup: 'allLogs' }] }),
      ...(what.metrics && { enabledMetric: [{ category: 'AllMetrics' }] }),
      ...(what.dedicated && { logAnalyticsDestinationType: 'Dedicated' }),
    });
  };
  sendDiagnostics(logWorkspace, { logs: true, metrics: true });

  // A plain Construct named like ours, so that resource names in the JSON match ours exactly.
  const network = new Construct(stack, 'network');
  const virtualNetwork = new vnet.VirtualNetwork(network, 'Resource', {
    ...inRg,
    name: `vnet-${stackName}-${LOCATION_CODE}`,
    addressSpace: [env.cidr],
  });
  sendDiagnostics(virtualNetwork, { logs: true, metrics: true });
  const ip = new publicIp.PublicIp(network, 'NatPublicIp', {
    ...inRg,
    name: `pip-${stackName}-nat-${LOCATION_CODE}`,
    allocationMethod: 'Static',
    sku: 'Standard',
    ipVersion: 'IPv4',
  });
  sendDiagnostics(ip, { logs: true, metrics: true });
  const nat = new natGateway.NatGateway(network, 'NatGateway', {
    ...inRg,
    name: `ng-${stackName}-${LOCATION_CODE}`,
    skuName: 'Standard',
    idleTimeoutInMinutes: 4,
  });
  // No diagnostic setting for the NAT gateway: its metrics cannot be exported through one.
  new natIpAssociation.NatGatewayPublicIpAssociation(network, 'NatPublicIpAssociation', {
    natGatewayId: nat.id,
    publicIpAddressId: ip.id,
  });

  const subnets = {} as Record<Role, subnet.Subnet>;
  for (const role of ROLES) {
    const group = new nsg.NetworkSecurityGroup(network, `SecurityGroup-${role}`, {
      ...inRg,
      name: `nsg-${stackName}-${role}-${LOCATION_CODE}`,
    });
    sendDiagnostics(group, { logs: true, metrics: false });
    new nsgRule.NetworkSecurityRule(network, `DenyInternetInbound-${role}`, {
      name: 'DenyInternetInbound',
      description: 'Nothing from the Internet reaches this subnet unless a higher-priority rule allows it',
      resourceGroupName: rg.name,
      networkSecurityGroupName: group.name,
      priority: 4096,
      direction: 'Inbound',
      access: 'Deny',
      protocol: '*',
      sourceAddressPrefix: 'Internet',
      sourcePortRange: '*',
      destinationAddressPrefix: '*',
      destinationPortRange: '*',
    });
    const net = new subnet.Subnet(network, `Subnet-${role}`, {
      name: `snet-${role}`,
      resourceGroupName: rg.name,
      virtualNetworkName: virtualNetwork.name,
      addressPrefixes: [env.subnets[role]],
      defaultOutboundAccessEnabled: false,
      privateEndpointNetworkPolicies: 'Enabled',
      ...(role === 'apps' && {
        delegation: [
          {
            name: 'container-apps',
            serviceDelegation: {
              name: 'Microsoft.App/environments',
              actions: ['Microsoft.Network/virtualNetworks/subnets/join/action'],
            },
          },
        ],
      }),
    });
    subnets[role] = net;
    new subnetNsg.SubnetNetworkSecurityGroupAssociation(network, `SecurityGroupAssociation-${role}`, {
      subnetId: net.id,
      networkSecurityGroupId: group.id,
    });
    // The data subnet has no way out at all.
    if (role !== 'data') {
      new subnetNat.SubnetNatGatewayAssociation(network, `NatGatewayAssociation-${role}`, {
        subnetId: net.id,
        natGatewayId: nat.id,
      });
    }
  }

  // The NAT gateway's alerts: failed SNAT connections and dropped packets.
  const natAlerts = [
    {
      id: 'port-allocation-errors',
      metricName: 'SNATConnectionCount',
      threshold: 1,
      dimension: [{ name: 'ConnectionState', operator: 'Include', values: ['Failed'] }],
      window: 'PT5M',
      severity: 'critical',
      description:
        'The NAT gateway failed SNAT connections: new connections from the subnets to the internet fail. First response: Check the SNAT connection count per destination; spread destinations or add public IPs to the NAT gateway.',
    },
    {
      id: 'packets-dropped',
      metricName: 'PacketDropCount',
      threshold: 100,
      window: 'PT15M',
      severity: 'warning',
      description:
        'The NAT gateway dropped 100 or more packets in 15 minutes. First response: Check Azure Service Health for the region, then the NAT gateway metrics for a traffic spike.',
    },
  ] as const;
  for (const a of natAlerts) {
    new metricAlert.MonitorMetricAlert(network, `network-nat-${a.id}`, {
      name: `${stackName}-network.nat.${a.id}`,
      resourceGroupName: rg.name,
      scopes: [nat.id],
      description: `[${a.severity}] ${a.description}`,
      severity: AZURE_SEVERITY[a.severity],
      frequency: a.window,
      windowSize: a.window,
      autoMitigate: true,
      criteria: [
        {
          metricNamespace: 'Microsoft.Network/natGateways',
          metricName: a.metricName,
          aggregation: 'Total',
          operator: 'GreaterThanOrEqual',
          threshold: a.threshold,
          ...('dimension' in a && { dimension: a.dimension.map((d) => ({ ...d, values: [...d.values] })) }),
        },
      ],
      action: [{ actionGroupId: actionGroups[a.severity].id }],
      tags,
    });
  }
  // Patching: one maintenance configuration, the environment's window; each VM is assigned to it.
  const patching = new Construct(stack, 'patching');
  const maintenanceConfiguration = new maintenance.MaintenanceConfiguration(patching, 'Resource', {
    ...inRg,
    name: `mc-${stackName}-${LOCATION_CODE}`,
    scope: 'InGuestPatch',
    inGuestUserPatchMode: 'User',
    visibility: 'Custom',
    window: { ...env.patchWindow, duration: '03:00', timeZone: 'UTC' },
    installPatches: { linux: [{ classificationsToInclude: ['Critical', 'Security'] }], reboot: 'IfRequired' },
  });

  // The servers; the backup protects each VM.
  const servers = new Construct(stack, 'servers');
  const protectedVms: { name: string; id: string }[] = [];
  const customData = Buffer.from(renderAzureBootstrap(), 'utf8').toString('base64');
  for (const server of env.servers) {
    const scope = new Construct(servers, server.name);
    const computers = vmNames(env, server);
    const serverTag = { 'platform:server': `${env.name}-${server.name}` };
    const vms = server.zones.map((zone, i) => {
      const n = i + 1;
      const networkInterface = new nic.NetworkInterface(scope, `NetworkInterface-${n}`, {
        ...inRg,
        name: `nic-${stackName}-${server.name}-${n}-${LOCATION_CODE}`,
        ipConfiguration: [{ name: 'primary', subnetId: subnets.workloads.id, privateIpAddressAllocation: 'Dynamic' }],
        tags: { ...tags, ...serverTag },
      });
      const name = computers[i]!;
      const vm = new linuxVm.LinuxVirtualMachine(scope, `VirtualMachine-${n}`, {
        name,
        computerName: name,
        location: rg.location,
        resourceGroupName: rg.name,
        size: server.vmSize,
        zone,
        adminUsername: 'platform',
        adminSshKey: [{ username: 'platform', publicKey: ADMIN_SSH_KEY }],
        disablePasswordAuthentication: true,
        osDisk: {
          name: `${name}-osdisk`,
          caching: 'ReadWrite',
          storageAccountType: 'Premium_LRS',
          diskSizeGb: server.diskGiB,
        },
        sourceImageReference: { publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: 'latest' },
        identity: { type: 'SystemAssigned' },
        encryptionAtHostEnabled: true,
        secureBootEnabled: true,
        vtpmEnabled: true,
        bootDiagnostics: {},
        // A fixed bootstrap that applies the user data every 5 minutes: the configuration changes in place.
        customData,
        userData: Buffer.from(server.cloudConfig, 'utf8').toString('base64'),
        provisionVmAgent: true,
        patchMode: 'AutomaticByPlatform',
        patchAssessmentMode: 'AutomaticByPlatform',
        bypassPlatformSafetyChecksOnUserScheduleEnabled: true,
        tags: { ...tags, 'platform:backup': stackName, ...serverTag },
        lifecycle: {
          ignoreChanges: ['custom_data', 'admin_ssh_key', 'zone'],
          ...(env.retainData && { preventDestroy: true }),
        },
        networkInterfaceIds: [networkInterface.id],
      });
      sendDiagnostics(vm, { logs: false, metrics: true });
      protectedVms.push({ name, id: vm.id });
      new vmExtension.VirtualMachineExtension(scope, `MonitorAgent-${n}`, {
        name: 'AzureMonitorLinuxAgent',
        publisher: 'Microsoft.Azure.Monitor',
        type: 'AzureMonitorLinuxAgent',
        typeHandlerVersion: '1.0',
        virtualMachineId: vm.id,
        autoUpgradeMinorVersion: true,
        automaticUpgradeEnabled: true,
        tags: { ...tags, ...serverTag },
      });
      return vm;
    });
    vms.forEach(
      (vm, i) =>
        new maintenanceAssignment.MaintenanceAssignmentVirtualMachine(scope, `PatchAssignment-${i + 1}`, {
          location: rg.location,
          maintenanceConfigurationId: maintenanceConfiguration.id,
          virtualMachineId: vm.id,
        }),
    );

    // Performance counters and syslog (configuration and Ansible runs among it) to the workspace.
    const ruleName = `dcr-${stackName}-${server.name}-${LOCATION_CODE}`;
    const rule = new dcr.MonitorDataCollectionRule(scope, 'DataCollectionRule', {
      name: ruleName,
      location: rg.location,
      resourceGroupName: rg.name,
      kind: 'Linux',
      description: `Performance counters and syslog of the ${server.name} servers, to the environment's workspace`,
      destinations: { logAnalytics: [{ name: 'workspace', workspaceResourceId: logWorkspace.id }] },
      dataSources: {
        performanceCounter: [
          {
            name: 'performance',
            streams: ['Microsoft-Perf'],
            samplingFrequencyInSeconds: 60,
            counterSpecifiers: [
              '\\Processor(*)\\% Processor Time',
              '\\Memory(*)\\% Used Memory',
              '\\Logical Disk(*)\\% Used Space',
              '\\Logical Disk(*)\\% Free Space',
            ],
          },
        ],
        syslog: [
          {
            name: 'services',
            streams: ['Microsoft-Syslog'],
            facilityNames: ['daemon', 'user'],
            logLevels: ['Info', 'Notice', 'Warning', 'Error', 'Critical', 'Alert', 'Emergency'],
          },
          {
            name: 'system',
            streams: ['Microsoft-Syslog'],
            facilityNames: ['auth', 'authpriv', 'cron', 'kern', 'syslog'],
            logLevels: ['Warning', 'Error', 'Critical', 'Alert', 'Emergency'],
          },
        ],
      },
      dataFlow: [
        { streams: ['Microsoft-Perf'], destinations: ['workspace'] },
        { streams: ['Microsoft-Syslog'], destinations: ['workspace'] },
      ],
      tags: { ...tags, ...serverTag },
    });
    vms.forEach(
      (vm, i) =>
        new dcrAssociation.MonitorDataCollectionRuleAssociation(scope, `DataCollectionRuleAssociation-${i + 1}`, {
          name: ruleName,
          targetResourceId: vm.id,
          dataCollectionRuleId: rule.id,
          description: `Sends ${computers[i]!}'s performance counters and syslog to the workspace`,
        }),
    );

    // The alerts: availability and CPU over every VM (each judged on its own), memory and disk per computer.
    const alertId = (kind: string): string => `server-${server.name}-${kind}`;
    const alertName = (kind: string): string => `${stackName}-server.${server.name}.${kind}`;
    const vmMetricAlert = (
      kind: 'availability' | 'cpu',
      severity: Severity,
      description: string,
      window: string,
      criteria: { metricName: string; operator: string; threshold: number },
    ): void => {
      new metricAlert.MonitorMetricAlert(scope, alertId(kind), {
        name: alertName(kind),
        resourceGroupName: rg.name,
        scopes: vms.map((vm) => vm.id),
        description: `[${severity}] ${description}`,
        severity: AZURE_SEVERITY[severity],
        frequency: 'PT5M',
        windowSize: window,
        autoMitigate: true,
        targetResourceType: 'Microsoft.Compute/virtualMachines',
        targetResourceLocation: rg.location,
        criteria: [{ metricNamespace: 'Microsoft.Compute/virtualMachines', aggregation: 'Average', ...criteria }],
        action: [{ actionGroupId: actionGroups[severity].id }],
        tags,
      });
    };
    vmMetricAlert(
      'availability',
      'critical',
      `A server of ${server.name} was not available for 5 minutes (VmAvailabilityMetric below 1). First response: Check Resource Health and the boot diagnostics screenshot of the VM, then restart or redeploy it from the portal.`,
      'PT5M',
      { metricName: 'VmAvailabilityMetric', operator: 'LessThan', threshold: 1 },
    );
    const cpu = SERVER_ALARMS.cpu;
    vmMetricAlert('cpu', 'warning', `${cpu.description} First response: ${cpu.firstResponse}`, 'PT15M', {
      metricName: 'Percentage CPU',
      operator: 'GreaterThan',
      threshold: cpu.threshold,
    });
    for (const kind of ['memory', 'disk'] as const) {
      const alarm = SERVER_ALARMS[kind];
      const periods = alarm.evaluationPeriods;
      new queryAlert.MonitorScheduledQueryRulesAlertV2(scope, alertId(kind), {
        ...inRg,
        name: alertName(kind),
        scopes: [logWorkspace.id],
        description: `[warning] ${alarm.description} First response: ${alarm.firstResponse}`,
        displayName: alertName(kind),
        severity: AZURE_SEVERITY.warning,
        evaluationFrequency: 'PT5M',
        windowDuration: 'PT5M',
        autoMitigationEnabled: true,
        skipQueryValidation: true,
        criteria: [
          {
            query: perfQuery(computers, kind),
            timeAggregationMethod: 'Average',
            operator: 'GreaterThan',
            threshold: alarm.threshold,
            metricMeasureColumn: 'CounterValue',
            dimension: [{ name: 'Computer', operator: 'Include', values: ['*'] }],
            failingPeriods: { minimumFailingPeriodsToTriggerAlert: periods, numberOfEvaluationPeriods: periods },
          },
        ],
        action: { actionGroups: [actionGroups.warning.id] },
      });
    }
  }
  buildBackup(stack, env, {
    rg,
    tags,
    criticalActionGroupId: actionGroups.critical.id,
    vms: protectedVms,
    sendDiagnostics,
  });
  buildContainers(stack, env, {
    rg,
    tags,
    appsSubnetId: subnets.apps.id,
    workspaceId: logWorkspace.id,
    actionGroups,
    sendDiagnostics,
  });
  stack.addOverride('//.platform-policy', { tier: env.tier, rules: POLICY_RULE_IDS });
}

/**
 * Synthesizes the three environments' Terraform JSON into `outdir` with plain cdktf.
 *
 * @param outdir - the cdktf output folder (created if missing).
 */
export function synthRawAzure(outdir: string): void {
  const app = new App({ outdir, stackTraces: false });
  for (const env of ENVIRONMENTS) buildEnvironment(app, env);
  app.synth();
}

if (require.main === module) {
  // --cloud and --no-validation are accepted for a uniform command line; Terraform JSON has no validation here.
  synthRawAzure(path.join(parseBenchArgs(process.argv.slice(2)).outdir, 'cdktf.out'));
}
