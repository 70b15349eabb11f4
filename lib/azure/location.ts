import { Token } from 'cdktf';
import { AZURE_LOCATIONS } from '../core';

/**
 * The short code of a location for names: from AZURE_LOCATIONS, else the full name (which still fits every
 * limit); undefined when the location is known only at apply time (a resource group's `location` attribute),
 * so that no token text ends up in a name.
 */
export function locationCodeOf(location: string): string | undefined {
  if (Token.isUnresolved(location)) return undefined;
  return AZURE_LOCATIONS[location] ?? location;
}
