/**
 * Regions the spec accepts, with what the library needs to know about each offline
 * (synthesis never looks anything up).
 */

/**
 * AWS commercial regions with at least three availability zones, and the zone suffixes every account has
 * there. Some regions skip a letter (ap-northeast-1 has no `b`, ca-central-1 no `c` for new accounts).
 */
export const AWS_REGIONS: Readonly<Record<string, readonly string[]>> = {
  'af-south-1': ['a', 'b', 'c'],
  'ap-east-1': ['a', 'b', 'c'],
  'ap-northeast-1': ['a', 'c', 'd'],
  'ap-northeast-2': ['a', 'b', 'c'],
  'ap-northeast-3': ['a', 'b', 'c'],
  'ap-south-1': ['a', 'b', 'c'],
  'ap-south-2': ['a', 'b', 'c'],
  'ap-southeast-1': ['a', 'b', 'c'],
  'ap-southeast-2': ['a', 'b', 'c'],
  'ap-southeast-3': ['a', 'b', 'c'],
  'ap-southeast-4': ['a', 'b', 'c'],
  'ap-southeast-5': ['a', 'b', 'c'],
  'ap-southeast-7': ['a', 'b', 'c'],
  'ca-central-1': ['a', 'b', 'd'],
  'ca-west-1': ['a', 'b', 'c'],
  'eu-central-1': ['a', 'b', 'c'],
  'eu-central-2': ['a', 'b', 'c'],
  'eu-north-1': ['a', 'b', 'c'],
  'eu-south-1': ['a', 'b', 'c'],
  'eu-south-2': ['a', 'b', 'c'],
  'eu-west-1': ['a', 'b', 'c'],
  'eu-west-2': ['a', 'b', 'c'],
  'eu-west-3': ['a', 'b', 'c'],
  'il-central-1': ['a', 'b', 'c'],
  'me-central-1': ['a', 'b', 'c'],
  'me-south-1': ['a', 'b', 'c'],
  'mx-central-1': ['a', 'b', 'c'],
  'sa-east-1': ['a', 'b', 'c'],
  'us-east-1': ['a', 'b', 'c'],
  'us-east-2': ['a', 'b', 'c'],
  'us-west-2': ['a', 'b', 'c'],
};

/**
 * Azure locations with availability zones, and the short code used in resource names
 * (names have tight length limits, so `westeurope` becomes `weu`).
 */
export const AZURE_LOCATIONS: Readonly<Record<string, string>> = {
  australiaeast: 'ae',
  brazilsouth: 'brs',
  canadacentral: 'cac',
  centralindia: 'inc',
  centralus: 'cus',
  eastasia: 'ea',
  eastus: 'eus',
  eastus2: 'eus2',
  francecentral: 'frc',
  germanywestcentral: 'gwc',
  israelcentral: 'ilc',
  italynorth: 'itn',
  japaneast: 'jpe',
  koreacentral: 'krc',
  mexicocentral: 'mxc',
  newzealandnorth: 'nzn',
  northeurope: 'neu',
  norwayeast: 'nwe',
  polandcentral: 'plc',
  qatarcentral: 'qac',
  southafricanorth: 'san',
  southcentralus: 'scus',
  southeastasia: 'sea',
  spaincentral: 'spc',
  swedencentral: 'sdc',
  switzerlandnorth: 'szn',
  uaenorth: 'uan',
  uksouth: 'uks',
  westeurope: 'weu',
  westus2: 'wus2',
  westus3: 'wus3',
};

/** The default availability zone names of an AWS region (`eu-west-1a`, ...). */
export function defaultAwsZones(region: string): string[] {
  return (AWS_REGIONS[region] ?? []).map((suffix) => `${region}${suffix}`);
}

/** Regions whose backups are copied to a region nearby (same continent, its own failure domain). */
const BACKUP_REGION_PAIRS: Readonly<Record<string, string>> = {
  'eu-west-1': 'eu-central-1',
  'eu-central-1': 'eu-west-1',
  'eu-west-2': 'eu-west-1',
  'eu-west-3': 'eu-central-1',
  'eu-north-1': 'eu-central-1',
  'eu-south-1': 'eu-central-1',
  'us-east-1': 'us-west-2',
  'us-east-2': 'us-west-2',
  'us-west-2': 'us-east-1',
  'ap-southeast-1': 'ap-southeast-2',
  'ap-southeast-2': 'ap-southeast-1',
  'ap-northeast-1': 'ap-northeast-3',
  'ap-northeast-3': 'ap-northeast-1',
  'ca-central-1': 'us-east-1',
  'sa-east-1': 'us-east-1',
};

/**
 * The region an environment's backups are copied to by default: a listed pair, or else the first other region
 * of the same continent prefix (`eu-`, `ap-`, ...).
 */
export function defaultBackupRegion(region: string): string {
  const paired = BACKUP_REGION_PAIRS[region];
  if (paired) return paired;
  const prefix = region.split('-')[0];
  return Object.keys(AWS_REGIONS).find((r) => r !== region && r.startsWith(`${prefix}-`)) ?? 'us-east-1';
}
