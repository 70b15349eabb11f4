import type { AlarmBasics } from './alarm-registry';

/**
 * One audit control: an alarm on the environment's audit trail that fires when a sensitive kind of change or
 * access is recorded. The ids are shared by both clouds where the meaning is the same, so one spec override
 * (`monitoring.alarms['audit/root-account-use']`) tunes both.
 */
export interface AuditControl extends AlarmBasics {
  /** The control, kebab-case: the alarm id is `audit/<control>`. */
  readonly control: string;
  /**
   * The control of the CIS AWS Foundations Benchmark v1.4 (section 4) it implements, and the Security Hub
   * control that checks it (`4.3 / CloudWatch.1`).
   */
  readonly benchmark: string;
}

/** The alarm id of an audit control: `audit/<control>`. */
export function auditAlarmId(control: string): string {
  return `audit/${control}`;
}

/** The period every audit control counts matching events over, in minutes (CIS: 300 seconds). */
export const AUDIT_CONTROL_PERIOD_MINUTES = 5;

/**
 * Each control as the CIS AWS Foundations Benchmark monitoring section defines it: one matching event in
 * {@link AUDIT_CONTROL_PERIOD_MINUTES} minutes fires the alarm. Root use, audit trail changes and disabled or
 * deleted keys are critical (they can hide or destroy evidence); the others go to the working-hours channels.
 */
export const AUDIT_CONTROLS: readonly AuditControl[] = [
  {
    control: 'unauthorized-api-calls',
    benchmark: '4.1 / CloudWatch.2',
    threshold: 1,
    severity: 'warning',
    description: 'An API call was refused as unauthorized or access denied.',
    firstResponse:
      'Run the audit/failed-calls saved query to see who called what; a burst from one identity may be a probe with stolen credentials.',
  },
  {
    control: 'console-sign-in-without-mfa',
    benchmark: '4.2 / CloudWatch.3',
    threshold: 1,
    severity: 'warning',
    description: 'An IAM user signed in to the console without multi-factor authentication.',
    firstResponse:
      'Run the audit/by-user saved query for the user, then require MFA for them or disable their password.',
  },
  {
    control: 'root-account-use',
    benchmark: '4.3 / CloudWatch.1',
    threshold: 1,
    severity: 'critical',
    description: "The account's root user made an API call or signed in.",
    firstResponse:
      'Confirm with the holder of the root credentials that the use was planned; if not, rotate the root password and MFA device at once.',
  },
  {
    control: 'iam-policy-changes',
    benchmark: '4.4 / CloudWatch.4',
    threshold: 1,
    severity: 'warning',
    description: 'An IAM policy was created, changed, attached, detached or deleted.',
    firstResponse:
      'Run the audit/by-action saved query and check the change came from a reviewed deployment; revert it if not.',
  },
  {
    control: 'cloudtrail-changes',
    benchmark: '4.5 / CloudWatch.5',
    threshold: 1,
    severity: 'critical',
    description: 'A CloudTrail trail was created, changed or deleted, or its logging was started or stopped.',
    firstResponse:
      'Check that logging of the platform trail is still on (aws cloudtrail get-trail-status) and find who changed it with the audit/by-action saved query.',
  },
  {
    control: 'console-auth-failures',
    benchmark: '4.6 / CloudWatch.6',
    threshold: 1,
    severity: 'warning',
    description: 'A console sign-in failed authentication.',
    firstResponse:
      'Run the audit/failed-calls saved query; repeated failures for one user from unknown addresses suggest password guessing.',
  },
  {
    control: 'kms-key-disable-or-delete',
    benchmark: '4.7 / CloudWatch.7',
    threshold: 1,
    severity: 'critical',
    description: 'A customer KMS key was disabled or scheduled for deletion: the data it encrypts becomes unreadable.',
    firstResponse:
      'Find the key with the audit/by-resource saved query and, unless planned, cancel the deletion (aws kms cancel-key-deletion) or enable the key.',
  },
  {
    control: 's3-bucket-policy-changes',
    benchmark: '4.8 / CloudWatch.8',
    threshold: 1,
    severity: 'warning',
    description: "An S3 bucket's policy, ACL, CORS, lifecycle or replication was changed.",
    firstResponse:
      'Run the audit/by-resource saved query for the bucket and check the change keeps it private and SSL-only.',
  },
  {
    control: 'config-changes',
    benchmark: '4.9 / CloudWatch.9',
    threshold: 1,
    severity: 'warning',
    description: 'An AWS Config recorder or delivery channel was stopped, changed or deleted.',
    firstResponse: 'Check that the configuration recorder is still recording and find who changed it.',
  },
  {
    control: 'security-group-changes',
    benchmark: '4.10 / CloudWatch.10',
    threshold: 1,
    severity: 'warning',
    description: 'A security group or one of its rules was created, changed or deleted.',
    firstResponse:
      'Run the audit/by-action saved query and check the change came from a deployment; a rule opening a port to 0.0.0.0/0 needs review.',
  },
  {
    control: 'nacl-changes',
    benchmark: '4.11 / CloudWatch.11',
    threshold: 1,
    severity: 'warning',
    description: 'A network ACL or one of its entries was created, changed or deleted.',
    firstResponse: 'Run the audit/by-action saved query and check the change came from a deployment.',
  },
  {
    control: 'network-gateway-changes',
    benchmark: '4.12 / CloudWatch.12',
    threshold: 1,
    severity: 'warning',
    description: 'An internet or customer gateway was created, attached, detached or deleted.',
    firstResponse: 'Run the audit/by-action saved query and check the change came from a deployment.',
  },
  {
    control: 'route-table-changes',
    benchmark: '4.13 / CloudWatch.13',
    threshold: 1,
    severity: 'warning',
    description: 'A route table or one of its routes or associations was created, changed or deleted.',
    firstResponse:
      'Run the audit/by-action saved query and check the change came from a deployment; an unexpected route may send traffic elsewhere.',
  },
  {
    control: 'vpc-changes',
    benchmark: '4.14 / CloudWatch.14',
    threshold: 1,
    severity: 'warning',
    description: 'A VPC, its attributes or one of its peering connections was created, changed or deleted.',
    firstResponse: 'Run the audit/by-action saved query and check the change came from a deployment.',
  },
  {
    control: 'organizations-changes',
    benchmark: '4.15',
    threshold: 1,
    severity: 'warning',
    description: 'The AWS organization, one of its accounts, units or policies was changed.',
    firstResponse: 'Run the audit/by-action saved query and confirm the change with the organization administrators.',
  },
];

/**
 * The audit controls of Azure: the activity log alerts of CIS Microsoft Azure Foundations 2.0 section 5.2, plus
 * role assignment changes and Key Vault deletion (lib/azure AuditTrail maps each to its Resource Manager
 * operations). One matching Administrative event fires the alert. Their ids exist on Azure only, as
 * {@link AUDIT_CONTROLS}' exist on AWS only: each cloud declares the other's to its registry
 * (`declareAlarmElsewhere`), so that a spec override of either is accepted in every environment.
 */
export const AZURE_AUDIT_CONTROLS: readonly AuditControl[] = [
  {
    control: 'policy-assignment-changes',
    benchmark: 'CIS Azure 2.0 5.2.1, 5.2.2',
    threshold: 1,
    severity: 'warning',
    description: 'A policy assignment was created, changed or deleted in the subscription, which may lift a guardrail.',
    firstResponse:
      'Run the audit-by-resource saved search for the assignment and check the change came from a reviewed deployment.',
  },
  {
    control: 'nsg-changes',
    benchmark: 'CIS Azure 2.0 5.2.3, 5.2.4',
    threshold: 1,
    severity: 'warning',
    description: 'A network security group was created, changed or deleted in the subscription.',
    firstResponse: 'Run the audit-by-action saved search and check the change came from a deployment.',
  },
  {
    control: 'nsg-rule-changes',
    benchmark: 'CIS Azure 2.0 5.2.3, 5.2.4 (rules)',
    threshold: 1,
    severity: 'warning',
    description: 'A network security group rule was created, changed or deleted, which may open a port to a network.',
    firstResponse:
      'Run the audit-by-resource saved search for the group; a rule allowing inbound traffic from Internet or * needs review.',
  },
  {
    control: 'security-solution-changes',
    benchmark: 'CIS Azure 2.0 5.2.5, 5.2.6',
    threshold: 1,
    severity: 'warning',
    description: 'A Defender for Cloud security solution was created, changed or deleted in the subscription.',
    firstResponse: 'Run the audit-by-action saved search and confirm the change with the security team.',
  },
  {
    control: 'sql-firewall-changes',
    benchmark: 'CIS Azure 2.0 5.2.7, 5.2.8',
    threshold: 1,
    severity: 'critical',
    description: 'A SQL server firewall rule was created, changed or deleted, which may open a database to a network.',
    firstResponse:
      'Run the audit-by-resource saved search for the server and remove any rule that admits 0.0.0.0 or an unknown range.',
  },
  {
    control: 'public-ip-changes',
    benchmark: 'CIS Azure 2.0 5.2.9, 5.2.10',
    threshold: 1,
    severity: 'warning',
    description: 'A public IP address was created, changed or deleted, which may expose a resource to the internet.',
    firstResponse:
      'Run the audit-by-resource saved search and check what the address is attached to; only the edge may have one.',
  },
  {
    control: 'role-assignment-changes',
    benchmark: 'platform (CIS Azure 2.0 section 5.2 does not list it)',
    threshold: 1,
    severity: 'warning',
    description: 'A role assignment was created, changed or deleted in the subscription, which may grant access.',
    firstResponse:
      'Run the audit-by-user saved search for the caller and check the assignment came from a reviewed deployment; remove it if not.',
  },
  {
    control: 'key-vault-deletion',
    benchmark: 'platform (CIS Azure 2.0 section 5.2 does not list it)',
    threshold: 1,
    severity: 'critical',
    description: 'A Key Vault was deleted in the subscription; its secrets and keys are only soft-deleted.',
    firstResponse:
      'Unless planned, recover the vault at once (az keyvault recover --name <vault>) and find the caller with the audit-by-user saved search.',
  },
];
