import type { OperatingSystem } from './configuration';

/** The tag (AWS) and tag name (Azure) the backup capability selects servers by; its value is the plan's name. */
export const BACKUP_TAG = 'platform:backup';
/** The tag naming a server's definition (`<env>-<name>`); configuration, Ansible and patching target it. */
export const SERVER_TAG = 'platform:server';

/**
 * The tag AWS Patch Manager selects a patch baseline by (`PatchGroup`, one of the two keys it reads); its value is
 * {@link patchGroupName}, one per operating system, since a baseline serves one operating system.
 */
export const PATCH_GROUP_TAG = 'PatchGroup';

/** The patch group of an environment's servers of one operating system: `platform-<env>-<os>`. */
export function patchGroupName(environment: string, os: OperatingSystem): string {
  return `platform-${environment}-${os}`;
}

/** The backup plan's name of an environment, the value of BACKUP_TAG on everything it protects. */
export function backupPlanName(environment: string): string {
  return `platform-${environment}`;
}
