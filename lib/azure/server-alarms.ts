import type { Construct } from 'constructs';
import { SERVER_ALARM_BASICS, SERVER_ALARMS, serverAlarmId, type ServerAlarmKind } from '../core';
import type { IMonitoring, WorkbookItem } from './interfaces';

/** What the server alarms watch: the VMs of one server definition. */
export interface ServerAlarmTarget {
  /** The server definition's name (`web`), the middle of every alarm id (`server/web/cpu`). */
  readonly name: string;
  /** The resource IDs of its VMs. */
  readonly virtualMachineIds: readonly string[];
  /** Their computer names, as the `Computer` column of the Perf table holds them. */
  readonly computerNames: readonly string[];
  /** The Azure location of the VMs (a multi-resource metric alert names it). */
  readonly location: string;
}

/** The resource type of the VMs, for the multi-resource metric alerts. */
const VM_RESOURCE_TYPE = 'Microsoft.Compute/virtualMachines';

/** A Perf counter: the object, the counter and, where the counter has instances, the one watched. */
interface PerfCounter {
  readonly objectName: string;
  readonly counterName: string;
  readonly instanceName?: string;
}

/** The counters the memory and disk alerts and the workbook read (the data collection rule collects them). */
export const SERVER_PERF_COUNTERS = {
  cpu: { objectName: 'Processor', counterName: '% Processor Time', instanceName: '_Total' },
  memory: { objectName: 'Memory', counterName: '% Used Memory' },
  disk: { objectName: 'Logical Disk', counterName: '% Used Space', instanceName: '/' },
} as const satisfies Record<'cpu' | 'memory' | 'disk', PerfCounter>;

/**
 * A KQL query over the Perf table for one counter of a server definition's computers; pure. Names are quoted as
 * KQL string literals (JSON's double-quoted strings are valid KQL).
 */
export function renderPerfQuery(computerNames: readonly string[], counter: PerfCounter): string {
  const conditions = [
    `Computer in (${computerNames.map((n) => JSON.stringify(n)).join(', ')})`,
    `ObjectName == ${JSON.stringify(counter.objectName)}`,
    `CounterName == ${JSON.stringify(counter.counterName)}`,
    ...(counter.instanceName === undefined ? [] : [`InstanceName == ${JSON.stringify(counter.instanceName)}`]),
  ];
  return `Perf | where ${conditions.join(' and ')}`;
}

/**
 * A server definition's default alerts, with the same ids as on AWS so one spec override tunes both clouds:
 * - `server/<name>/availability` (critical): a VM is not available (VmAvailabilityMetric below 1), a metric alert
 *   over every VM of the definition, each judged on its own;
 * - `server/<name>/cpu`: Percentage CPU above the threshold, the same way;
 * - `server/<name>/memory` and `server/<name>/disk`: log alerts over the Perf table the data collection rule fills,
 *   per computer (`% Used Memory`, and `% Used Space` of the root file system).
 *
 * The AWS-only ids (`recovery`, `status-checks`) are declared as kept elsewhere, so a spec override of them is
 * accepted here too. Adds a workbook section charting CPU, memory and disk per computer.
 */
export function addServerAlarms(scope: Construct, server: ServerAlarmTarget, monitoring: IMonitoring): void {
  const id = (kind: ServerAlarmKind): string => serverAlarmId(server.name, kind);
  const multiResource = { targetResourceType: VM_RESOURCE_TYPE, targetResourceLocation: server.location };

  monitoring.addMetricAlert(scope, id('availability'), {
    scopes: server.virtualMachineIds,
    metricNamespace: VM_RESOURCE_TYPE,
    metricName: 'VmAvailabilityMetric',
    aggregation: 'Average',
    operator: 'LessThan',
    threshold: 1,
    windowMinutes: 5,
    multiResource,
    severity: 'critical',
    description: `A server of ${server.name} was not available for 5 minutes (VmAvailabilityMetric below 1).`,
    firstResponse:
      'Check Resource Health and the boot diagnostics screenshot of the VM, then restart or redeploy it from the portal.',
  });
  monitoring.addMetricAlert(scope, id('cpu'), {
    ...SERVER_ALARM_BASICS.cpu,
    scopes: server.virtualMachineIds,
    metricNamespace: VM_RESOURCE_TYPE,
    metricName: 'Percentage CPU',
    aggregation: 'Average',
    operator: 'GreaterThan',
    windowMinutes: 5,
    multiResource,
  });
  const measure = {
    column: 'CounterValue',
    aggregation: 'Average',
    operator: 'GreaterThan',
    splitBy: ['Computer'],
  } as const;
  monitoring.addLogAlert(scope, id('memory'), {
    ...SERVER_ALARM_BASICS.memory,
    query: renderPerfQuery(server.computerNames, SERVER_PERF_COUNTERS.memory),
    windowMinutes: 5,
    measure,
  });
  monitoring.addLogAlert(scope, id('disk'), {
    ...SERVER_ALARM_BASICS.disk,
    query: renderPerfQuery(server.computerNames, SERVER_PERF_COUNTERS.disk),
    windowMinutes: 5,
    measure,
  });
  for (const kind of Object.keys(SERVER_ALARMS) as ServerAlarmKind[]) {
    if (!(SERVER_ALARMS[kind] as readonly string[]).includes('azure')) monitoring.declareAlarmElsewhere(id(kind));
  }

  monitoring.addWorkbookItems(`Servers: ${server.name}`, ...renderServerWorkbookItems(server.computerNames));
}

/** The workbook charts of a server definition: CPU, memory and root disk use per computer, in percent; pure. */
export function renderServerWorkbookItems(computerNames: readonly string[]): WorkbookItem[] {
  const titles = { cpu: 'CPU used (%)', memory: 'Memory used (%)', disk: 'Root disk used (%)' } as const;
  return (Object.keys(titles) as (keyof typeof titles)[]).map((kind) => ({
    type: 'query',
    title: titles[kind],
    query: `${renderPerfQuery(computerNames, SERVER_PERF_COUNTERS[kind])} | summarize avg(CounterValue) by Computer, bin(TimeGenerated, 5m)`,
    visualization: 'timechart',
  }));
}
