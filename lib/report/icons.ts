import type { Category } from './model';

/**
 * The glyphs of the diagrams: simple 24×24 line drawings of our own (the clouds' architecture icons are not openly
 * licensed), drawn in `currentColor`. The category is also written in the node's text, so the picture never carries
 * meaning alone.
 */
export const GLYPHS: Readonly<Record<Category, string>> = {
  network:
    '<circle cx="12" cy="5" r="2.5"/><circle cx="5" cy="19" r="2.5"/><circle cx="19" cy="19" r="2.5"/><path d="M12 7.5v5M12 12.5 6.5 17M12 12.5l5.5 4.5"/>',
  server:
    '<rect x="4" y="3" width="16" height="7" rx="1"/><rect x="4" y="14" width="16" height="7" rx="1"/><path d="M7 6.5h2M7 17.5h2"/>',
  container: '<path d="M12 2 21 7v10l-9 5-9-5V7z"/><path d="M3 7l9 5 9-5M12 12v10"/>',
  kubernetes: '<path d="M12 2 20.5 6.5 22 16l-6 6H8l-6-6L3.5 6.5z"/><circle cx="12" cy="12" r="3"/>',
  job: '<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3.5 2"/>',
  storage:
    '<ellipse cx="12" cy="5" rx="8" ry="3"/><path d="M4 5v14c0 1.7 3.6 3 8 3s8-1.3 8-3V5M4 12c0 1.7 3.6 3 8 3s8-1.3 8-3"/>',
  database: '<ellipse cx="12" cy="6" rx="7" ry="3"/><path d="M5 6v12c0 1.7 3.1 3 7 3s7-1.3 7-3V6"/><path d="M9 13h6"/>',
  key: '<circle cx="8" cy="12" r="4"/><path d="M12 12h9M18 12v3M21 12v2"/>',
  logs: '<path d="M6 2h9l4 4v16H6z"/><path d="M9 10h7M9 14h7M9 18h5"/>',
  alarm: '<path d="M6 17V11a6 6 0 0 1 12 0v6l2 2H4z"/><path d="M10 21h4"/>',
  notification: '<path d="M3 6h18v12H3z"/><path d="M3 6l9 7 9-7"/>',
  backup: '<path d="M4 12a8 8 0 1 1 2.3 5.7"/><path d="M4 18v-6h6"/>',
  identity: '<circle cx="12" cy="8" r="4"/><path d="M4 21c0-4 3.6-7 8-7s8 3 8 7"/>',
  check: '<circle cx="12" cy="12" r="9"/><path d="M7.5 12.5l3 3 6-6"/>',
  'load-balancer':
    '<circle cx="12" cy="5" r="2.5"/><path d="M12 7.5V12M12 12 5 18M12 12v6M12 12l7 6"/><circle cx="5" cy="19.5" r="1.5"/><circle cx="12" cy="19.5" r="1.5"/><circle cx="19" cy="19.5" r="1.5"/>',
  pipeline:
    '<circle cx="5" cy="12" r="2.5"/><circle cx="19" cy="12" r="2.5"/><path d="M7.5 12h9M13 8.5 16.5 12 13 15.5"/>',
  generic: '<rect x="4" y="4" width="16" height="16" rx="2"/>',
};

/** The category of a resource type, for its glyph: by the service the type belongs to. */
const TYPE_CATEGORIES: readonly (readonly [RegExp, Category])[] = [
  [
    /^AWS::EC2::(VPC|Subnet|RouteTable|Route|NatGateway|InternetGateway|EIP|VPCGatewayAttachment|FlowLog)|^azurerm_(virtual_network|subnet|nat_gateway|public_ip|network_security|route)/,
    'network',
  ],
  [/^AWS::EC2::SecurityGroup|^AWS::WAFv2|^azurerm_network_security/, 'network'],
  [
    /^AWS::EC2::(Instance|LaunchTemplate)|^azurerm_(linux|windows)_virtual_machine|^azurerm_network_interface/,
    'server',
  ],
  [/^AWS::ECS::|^azurerm_container_app(?!_job)|^azurerm_container_app_environment/, 'container'],
  [/^AWS::EKS::|^azurerm_kubernetes_/, 'kubernetes'],
  [/^AWS::(Scheduler|StepFunctions)::|^azurerm_container_app_job/, 'job'],
  [/^AWS::S3::|^azurerm_storage_/, 'storage'],
  [/^AWS::(RDS|DynamoDB)::|^azurerm_(postgresql|mssql|cosmosdb)/, 'database'],
  [/^AWS::KMS::|^azurerm_key_vault/, 'key'],
  [/^AWS::Logs::|^AWS::CloudTrail::|^azurerm_log_analytics|^azurerm_monitor_diagnostic_setting/, 'logs'],
  [
    /^AWS::CloudWatch::|^AWS::APS::|^azurerm_monitor_(metric_alert|scheduled_query|activity_log_alert|alert_prometheus|workspace)/,
    'alarm',
  ],
  [/^AWS::SNS::|^azurerm_monitor_action_group|^azurerm_monitor_alert_processing/, 'notification'],
  [/^AWS::Backup::|^azurerm_(backup_|recovery_services)/, 'backup'],
  [/^AWS::IAM::|^azurerm_(role_assignment|user_assigned_identity)/, 'identity'],
  [/^AWS::Synthetics::|^azurerm_application_insights/, 'check'],
  [/^AWS::ElasticLoadBalancingV2::|^azurerm_(lb|application_gateway)/, 'load-balancer'],
  [/^AWS::(CodePipeline|CodeBuild)::/, 'pipeline'],
];

/** The glyph category of a CloudFormation or azurerm resource type; `generic` for a type no category names. */
export function categoryOf(type: string): Category {
  return TYPE_CATEGORIES.find(([pattern]) => pattern.test(type))?.[1] ?? 'generic';
}

/** The category of a whole group, when the group says more than its resources' types do. */
const GROUP_CATEGORIES: Readonly<Record<string, Category>> = {
  network: 'network',
  monitoring: 'notification',
  servers: 'server',
  services: 'container',
  containers: 'container',
  jobs: 'job',
  checks: 'check',
  backup: 'backup',
  'backup-copy': 'backup',
  'audit-trail': 'logs',
  kubernetes: 'kubernetes',
  prometheus: 'alarm',
  patching: 'server',
  'delivery-checks': 'identity',
};

/** The category of a diagram node: its group's, or that of its first primary resource's type. */
export function nodeCategory(group: string, types: readonly string[]): Category {
  return GROUP_CATEGORIES[group] ?? types.map(categoryOf).find((c) => c !== 'generic') ?? 'generic';
}
