import * as maintenance from '@cdktf/provider-azurerm/lib/maintenance-configuration';
import { Construct, type IConstruct } from 'constructs';
import { checkProps, IssueCollector, PLATFORM_PREFIX, type PatchDay, type PatchingSpec } from '../core';
import { ENVIRONMENT_PROP, LOCATION_CODE_PROP, pathUnder, RESOURCE_GROUP_PROP, specProp } from './construct-props';
import type { IResourceGroup } from './interfaces';
import { locationCodeOf } from './location';

/**
 * The environment's patch schedule, as servers see it: a maintenance configuration that each VM is assigned to
 * (`azurerm_maintenance_assignment_virtual_machine`, created by the Server).
 */
export interface IPatching extends IConstruct {
  /** The maintenance configuration's resource ID. */
  readonly maintenanceConfigurationId: string;
  /** The maintenance configuration's location; an assignment names the same location. */
  readonly location: string;
}

/** Props of {@link Patching}. */
export interface PatchingProps {
  /** The environment's resolved patching section: the window and whether servers restart. */
  readonly spec: PatchingSpec;
  /** The environment name; it goes into the name (`mc-platform-<env>-<location code>`). */
  readonly environment: string;
  /** The resource group to create the maintenance configuration in; its location is the configuration's. */
  readonly resourceGroup: IResourceGroup;
  /**
   * Short code of the location used in the name.
   * @default - the code of the resource group's location in AZURE_LOCATIONS
   */
  readonly locationCode?: string;
}

/** The classifications of Linux updates installed in the window: what fixes vulnerabilities, nothing else. */
export const LINUX_PATCH_CLASSIFICATIONS = ['Critical', 'Security'] as const;

/**
 * The date the first window opens, before the hour: a fixed Sunday (2026-01-04), so that the rendered window never
 * depends on the day it was synthesized (a changing start date would be a diff on every plan). Azure repeats the
 * window from there; a start in the past is accepted and simply means the schedule is already running.
 */
const FIRST_SUNDAY = { year: 2026, month: 1, day: 4 };

const WEEKDAYS: readonly Exclude<PatchDay, 'daily'>[] = [
  'sunday',
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
];

const two = (n: number): string => String(n).padStart(2, '0');

/**
 * Maps the patching section to the maintenance configuration's `window`; pure. All times are UTC, like the spec:
 * `start_date_time` is a fixed date on the window's weekday (`2026-01-04 02:00` is a Sunday), `duration` is `HH:MM`
 * and `recur_every` is `1Day` or `1Week <Day>`.
 */
export function renderMaintenanceWindow(spec: PatchingSpec): maintenance.MaintenanceConfigurationWindow {
  const offset = spec.day === 'daily' ? 0 : WEEKDAYS.indexOf(spec.day);
  const date = `${FIRST_SUNDAY.year}-${two(FIRST_SUNDAY.month)}-${two(FIRST_SUNDAY.day + offset)}`;
  const recurEvery = spec.day === 'daily' ? '1Day' : `1Week ${spec.day.charAt(0).toUpperCase()}${spec.day.slice(1)}`;
  return {
    startDateTime: `${date} ${two(spec.startHour)}:00`,
    duration: `${two(spec.durationHours)}:00`,
    timeZone: 'UTC',
    recurEvery,
  };
}

/** The maintenance configuration's name: `mc-platform-<env>-<location code>`; pure. */
export function renderPatchingName(
  props: Pick<PatchingProps, 'environment' | 'resourceGroup' | 'locationCode'>,
): string {
  const code = props.locationCode ?? locationCodeOf(props.resourceGroup.location);
  return ['mc', PLATFORM_PREFIX, props.environment, ...(code === undefined ? [] : [code])].join('-');
}

/**
 * The environment's patch window on Azure: one maintenance configuration (scope `InGuestPatch`, Azure Update
 * Manager) that installs critical and security updates for Linux in the spec's window, restarting a server only
 * when an update needs it (or never, if the spec says so). Servers join it one VM at a time through
 * `ServerProps.patching`; their `patch_mode` is `AutomaticByPlatform` with the platform's safety checks bypassed
 * on this user schedule, which is what makes Azure patch them in this window and only in it.
 *
 * The subscription must have the Microsoft.Maintenance resource provider registered.
 *
 * @example
 * const patching = new Patching(stack, 'patching', { spec: env.patching, environment: env.name, resourceGroup: rg });
 */
export class Patching extends Construct implements IPatching {
  /** The maintenance configuration. */
  public readonly maintenanceConfiguration: maintenance.MaintenanceConfiguration;
  /** The maintenance configuration's location. */
  public readonly location: string;

  constructor(scope: Construct, id: string, props: PatchingProps) {
    checkProps('Patching', pathUnder(scope, id), props, {
      spec: specProp('patching'),
      environment: ENVIRONMENT_PROP,
      resourceGroup: RESOURCE_GROUP_PROP,
      locationCode: LOCATION_CODE_PROP,
    });
    super(scope, id);
    validatePatchingProps(props);
    this.location = props.resourceGroup.location;
    this.maintenanceConfiguration = new maintenance.MaintenanceConfiguration(this, 'Resource', {
      name: renderPatchingName(props),
      location: props.resourceGroup.location,
      resourceGroupName: props.resourceGroup.name,
      scope: 'InGuestPatch',
      // `User`: the schedule is ours, not the platform's (required for InGuestPatch with install_patches).
      inGuestUserPatchMode: 'User',
      visibility: 'Custom',
      window: renderMaintenanceWindow(props.spec),
      installPatches: {
        linux: [{ classificationsToInclude: [...LINUX_PATCH_CLASSIFICATIONS] }],
        reboot: props.spec.rebootIfNeeded ? 'IfRequired' : 'Never',
      },
    });
  }

  /** The maintenance configuration's resource ID. */
  public get maintenanceConfigurationId(): string {
    return this.maintenanceConfiguration.id;
  }
}

function validatePatchingProps(props: PatchingProps): void {
  const issues = new IssueCollector();
  const { spec } = props;
  if (spec.day !== 'daily' && !WEEKDAYS.includes(spec.day)) {
    issues.add('spec.day', spec.day, `one of daily, ${WEEKDAYS.join(', ')}`);
  }
  if (!Number.isInteger(spec.startHour) || spec.startHour < 0 || spec.startHour > 23) {
    issues.add('spec.startHour', spec.startHour, 'an hour from 0 to 23 (UTC)');
  }
  // Azure takes in-guest patch windows of 1 h 30 min to 3 h 55 min; whole hours keep `duration` simple.
  if (!Number.isInteger(spec.durationHours) || spec.durationHours < 2 || spec.durationHours > 3) {
    issues.add('spec.durationHours', spec.durationHours, 'whole hours from 2 to 3 (Azure allows at most 3 h 55 min)');
  }
  issues.throwIfAny('Invalid Patching props');
}
