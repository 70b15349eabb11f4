import type { CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as synthetics from 'aws-cdk-lib/aws-synthetics';
import { type ApiCheck, apiCheckCanaryName, apiCheckPort, renderCanaryScript } from '../../lib/aws';
import { alarmName, apiCheckAlarmIds, apiCheckDefinition } from '../../lib/core';
import { buildAwsApp, EnvironmentStage } from '../../stacks/aws';
import { loadEnvironments } from '../../stacks/environments';
import { temporaryFolders } from '../util/temp';

// Every example environment, as the platform builds it: each check of env.checks becomes one ApiCheck, in the
// stack of its service (or the foundation for a URL), read from the environment, never from its name.
const environments = loadEnvironments();
const outdir = temporaryFolders('platform-aws-checks-');
const app = buildAwsApp({ environments, validation: false, outdir: outdir() });
const built = app.node.children
  .filter((c): c is EnvironmentStage => c instanceof EnvironmentStage)
  .map((stage) => {
    const env = environments.find((e) => `platform-${e.name}` === stage.stageName);
    if (!env) throw new Error(`no environment for ${stage.stageName}`);
    return [stage, env] as const;
  });

/** The name an alarm is created with. */
function nameOf(alarm: cloudwatch.Alarm): string | undefined {
  return (alarm.node.defaultChild as cloudwatch.CfnAlarm).alarmName;
}

/** Every check of a stage, with the stack that holds it. */
function checksOf(stage: EnvironmentStage): { readonly check: ApiCheck; readonly stack: Stack }[] {
  return [
    ...[...stage.foundation.checks.values()].map((check) => ({ check, stack: stage.foundation as Stack })),
    ...[...stage.workloads.values()].flatMap((w) => [...w.checks.values()].map((check) => ({ check, stack: w }))),
  ];
}

describe('AWS API checks in the stages', () => {
  test('every example environment checks something', () => {
    for (const [, env] of built) expect(env.checks.checks.length).toBeGreaterThan(0);
  });

  test('each check of the spec is exactly one canary: a service check in its service stack, a URL check in the foundation', () => {
    for (const [stage, env] of built) {
      const held = checksOf(stage);
      expect(held.map(({ check }) => check.node.id).sort()).toEqual(env.checks.checks.map((c) => c.name).sort());
      for (const spec of env.checks.checks) {
        const { check, stack } = held.find((h) => h.check.node.id === spec.name)!;
        if ('url' in spec.target) {
          expect([spec.name, stack.stackName]).toEqual([spec.name, stage.foundation.stackName]);
          const script = renderCanaryScript(apiCheckDefinition(spec, spec.target.url), { verifyTlsHostname: true });
          Template.fromStack(stack).hasResourceProperties('AWS::Synthetics::Canary', {
            Name: apiCheckCanaryName(env.name, spec.name),
            Code: { Handler: 'index.handler', Script: script },
          });
        } else {
          const service = env.services.find((s) => s.name === (spec.target as { service: string }).service)!;
          expect([spec.name, stack.stackName]).toEqual([spec.name, `${stage.stageName}-workloads-${service.stack}`]);
        }
        const canary = Template.fromStack(stack).findResources('AWS::Synthetics::Canary', {
          Properties: { Name: apiCheckCanaryName(env.name, spec.name) },
        });
        const [properties] = Object.values(canary).map((c) => c.Properties as { VPCConfig?: unknown });
        expect([spec.name, properties?.VPCConfig !== undefined]).toEqual([spec.name, spec.internal]);
        expect([spec.name, check.securityGroup !== undefined]).toEqual([spec.name, spec.internal]);
      }
    }
  });

  test("a service check requests the service's load balancer on its health path", () => {
    let serviceChecks = 0;
    for (const [stage, env] of built) {
      for (const workloads of stage.workloads.values()) {
        for (const [name, check] of workloads.checks) {
          const spec = env.checks.checks.find((c) => c.name === name)!;
          if (!('service' in spec.target)) continue;
          const service = workloads.services.get(spec.target.service)!;
          const script = renderCanaryScript(apiCheckDefinition(spec, `${service.url}${spec.target.path}`), {
            verifyTlsHostname: false,
          });
          const code = (check.canary.node.defaultChild as synthetics.CfnCanary)
            .code as synthetics.CfnCanary.CodeProperty;
          expect(workloads.resolve(code.script)).toEqual(workloads.resolve(script));
          serviceChecks++;
        }
      }
    }
    expect(serviceChecks).toBe(
      built.flatMap(([, env]) => env.checks.checks).filter((c) => 'service' in c.target).length,
    );
  });

  test("an internal service's load balancer admits its check's security group on the listener port, and nothing else of the check", () => {
    let internalChecks = 0;
    for (const [stage, env] of built) {
      for (const workloads of stage.workloads.values()) {
        const template = Template.fromStack(workloads);
        for (const [name, check] of workloads.checks) {
          const spec = env.checks.checks.find((c) => c.name === name)!;
          if (!('service' in spec.target) || !check.securityGroup) continue;
          internalChecks++;
          const service = workloads.services.get(spec.target.service)!;
          const port = apiCheckPort(`${service.url}${spec.target.path}`);
          const rules = template.findResources('AWS::EC2::SecurityGroupIngress', {
            Properties: {
              GroupId: workloads.resolve(service.loadBalancerSecurityGroup.securityGroupId),
              SourceSecurityGroupId: workloads.resolve(check.securityGroup.securityGroupId),
            },
          });
          expect(Object.values(rules).map((r) => [r.Properties.FromPort, r.Properties.ToPort])).toEqual([[port, port]]);
          // The review sees the rule as widened access; it carries the reason it is intended, next to it.
          expect(Object.values(rules).map((r) => r.Metadata?.['platform:review'])).toEqual([
            [{ risk: 'security', reason: expect.stringContaining(`the canary of the API check ${name}`) }],
          ]);
        }
      }
    }
    // The examples have internal services: the loop above asserted something.
    expect(internalChecks).toBeGreaterThan(0);
  });

  test("every check's alarms are in its environment's dashboard", () => {
    for (const [stage, env] of built) {
      const foundation = stage.foundation;
      const [dashboard] = Object.values(Template.fromStack(foundation).findResources('AWS::CloudWatch::Dashboard'));
      const body = JSON.stringify(dashboard!.Properties.DashboardBody);
      for (const { check, stack } of checksOf(stage)) {
        const alarms = [check.successAlarm!, check.latencyAlarm!, ...(check.tlsAlarm ? [check.tlsAlarm] : [])];
        const ids = apiCheckAlarmIds(check.node.id);
        expect(alarms.map((a) => nameOf(a))).toEqual(
          [ids.success, ids.latency, ...(check.tlsAlarm ? [ids.tls] : [])].map((id) => alarmName(env.name, id)),
        );
        // The grid names an alarm of its own stack by a GetAtt of its logical ID, one of another stack by its ARN.
        const missing = alarms.filter((alarm) =>
          stack === foundation
            ? !body.includes(`"${foundation.getLogicalId(alarm.node.defaultChild as CfnElement)}"`)
            : !body.includes(`:alarm:${nameOf(alarm)}`),
        );
        expect([check.node.id, missing.map((a) => a.node.path)]).toEqual([check.node.id, []]);
      }
    }
  });
});
