import { Token } from 'cdktf';
import { Patching, renderMaintenanceWindow, renderPatchingName, Server, type PatchingProps } from '../../lib/azure';
import { defineEnvironment, PATCH_DAYS, type PatchingSpec } from '../../lib/core';
import { devEnvironment, devInput, errorOf, prodEnvironment } from '../util/fixtures';
import { listOf, resourcesOf, synthScope, type TfJson } from '../util/terraform';

const rg = { name: 'rg-platform-dev-weu', location: 'westeurope' };
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq1Hbr4i1J9wY0l3hZ6pYc3c2hQ5JbW8B9m3v3kq5p0 break-glass';

function synthPatching(spec: PatchingSpec, props: Partial<PatchingProps> = {}): TfJson {
  return synthScope(
    (scope) => new Patching(scope, 'patching', { spec, environment: 'dev', resourceGroup: rg, ...props }),
  );
}

describe('renderMaintenanceWindow', () => {
  test('development: every day at 03:00 UTC for 3 hours', () => {
    expect(renderMaintenanceWindow(devEnvironment().patching)).toEqual({
      startDateTime: '2026-01-04 03:00',
      duration: '03:00',
      timeZone: 'UTC',
      recurEvery: '1Day',
    });
  });

  test('production: Sundays at 02:00 UTC for 3 hours', () => {
    expect(renderMaintenanceWindow(prodEnvironment().patching)).toEqual({
      startDateTime: '2026-01-04 02:00',
      duration: '03:00',
      timeZone: 'UTC',
      recurEvery: '1Week Sunday',
    });
  });

  test('a weekly window starts on a date that falls on its weekday', () => {
    const names = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
    const weekdays = PATCH_DAYS.filter((d) => d !== 'daily');
    expect([...weekdays].sort()).toEqual([...names].sort());
    for (const day of weekdays) {
      const window = renderMaintenanceWindow({ ...prodEnvironment().patching, day });
      const date = new Date(`${window.startDateTime.replace(' ', 'T')}:00Z`);
      expect(names[date.getUTCDay()]).toBe(day);
      expect(window.recurEvery).toBe(`1Week ${day[0]!.toUpperCase()}${day.slice(1)}`);
    }
  });

  test('the start hour and the duration are zero-padded', () => {
    const window = renderMaintenanceWindow({ ...devEnvironment().patching, startHour: 7, durationHours: 2 });
    expect([window.startDateTime, window.duration]).toEqual(['2026-01-04 07:00', '02:00']);
  });

  test('the same spec gives the same window whatever the day it is synthesized', () => {
    const spec = prodEnvironment().patching;
    jest.useFakeTimers();
    try {
      jest.setSystemTime(new Date('2026-03-18T10:00:00Z'));
      const march = renderMaintenanceWindow(spec);
      jest.setSystemTime(new Date('2031-11-02T23:59:00Z'));
      expect(renderMaintenanceWindow(spec)).toEqual(march);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('Patching (Azure)', () => {
  test('an in-guest patch schedule for critical and security updates, restarting when an update needs it', () => {
    const [config] = listOf(synthPatching(devEnvironment().patching), 'azurerm_maintenance_configuration');
    expect(config).toEqual({
      name: 'mc-platform-dev-weu',
      location: 'westeurope',
      resource_group_name: 'rg-platform-dev-weu',
      scope: 'InGuestPatch',
      in_guest_user_patch_mode: 'User',
      visibility: 'Custom',
      window: { start_date_time: '2026-01-04 03:00', duration: '03:00', time_zone: 'UTC', recur_every: '1Day' },
      install_patches: {
        linux: [{ classifications_to_include: ['Critical', 'Security'] }],
        reboot: 'IfRequired',
      },
    });
  });

  test('production: the Sunday window', () => {
    const [config] = listOf(synthPatching(prodEnvironment().patching), 'azurerm_maintenance_configuration');
    expect(config?.window).toEqual({
      start_date_time: '2026-01-04 02:00',
      duration: '03:00',
      time_zone: 'UTC',
      recur_every: '1Week Sunday',
    });
  });

  test('servers never restart when the spec says so', () => {
    const spec = defineEnvironment({ ...devInput(), patching: { rebootIfNeeded: false } }).patching;
    const [config] = listOf(synthPatching(spec), 'azurerm_maintenance_configuration');
    expect(config?.install_patches).toMatchObject({ reboot: 'Never' });
  });

  test('named mc-platform-<env>-<location code>, or the given code', () => {
    expect(renderPatchingName({ environment: 'prod', resourceGroup: { name: 'rg', location: 'northeurope' } })).toBe(
      'mc-platform-prod-neu',
    );
    const [config] = listOf(
      synthPatching(devEnvironment().patching, { locationCode: 'we' }),
      'azurerm_maintenance_configuration',
    );
    expect(config?.name).toBe('mc-platform-dev-we');
  });

  test('exposes the configuration id and location servers are assigned with', () => {
    synthScope((scope) => {
      const patching = new Patching(scope, 'patching', {
        spec: devEnvironment().patching,
        environment: 'dev',
        resourceGroup: rg,
      });
      expect(Token.isUnresolved(patching.maintenanceConfigurationId)).toBe(true);
      expect(patching.location).toBe('westeurope');
    });
  });

  test('a server assigns each of its VMs to the schedule', () => {
    const env = defineEnvironment({
      ...devInput(),
      azure: { location: 'westeurope', adminSshPublicKey: KEY },
      servers: [{ name: 'web', size: 'small', count: 2 }],
    });
    const tf = synthScope((scope) => {
      const patching = new Patching(scope, 'patching', { spec: env.patching, environment: 'dev', resourceGroup: rg });
      new Server(scope, 'server-web', {
        spec: env.servers[0]!,
        environment: 'dev',
        resourceGroup: rg,
        subnetId: 'subnet-id',
        zones: 2,
        adminSshPublicKey: KEY,
        patching,
      });
    });
    const [configAddress] = Object.keys(resourcesOf(tf, 'azurerm_maintenance_configuration'));
    const vms = Object.keys(resourcesOf(tf, 'azurerm_linux_virtual_machine'));
    expect(listOf(tf, 'azurerm_maintenance_assignment_virtual_machine')).toEqual(
      vms.map((vm) => ({
        location: 'westeurope',
        maintenance_configuration_id: `\${azurerm_maintenance_configuration.${configAddress}.id}`,
        virtual_machine_id: `\${azurerm_linux_virtual_machine.${vm}.id}`,
      })),
    );
    expect(vms).toHaveLength(2);
  });

  test('an hour outside the day is refused with the field', () => {
    expect(() => synthPatching({ ...devEnvironment().patching, startHour: 24 })).toThrow(
      /spec\.startHour: 24 - an hour from 0 to 23 \(UTC\)/,
    );
  });

  test('a window shorter than 2 hours is refused, with every other problem', () => {
    const message = errorOf(() =>
      synthPatching({ ...devEnvironment().patching, durationHours: 1, startHour: -1 }),
    ).message;
    expect(message).toMatch(/^Invalid Patching props \(2 problems\):/);
    expect(message).toContain('spec.durationHours: 1 - whole hours from 2 to 3 (Azure allows at most 3 h 55 min)');
  });

  test('a window longer than Azure allows is refused', () => {
    expect(() => synthPatching({ ...devEnvironment().patching, durationHours: 4 })).toThrow(
      /spec\.durationHours: 4 - whole hours from 2 to 3 \(Azure allows at most 3 h 55 min\)/,
    );
  });
});
