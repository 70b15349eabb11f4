import { auditSection } from './audit';
import { backupSection } from './backup';
import { checksSection } from './checks';
import { kubernetesSection } from './kubernetes';
import { monitoringSection } from './monitoring';
import { networkSection } from './network';
import { patchingSection } from './patching';
import { prometheusSection } from './prometheus';
import { protectionSection } from './protection';
import { serversSection } from './servers';
import { jobsSection, servicesSection } from './services';

/**
 * Every section of the environment spec, by its key in the spec. A new capability registers its
 * section here, and only here; the schema, the resolved type and validation follow from this list.
 * Order matters for the order in which problems are reported, and for what a resolver may read: each section is
 * resolved after the sections before it (checks reads services).
 */
export const SECTIONS = {
  network: networkSection,
  protection: protectionSection,
  monitoring: monitoringSection,
  servers: serversSection,
  patching: patchingSection,
  services: servicesSection,
  jobs: jobsSection,
  checks: checksSection,
  kubernetes: kubernetesSection,
  prometheus: prometheusSection,
  backup: backupSection,
  audit: auditSection,
} as const;
