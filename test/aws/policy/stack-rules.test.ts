import { templateLimits, terminationProtection, type StackFacts } from '../../../lib/aws';

function facts(overrides: Partial<StackFacts> = {}): StackFacts {
  return {
    stackName: 'platform-prod-compute',
    template: { Resources: {} },
    templateBytes: 1000,
    terminationProtection: true,
    tier: 'production',
    ...overrides,
  };
}

function entries(
  n: number,
  value: unknown = { Type: 'AWS::CloudFormation::WaitConditionHandle' },
): Record<string, never> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`R${i}`, value])) as Record<string, never>;
}

describe('Platform-TemplateLimits', () => {
  test('Compliance: 449 resources, 179 outputs, parameters and mappings, 899,999 bytes', () => {
    const template = {
      Resources: entries(449),
      Outputs: entries(179, {}),
      Parameters: entries(179, {}),
      Mappings: entries(179, {}),
    };
    expect(templateLimits(facts({ template, templateBytes: 899_999 }))).toEqual([]);
  });

  test('Noncompliance: 450 resources is 90% of 500', () => {
    expect(templateLimits(facts({ template: { Resources: entries(450) } }))).toEqual([
      {
        ruleId: 'Platform-TemplateLimits',
        message:
          "platform-prod-compute has 450 resources, at or above 90% of CloudFormation's limit of 500 (450): move some to another stack",
      },
    ]);
  });

  test('Noncompliance: outputs, parameters and mappings at 180 each, all reported at once', () => {
    const template = { Outputs: entries(180, {}), Parameters: entries(181, {}), Mappings: entries(200, {}) };
    expect(templateLimits(facts({ template })).map((f) => f.message)).toEqual([
      "platform-prod-compute has 180 outputs, at or above 90% of CloudFormation's limit of 200 (180): move some to another stack",
      "platform-prod-compute has 181 parameters, at or above 90% of CloudFormation's limit of 200 (180): move some to another stack",
      "platform-prod-compute has 200 mappings, at or above 90% of CloudFormation's limit of 200 (180): move some to another stack",
    ]);
  });

  test('Noncompliance: a 900,000-byte template body', () => {
    expect(templateLimits(facts({ templateBytes: 900_000 })).map((f) => f.message)).toEqual([
      "platform-prod-compute template is 900000 bytes, at or above 90% of CloudFormation's limit of 1000000: move resources to another stack",
    ]);
  });

  test('Noncompliance: a stack name over 128 characters', () => {
    const stackName = `p${'x'.repeat(128)}`;
    expect(templateLimits(facts({ stackName })).map((f) => f.message)).toEqual([
      `stack name ${stackName} is 129 characters; CloudFormation allows at most 128`,
    ]);
  });
});

describe('Platform-TerminationProtection', () => {
  test('Compliance: a protected production stack', () => {
    expect(terminationProtection(facts())).toEqual([]);
  });

  test('Compliance: a development stack needs none', () => {
    expect(terminationProtection(facts({ tier: 'development', terminationProtection: false }))).toEqual([]);
  });

  test('Noncompliance: an unprotected production stack', () => {
    expect(terminationProtection(facts({ terminationProtection: false }))).toEqual([
      {
        ruleId: 'Platform-TerminationProtection',
        message:
          'platform-prod-compute is a production-tier stack without termination protection: set terminationProtection: true',
      },
    ]);
  });
});
