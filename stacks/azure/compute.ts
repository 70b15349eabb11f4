import { Construct } from 'constructs';
import type { Environment } from '../../lib/core';
import { Backup, Patching, Server } from '../../lib/azure';
import type { EnvironmentFoundation } from './foundation';

/** The compute of an environment on Azure: its servers, their patch schedule and their backup. */
export interface EnvironmentCompute {
  /** The maintenance configuration servers are patched by, when there are servers. */
  readonly patching?: Patching;
  /** The servers, by name. */
  readonly servers: ReadonlyMap<string, Server>;
  /** The Recovery Services vault and VM backup policy; every server VM is protected. */
  readonly backup: Backup;
}

/**
 * Adds an environment's compute to `scope` (the environment's TerraformStack): the maintenance configuration
 * (when there are servers), each server definition under `servers/<name>`, and the backup (`backup`) that
 * protects every server VM.
 *
 * On AWS the backup vault is part of the foundation and selects the servers by tag. On Azure the vault protects
 * each VM by ID, so it is created after the servers; that order also keeps the workbook's sections (servers, then
 * backup) and so the synthesized JSON as they are. Every construct keeps the id it has always had: no Terraform
 * address depends on this function.
 */
export function addCompute(scope: Construct, env: Environment, foundation: EnvironmentFoundation): EnvironmentCompute {
  const { group, monitoring, network } = foundation;
  const patching =
    env.servers.length > 0
      ? new Patching(scope, 'patching', {
          spec: env.patching,
          environment: env.name,
          resourceGroup: group,
          locationCode: env.azure.locationCode,
        })
      : undefined;
  // Each definition's construct path (and so every resource address under it) is its name: reordering or adding
  // definitions never renames another one.
  const serversScope = new Construct(scope, 'servers');
  const servers = new Map(
    env.servers.map((spec) => [
      spec.name,
      new Server(serversScope, spec.name, {
        spec,
        environment: env.name,
        resourceGroup: group,
        locationCode: env.azure.locationCode,
        subnetId: network.subnetIds.workloads,
        zones: env.network.zones,
        adminSshPublicKey: env.azure.adminSshPublicKey ?? '',
        monitoring,
        ...(patching && { patching }),
      }),
    ]),
  );
  const backup = new Backup(scope, 'backup', {
    spec: env.backup,
    environment: env.name,
    resourceGroup: group,
    locationCode: env.azure.locationCode,
    monitoring,
  });
  for (const server of servers.values()) {
    server.virtualMachines.forEach((vm, i) => backup.protectVirtualMachine(server.names.virtualMachines[i]!, vm.id));
  }
  return { ...(patching && { patching }), servers, backup };
}
