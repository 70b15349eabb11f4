import * as diagnosticSetting from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { Aspects, TerraformResource, type IAspect } from 'cdktf';
import type { IConstruct } from 'constructs';

/** What a resource type can send through a diagnostic setting: all its logs, its metrics, or both. */
interface Diagnostics {
  readonly logs: boolean;
  readonly metrics: boolean;
  /** Logs go to resource-specific tables (Recovery Services: AddonAzureBackupJobs and its siblings). */
  readonly dedicated?: boolean;
}

/**
 * The azurerm types the library creates (or will) that support diagnostic settings, and what each sends
 * (Azure Monitor's supported categories). Subnets, resource groups, rules and associations have none; NAT
 * gateway metrics cannot be exported through a diagnostic setting, so NAT gateways are not listed.
 */
export const DIAGNOSABLE_TYPES: Readonly<Record<string, Diagnostics>> = {
  azurerm_container_app_environment: { logs: true, metrics: true },
  azurerm_key_vault: { logs: true, metrics: true },
  azurerm_linux_virtual_machine: { logs: false, metrics: true },
  azurerm_log_analytics_workspace: { logs: true, metrics: true },
  azurerm_network_security_group: { logs: true, metrics: false },
  azurerm_public_ip: { logs: true, metrics: true },
  azurerm_recovery_services_vault: { logs: true, metrics: true, dedicated: true },
  azurerm_storage_account: { logs: false, metrics: true },
  azurerm_virtual_network: { logs: true, metrics: true },
};

/** The name of the diagnostic setting the library adds to each resource. */
export const DIAGNOSTIC_SETTING_NAME = 'platform-diagnostics';

/**
 * Sends every resource under a scope that supports it to a Log Analytics workspace: all logs (category
 * group `allLogs`) and all metrics, through one `azurerm_monitor_diagnostic_setting` beside each resource.
 */
export class SendDiagnostics implements IAspect {
  /** Sends the diagnostics of every resource under `scope` to the workspace. */
  public static applyTo(scope: IConstruct, workspaceId: string): void {
    Aspects.of(scope).add(new SendDiagnostics(workspaceId));
  }

  constructor(private readonly workspaceId: string) {}

  /** Adds the setting for one resource, once. */
  public visit(node: IConstruct): void {
    if (!TerraformResource.isTerraformResource(node)) return;
    const diagnostics = DIAGNOSABLE_TYPES[node.terraformResourceType];
    const parent = node.node.scope;
    if (!diagnostics || !parent) return;
    const id = `${node.node.id}-diagnostics`;
    if (parent.node.tryFindChild(id)) return;
    new diagnosticSetting.MonitorDiagnosticSetting(parent, id, {
      name: DIAGNOSTIC_SETTING_NAME,
      targetResourceId: (node as TerraformResource & { id: string }).id,
      logAnalyticsWorkspaceId: this.workspaceId,
      ...(diagnostics.logs && { enabledLog: [{ categoryGroup: 'allLogs' }] }),
      ...(diagnostics.metrics && { enabledMetric: [{ category: 'AllMetrics' }] }),
      ...(diagnostics.dedicated && { logAnalyticsDestinationType: 'Dedicated' }),
    });
  }
}
