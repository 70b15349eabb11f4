import { cloud_assembly_schema, Stage, type PolicyViolation } from 'aws-cdk-lib';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { IConstruct } from 'constructs';

/** One plugin's findings, as the gate collected them before anything was written. */
export interface GateReport {
  /** The pack or plugin (`AwsSolutions`, `NIST.800.53.R5`, `Platform`, `Platform-Stack`). */
  readonly pluginName: string;
  /** Its findings that nobody acknowledged: errors fail the synthesis, warnings are reported. */
  readonly violations: readonly PolicyViolation[];
}

/** The name of the report the gate writes when it fails: the file aws-cdk-lib would have written after the templates. */
export const GATE_REPORT_FILE = 'validation-report.json';

/** The errors among the findings: what fails the synthesis. */
export function gateErrors(reports: readonly GateReport[]): { pluginName: string; violation: PolicyViolation }[] {
  return reports.flatMap((r) =>
    r.violations
      .filter((v) => v.severity === undefined || v.severity === 'error' || v.severity === 'fatal')
      .map((violation) => ({ pluginName: r.pluginName, violation })),
  );
}

/**
 * The message of a failed gate: every unacknowledged error, with its rule id, the construct paths it was found on,
 * what is wrong and what to do, and how to acknowledge it where it is safe. It never suggests switching the checks
 * off: a finding is fixed, or accepted with a reason, next to its construct.
 */
export function formatGateFailure(scope: IConstruct, reports: readonly GateReport[]): string {
  const errors = gateErrors(reports);
  const total = errors.reduce((sum, e) => sum + Math.max(1, e.violation.violatingResources.length), 0);
  const count = total === 1 ? '1 guardrail finding is' : `${total} guardrail findings are`;
  const lines = [
    `${count} not acknowledged under ${scope.node.path || 'the app'}; no template was written.`,
    "Fix each one as it says; only where it is safe, acknowledge it next to its construct, saying why, with acknowledge(construct, '<rule id>', '<why it is safe>') from platform-constructs/aws.",
  ];
  for (const { pluginName, violation } of errors) {
    const paths = violation.violatingResources.map((r) => r.constructPath ?? r.templatePath);
    lines.push(`- ${violation.ruleName} (${pluginName}): ${violation.description}`);
    for (const at of paths) lines.push(`    at ${at}`);
    const construct = paths.length === 1 ? `<the construct at ${paths[0]}>` : '<the construct>';
    lines.push(`    acknowledge: acknowledge(${construct}, '${violation.ruleName}', '<why it is safe>')`);
  }
  return lines.join('\n');
}

/** The outermost stage (the App) above a construct: where aws-cdk-lib writes the validation report. */
function rootStage(scope: IConstruct): Stage | undefined {
  let root: Stage | undefined;
  for (let current: IConstruct | undefined = scope; current; current = current.node.scope) {
    if (Stage.isStage(current)) root = current;
  }
  return root;
}

/**
 * Writes the gate's findings where aws-cdk-lib writes its validation report (`validation-report.json` at the root of
 * the cloud assembly), in its shape (`pluginReports`, `violatingConstructs`), so that tools that read the report
 * after a failed synthesis find it; the templates themselves are never written.
 */
export function writeGateReport(scope: IConstruct, reports: readonly GateReport[]): string | undefined {
  const root = rootStage(scope);
  if (root === undefined) return undefined;
  const pluginReports = reports
    .filter((r) => r.violations.length > 0)
    .map((r) => ({
      pluginName: r.pluginName,
      conclusion: gateErrors([r]).length > 0 ? 'failure' : 'success',
      violations: r.violations.map((v) => ({
        ruleName: v.ruleName,
        description: v.description,
        severity: v.severity ?? 'error',
        violatingConstructs: v.violatingResources.map((resource) => ({
          constructPath: resource.constructPath ?? '',
          ...(resource.templatePath !== undefined && {
            cloudFormationResource: {
              templatePath: resource.templatePath,
              ...(resource.resourceLogicalId !== undefined && { logicalId: resource.resourceLogicalId }),
              propertyPaths: resource.locations,
            },
          }),
        })),
      })),
    }));
  const file = path.join(root.outdir, GATE_REPORT_FILE);
  mkdirSync(root.outdir, { recursive: true });
  writeFileSync(
    file,
    JSON.stringify(
      { version: cloud_assembly_schema.Manifest.version(), title: 'Validation Report', pluginReports },
      undefined,
      2,
    ),
  );
  return file;
}
