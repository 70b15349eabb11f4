import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import type { IMonitoring } from './interfaces';

/** The NAT gateways of a VPC built by aws-cdk-lib, in subnet order (each public subnet holds at most one). */
export function natGatewayIds(vpc: ec2.IVpc): string[] {
  return vpc.publicSubnets
    .map((subnet) => subnet.node.tryFindChild('NATGateway'))
    .filter((gateway): gateway is ec2.CfnNatGateway => gateway instanceof ec2.CfnNatGateway)
    .map((gateway) => gateway.ref);
}

/** A NAT gateway metric summed over every NAT gateway of the VPC, so one alarm covers them all. */
function acrossGateways(ids: readonly string[], metricName: string, period: Duration): cloudwatch.IMetric {
  const metrics = Object.fromEntries(
    ids.map((id, i) => [
      `nat${i + 1}`,
      new cloudwatch.Metric({
        namespace: 'AWS/NATGateway',
        metricName,
        dimensionsMap: { NatGatewayId: id },
        statistic: cloudwatch.Stats.SUM,
        period,
      }),
    ]),
  );
  return new cloudwatch.MathExpression({
    expression: 'SUM(METRICS())',
    usingMetrics: metrics,
    label: `${metricName}, all NAT gateways`,
    period,
  });
}

/**
 * The network's default alarms, with the same ids as on Azure so one spec override tunes both: failed
 * source-port allocations on any NAT gateway (connections from the private subnets to the internet fail)
 * and dropped packets. Top talkers are a saved query over the flow logs.
 */
export function addNetworkAlarms(scope: Construct, vpc: ec2.IVpc, monitoring: IMonitoring): void {
  const ids = natGatewayIds(vpc);
  if (ids.length === 0) return;
  monitoring.addAlarm(scope, 'network/nat/port-allocation-errors', {
    metric: acrossGateways(ids, 'ErrorPortAllocation', Duration.minutes(5)),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    severity: 'critical',
    description:
      'A NAT gateway could not allocate a source port: new connections from the private subnets to the internet fail.',
    firstResponse:
      'Run the top-talkers saved query to find the destinations holding most connections, then spread them or add a NAT gateway.',
  });
  monitoring.addAlarm(scope, 'network/nat/packets-dropped', {
    metric: acrossGateways(ids, 'PacketsDropCount', Duration.minutes(15)),
    threshold: 100,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    severity: 'warning',
    description: ({ threshold }) => `The NAT gateways dropped ${threshold} or more packets in 15 minutes.`,
    firstResponse: 'Check the AWS Health Dashboard for the zones, then the NAT gateway metrics for a traffic spike.',
  });
}

/** The flow log query for the addresses exchanging the most bytes. */
export const TOP_TALKERS_QUERY = 'stats sum(bytes) as bytes by srcAddr, dstAddr\n| sort bytes desc\n| limit 25';
