import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { acknowledgeChange, acknowledgeRemoval } from 'platform-constructs/aws';

/**
 * A reviewed change that loses data, accepted in code: the audit log group gets a new name (CloudFormation
 * replaces it) and an old reports log group is removed. `npm run review` shows both acknowledgements in the
 * pull request and lets the change pass; each counts only in the change that adds it.
 */
export function buildAcknowledgedApp(): App {
  const app = new App();
  const stack = new Stack(app, 'payments-logs', { env: { account: '444444444444', region: 'eu-central-1' } });
  const audit = new logs.LogGroup(stack, 'Audit', {
    logGroupName: '/payments/audit-v2',
    retention: logs.RetentionDays.ONE_YEAR,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  acknowledgeChange(audit, 'data-loss', 'The events of /payments/audit were exported to the archive bucket first');
  acknowledgeRemoval(stack, 'ReportsB9F0E3B1', 'data-loss', 'Reports are written to the data lake since March');
  return app;
}
