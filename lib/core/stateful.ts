/**
 * Resource types that hold data: deleting or replacing one loses what it holds. A server counts: replacing an
 * EC2 instance or an Azure VM deletes (AWS) or orphans (Azure) the disk it booted from. So does a Kubernetes
 * cluster (its etcd holds every workload's objects and secrets) and a Prometheus workspace (its metrics). Their logical IDs and
 * Terraform addresses are a public contract (golden files in test/golden), and production keeps them
 * (RETAIN, `prevent_destroy`). Plain strings, so lib/core stays free of cloud libraries.
 */
export const AWS_STATEFUL_TYPES: ReadonlySet<string> = new Set([
  'AWS::APS::Workspace',
  'AWS::Backup::BackupVault',
  'AWS::Cognito::UserPool',
  'AWS::DocDB::DBCluster',
  'AWS::DynamoDB::GlobalTable',
  'AWS::DynamoDB::Table',
  'AWS::EC2::Instance',
  'AWS::EC2::Volume',
  'AWS::ECR::Repository',
  'AWS::EFS::FileSystem',
  'AWS::EKS::Cluster',
  'AWS::ElastiCache::ReplicationGroup',
  'AWS::FSx::FileSystem',
  'AWS::Kinesis::Stream',
  'AWS::KMS::Key',
  'AWS::Logs::LogGroup',
  'AWS::Neptune::DBCluster',
  'AWS::OpenSearchService::Domain',
  'AWS::RDS::DBCluster',
  'AWS::RDS::DBInstance',
  'AWS::Redshift::Cluster',
  'AWS::S3::Bucket',
  'AWS::SecretsManager::Secret',
  'AWS::SQS::Queue',
]);

/**
 * azurerm resource types that hold data. The resource group is one: destroying it destroys everything in it.
 */
export const AZURE_STATEFUL_TYPES: ReadonlySet<string> = new Set([
  'azurerm_application_insights',
  'azurerm_container_registry',
  'azurerm_cosmosdb_account',
  'azurerm_data_protection_backup_vault',
  'azurerm_key_vault',
  'azurerm_key_vault_key',
  'azurerm_key_vault_secret',
  'azurerm_kubernetes_cluster',
  'azurerm_linux_virtual_machine',
  'azurerm_log_analytics_workspace',
  'azurerm_managed_disk',
  'azurerm_monitor_workspace',
  'azurerm_mssql_database',
  'azurerm_mssql_server',
  'azurerm_postgresql_flexible_server',
  'azurerm_recovery_services_vault',
  'azurerm_resource_group',
  'azurerm_storage_account',
  'azurerm_storage_container',
  'azurerm_storage_share',
  'azurerm_windows_virtual_machine',
]);
