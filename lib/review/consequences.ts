/**
 * What a reviewer loses, in words: the noun of each stateful resource type and what it holds, so that the review
 * says "the Recovery Services vault rsv-platform-prod-weu of prod and every recovery point in it" rather than a type.
 */

interface Holding {
  /** The noun: `backup vault`. */
  readonly noun: string;
  /** What it holds, as the object of "and ...": `every recovery point in it`. */
  readonly holds: string;
  /** A fact that softens or sharpens the loss, appended after a semicolon. */
  readonly note?: string;
}

const HOLDINGS: Readonly<Record<string, Holding>> = {
  'AWS::Backup::BackupVault': { noun: 'backup vault', holds: 'every recovery point in it' },
  'AWS::Cognito::UserPool': { noun: 'Cognito user pool', holds: 'every user and password in it' },
  'AWS::DocDB::DBCluster': { noun: 'DocumentDB cluster', holds: 'the data in its databases' },
  'AWS::DynamoDB::GlobalTable': { noun: 'DynamoDB global table', holds: 'every item in it' },
  'AWS::DynamoDB::Table': { noun: 'DynamoDB table', holds: 'every item in it' },
  'AWS::EC2::Instance': {
    noun: 'EC2 instance',
    holds: 'its root volume (everything written to its disk since it started)',
  },
  'AWS::EC2::Volume': { noun: 'EBS volume', holds: 'everything on it' },
  'AWS::ECR::Repository': { noun: 'ECR repository', holds: 'every image in it' },
  'AWS::EFS::FileSystem': { noun: 'EFS file system', holds: 'every file on it' },
  'AWS::ElastiCache::ReplicationGroup': { noun: 'ElastiCache replication group', holds: 'its cached data' },
  'AWS::FSx::FileSystem': { noun: 'FSx file system', holds: 'every file on it' },
  'AWS::Kinesis::Stream': { noun: 'Kinesis stream', holds: 'every record not yet read' },
  'AWS::KMS::Key': {
    noun: 'KMS key',
    holds: 'the ability to decrypt everything encrypted with it',
    note: 'deletion is scheduled (7-30 days), after which no one can decrypt that data',
  },
  'AWS::Logs::LogGroup': { noun: 'log group', holds: 'every log event in it' },
  'AWS::Neptune::DBCluster': { noun: 'Neptune cluster', holds: 'its graph data' },
  'AWS::OpenSearchService::Domain': { noun: 'OpenSearch domain', holds: 'every index in it' },
  'AWS::RDS::DBCluster': { noun: 'RDS cluster', holds: 'the data in its databases' },
  'AWS::RDS::DBInstance': { noun: 'RDS instance', holds: 'the data in its databases' },
  'AWS::Redshift::Cluster': { noun: 'Redshift cluster', holds: 'its warehouse data' },
  'AWS::S3::Bucket': { noun: 'S3 bucket', holds: 'every object in it' },
  'AWS::SecretsManager::Secret': { noun: 'secret', holds: 'its value', note: 'recoverable for 7-30 days' },
  'AWS::SQS::Queue': { noun: 'SQS queue', holds: 'every message waiting in it' },
  azurerm_application_insights: { noun: 'Application Insights resource', holds: 'its telemetry' },
  azurerm_container_registry: { noun: 'container registry', holds: 'every image in it' },
  azurerm_cosmosdb_account: { noun: 'Cosmos DB account', holds: 'every database in it' },
  azurerm_data_protection_backup_vault: { noun: 'Data Protection backup vault', holds: 'every recovery point in it' },
  azurerm_key_vault: {
    noun: 'key vault',
    holds: 'every key, secret and certificate in it',
    note: 'soft-deleted, recoverable for its retention days unless purged',
  },
  azurerm_key_vault_key: {
    noun: 'Key Vault key',
    holds: 'the ability to decrypt what it encrypted',
    note: 'soft-deleted, recoverable for the vault’s retention days',
  },
  azurerm_key_vault_secret: { noun: 'Key Vault secret', holds: 'its value', note: 'soft-deleted, recoverable' },
  azurerm_linux_virtual_machine: {
    noun: 'Linux VM',
    holds: 'what is on its OS disk',
    note: 'the provider features keep the old OS disk, detached; the new VM starts from a new disk',
  },
  azurerm_log_analytics_workspace: {
    noun: 'Log Analytics workspace',
    holds: 'every log in it',
    note: 'soft-deleted for 14 days, then gone',
  },
  azurerm_managed_disk: { noun: 'managed disk', holds: 'everything on it' },
  azurerm_mssql_database: { noun: 'SQL database', holds: 'its data' },
  azurerm_mssql_server: { noun: 'SQL server', holds: 'every database on it' },
  azurerm_postgresql_flexible_server: { noun: 'PostgreSQL server', holds: 'every database on it' },
  azurerm_recovery_services_vault: { noun: 'Recovery Services vault', holds: 'every recovery point in it' },
  azurerm_resource_group: { noun: 'resource group', holds: 'every resource in it' },
  azurerm_storage_account: { noun: 'storage account', holds: 'every blob, file, queue and table in it' },
  azurerm_storage_container: { noun: 'storage container', holds: 'every blob in it' },
  azurerm_storage_share: { noun: 'file share', holds: 'every file in it' },
  azurerm_windows_virtual_machine: {
    noun: 'Windows VM',
    holds: 'what is on its OS disk',
    note: 'the provider features keep the old OS disk, detached; the new VM starts from a new disk',
  },
};

/** The noun a review uses for a resource type: `Recovery Services vault`, or the type itself. */
export function nounOf(type: string): string {
  return HOLDINGS[type]?.noun ?? type;
}

/** What a lost or kept resource is called: its physical name when the output has one, else its ID. */
function named(type: string, name: string | undefined, id: string, environment: string): string {
  return `the ${nounOf(type)} ${name ?? id} of ${environment}`;
}

/**
 * What a replacement or destruction loses: `Deletes the Recovery Services vault rsv-platform-prod-weu of prod and
 * every recovery point in it.`, with what softens it when there is something.
 */
export function describeLoss(
  type: string,
  name: string | undefined,
  id: string,
  environment: string,
  action: 'replace' | 'may-replace' | 'destroy',
): string {
  const holding = HOLDINGS[type];
  const subject = named(type, name, id, environment);
  const note = holding?.note ? `; ${holding.note}` : '';
  if (action === 'destroy') return `Deletes ${subject}${holding ? ` and ${holding.holds}` : ''}${note}.`;
  const verb = action === 'replace' ? 'Replaces' : 'May replace';
  return `${verb} ${subject} with a new, empty one${holding ? `: ${holding.holds} is lost` : ''}${note}.`;
}

/** What an orphaned (retained) resource keeps: `Keeps the log group /platform/prod/app of prod (retained) ...`. */
export function describeKept(type: string, name: string | undefined, id: string, environment: string): string {
  return `Keeps ${named(type, name, id, environment)} (retained) with its data, outside the stack: it is no longer managed; delete it or import it again by hand.`;
}

/** What a replacement of a retained resource keeps: the old one survives, detached, and the new one starts empty. */
export function describeRetainedReplacement(
  type: string,
  name: string | undefined,
  id: string,
  environment: string,
): string {
  const holding = HOLDINGS[type];
  return `Replaces ${named(type, name, id, environment)} with a new, empty one; the old one is kept (retained) outside the stack${holding ? ` with ${holding.holds}` : ''}, no longer used or managed.`;
}
