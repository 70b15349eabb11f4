import { PLATFORM_PREFIX } from './prefix';
import { ALARM_ID_PATTERN } from './spec/monitoring';

/**
 * The name of an alarm on both clouds: `platform-<env>-<id>` with the id's slashes as dots
 * (`logs/errors` -> `platform-prod-logs.errors`). Ids are kebab-case words, so the mapping never makes two
 * ids one name; Azure alert names refuse slashes. An alarm kept per resource ends with its member
 * (`server/web/recovery`, member `1` -> `platform-prod-server.web.recovery.1`).
 */
export function alarmName(environment: string, id: string, member?: string): string {
  if (!ALARM_ID_PATTERN.test(id)) {
    throw new Error(`alarm id "${id}": kebab-case words separated by slashes, such as logs/errors`);
  }
  if (member !== undefined && !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(member)) {
    throw new Error(
      `alarm member "${member}" of "${id}": lowercase letters, digits and single hyphens, such as 1 or web-1`,
    );
  }
  const base = `${PLATFORM_PREFIX}-${environment}-${id.replaceAll('/', '.')}`;
  return member === undefined ? base : `${base}.${member}`;
}
