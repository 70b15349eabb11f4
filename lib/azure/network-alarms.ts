import type * as natGateway from '@cdktf/provider-azurerm/lib/nat-gateway';
import type { Construct } from 'constructs';
import type { IMonitoring } from './interfaces';

/**
 * The network's default alerts, with the same ids as on AWS so one spec override tunes both: failed SNAT
 * connections (connections from the subnets to the internet fail) and dropped packets on the NAT gateway.
 */
export function addNetworkAlarms(scope: Construct, gateway: natGateway.NatGateway, monitoring: IMonitoring): void {
  monitoring.addMetricAlert(scope, 'network/nat/port-allocation-errors', {
    scopes: [gateway.id],
    metricNamespace: 'Microsoft.Network/natGateways',
    metricName: 'SNATConnectionCount',
    aggregation: 'Total',
    operator: 'GreaterThanOrEqual',
    threshold: 1,
    dimensions: [{ name: 'ConnectionState', values: ['Failed'] }],
    windowMinutes: 5,
    severity: 'critical',
    description: 'The NAT gateway failed SNAT connections: new connections from the subnets to the internet fail.',
    firstResponse:
      'Check the SNAT connection count per destination; spread destinations or add public IPs to the NAT gateway.',
  });
  monitoring.addMetricAlert(scope, 'network/nat/packets-dropped', {
    scopes: [gateway.id],
    metricNamespace: 'Microsoft.Network/natGateways',
    metricName: 'PacketDropCount',
    aggregation: 'Total',
    operator: 'GreaterThanOrEqual',
    threshold: 100,
    windowMinutes: 15,
    severity: 'warning',
    description: ({ threshold }) => `The NAT gateway dropped ${threshold} or more packets in 15 minutes.`,
    firstResponse: 'Check Azure Service Health for the region, then the NAT gateway metrics for a traffic spike.',
  });
}
