import { createHash } from 'node:crypto';

/**
 * The zone of a server's instance: instances go round the zones in order, starting at a zone that follows from
 * the definition's name, so instance `i` is always in the same zone and single-server definitions do not all
 * crowd into the first zone. Adding instances, or reordering definitions, never moves an existing one (on
 * Azure `zone` is ForceNew: a move would re-create the VM and its disk); changing the number of zones does.
 * @param server the definition's name; without it the rotation starts at zone 0
 * @returns the zone's index, from 0
 */
export function zoneIndexOf(instance: number, zones: number, server?: string): number {
  const offset = server === undefined ? 0 : createHash('sha256').update(server, 'utf8').digest()[0]! % zones;
  return (offset + instance) % zones;
}

/** The most instances one server definition may have: 5 alarms per instance keep a compute stack well inside 500 resources. */
export const MAX_SERVER_COUNT = 20;

/** Addresses the clouds reserve in every subnet (AWS and Azure both keep 5). */
export const RESERVED_SUBNET_ADDRESSES = 5;
