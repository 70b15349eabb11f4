import type { CloudFormationDiff, IamStatement, ManagedPolicyAttachment, SecurityGroupRule } from './aws-library';
import { placeholderIds, referencedIds } from './aws-references';
import { compare, isObject, type CfnResource, type JsonObject } from './aws-template';
import type { ChangeAction, SecurityChange, SecurityKind } from './model';

/** What the security rules need to know about one stack's change. */
export interface SecurityScope {
  /** The loaded diff library. */
  readonly library: CloudFormationDiff;
  /** The stack's resources on the base side (empty for a new stack), normalized. */
  readonly base: Readonly<Record<string, CfnResource>>;
  /** The stack's resources on the head side (empty for a removed stack), normalized. */
  readonly head: Readonly<Record<string, CfnResource>>;
  /** The logical IDs this change creates: a grant to one of them reaches nothing that existed. */
  readonly created: ReadonlySet<string>;
  /**
   * The statements the whole stack adds (the diff library over both whole templates): a statement that only
   * moves from one policy to another of the same principal is not among them, and widens nothing.
   */
  readonly stackStatementAdditions?: readonly IamStatement[];
}

/**
 * The resources a created policy attaches to, by policy type: a new policy on something that already exists
 * widens access as much as a new statement on it does.
 */
const POLICY_TARGETS: Readonly<Record<string, readonly string[]>> = {
  'AWS::IAM::Policy': ['Roles', 'Users', 'Groups'],
  'AWS::IAM::ManagedPolicy': ['Roles', 'Users', 'Groups'],
  'AWS::IAM::RolePolicy': ['RoleName'],
  'AWS::IAM::UserPolicy': ['UserName'],
  'AWS::IAM::GroupPolicy': ['GroupName'],
  'AWS::S3::BucketPolicy': ['Bucket'],
  'AWS::SQS::QueuePolicy': ['Queues'],
  'AWS::SNS::TopicPolicy': ['Topics'],
  'AWS::Lambda::Permission': ['FunctionName'],
  'AWS::SecretsManager::ResourcePolicy': ['SecretId'],
  'AWS::ECR::RepositoryPolicy': ['RepositoryName'],
};

const KIND_ORDER: readonly SecurityKind[] = [
  'iam-statement',
  'managed-policy',
  'network-ingress',
  'network-egress',
  'public-endpoint',
  'public-network-access',
];

/**
 * The security-relevant changes of one resource: IAM statements and managed policies, security group rules,
 * and public endpoints. The diff library runs on a pair of templates holding only this resource, so each finding
 * belongs to the resource that carries it.
 */
export function securityChangesOf(scope: SecurityScope, id: string, action: ChangeAction): SecurityChange[] {
  const before = scope.base[id];
  const after = action === 'destroy' || action === 'orphan' ? undefined : scope.head[id];
  const diff = scope.library.fullDiff(
    before ? { Resources: { [id]: before } } : {},
    after ? { Resources: { [id]: after } } : {},
  );
  const existed = before !== undefined;
  const isNew = (ids: readonly string[]): boolean => ids.length > 0 && ids.every((i) => scope.created.has(i));
  const principalsNew = (s: IamStatement): boolean =>
    !s.principals.not && isNew(s.principals.values.flatMap((p) => placeholderIds(p)));
  // A created policy widens access only when it attaches to something that exists (a resource of the base, an
  // imported value, a literal name or ARN); a created role, bucket or group is reached by nothing yet.
  const targets = POLICY_TARGETS[after?.Type ?? before?.Type ?? ''];
  const attachesToExisting =
    targets !== undefined && after !== undefined && targetValues(after, targets).some((t) => !isNew(referencedIds(t)));
  const gone = (i: string): boolean => scope.base[i] !== undefined && scope.head[i] === undefined;
  const targetsRemain =
    targets !== undefined &&
    before !== undefined &&
    targetValues(before, targets).some((t) => {
      const ids = referencedIds(t);
      return ids.length === 0 || !ids.every(gone);
    });
  const carrierStays = after !== undefined && existed;

  const found: SecurityChange[] = [];
  const add = (kind: SecurityKind, broadened: boolean, description: string): void => {
    found.push({ kind, broadened, description });
  };
  for (const s of diff.iamChanges.statements.additions) {
    // A statement whose effect is an intrinsic may allow: counted as one, since the review cannot rule it out.
    const allows = effectOf(s) !== 'Deny';
    const widens = allows && (existed || attachesToExisting) && !principalsNew(s);
    const moved =
      widens && scope.stackStatementAdditions !== undefined && !scope.stackStatementAdditions.some((a) => a.equal(s));
    add(
      'iam-statement',
      widens && !moved,
      `${describeStatement(s, 'added')}${moved ? ' (moved: another policy of the stack granted the same before)' : ''}`,
    );
  }
  for (const s of diff.iamChanges.statements.removals) {
    add('iam-statement', effectOf(s) === 'Deny' && (carrierStays || targetsRemain), describeStatement(s, 'removed'));
  }
  for (const m of diff.iamChanges.managedPolicies.additions) {
    add('managed-policy', !isNew(placeholderIds(m.identityArn)), describeManagedPolicy(m, 'added'));
  }
  for (const m of diff.iamChanges.managedPolicies.removals) {
    add('managed-policy', false, describeManagedPolicy(m, 'removed'));
  }
  for (const r of diff.securityGroupChanges.ingress.additions) {
    add(
      'network-ingress',
      fromAnywhere(r) || !isNew(placeholderIds(r.groupId)),
      describeRule(r, id, 'ingress', 'added'),
    );
  }
  for (const r of diff.securityGroupChanges.ingress.removals) {
    add('network-ingress', false, describeRule(r, id, 'ingress', 'removed'));
  }
  for (const r of diff.securityGroupChanges.egress.additions) {
    add('network-egress', !isNew(placeholderIds(r.groupId)), describeRule(r, id, 'egress', 'added'));
  }
  for (const r of diff.securityGroupChanges.egress.removals) {
    add('network-egress', false, describeRule(r, id, 'egress', 'removed'));
  }
  const sameType = before !== undefined && after !== undefined && before.Type === after.Type;
  found.push(...publicAccess(sameType ? before : undefined, after));
  // What widens access first, so that a reviewer reads the risk before what narrows it.
  return found.sort(
    (a, b) =>
      KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
      Number(b.broadened) - Number(a.broadened) ||
      compare(a.description, b.description),
  );
}

function targetValues(resource: CfnResource, keys: readonly string[]): unknown[] {
  const properties = resource.Properties ?? {};
  return keys.flatMap((key) => {
    const value = properties[key];
    if (value === undefined) return [];
    return Array.isArray(value) ? value : [value];
  });
}

/** The effect as a plain string: `Allow`, `Deny`, or `Unknown` when it is an intrinsic. */
function effectOf(statement: IamStatement): string {
  return String(statement.effect);
}

/**
 * A value the library rendered, with references in angle brackets: `${TaskRole.Arn}/*` reads `<TaskRole>/*`, and
 * `{"Fn::ImportValue":"x:Group"}` reads `<imported x:Group>`.
 */
function readable(text: string): string {
  return text
    .replace(/\{"Fn::ImportValue":"([^"]+)"\}/g, (_match, name: string) => `<imported ${name}>`)
    .replace(/\$\{([^}]+)\}/g, (_match, inner: string) =>
      inner.startsWith('AWS::') ? `<${inner}>` : `<${inner.split('.')[0]}>`,
    );
}

/** `a`, `a and b`, `a, b and c`, `a, b and 12 more`: long lists stay one short line. */
export function listOf(values: readonly string[]): string {
  if (values.length <= 1) return values[0] ?? 'nothing';
  if (values.length <= 3) return `${values.slice(0, -1).join(', ')} and ${values[values.length - 1]}`;
  return `${values.slice(0, 2).join(', ')} and ${values.length - 2} more`;
}

function shorten(text: string, max = 80): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}

function principalName(principal: string): string {
  const bare = principal.replace(/^(AWS|Service|Federated|CanonicalUser):/, '');
  return bare === '*' ? 'anyone (*)' : readable(bare);
}

function describeStatement(s: IamStatement, change: 'added' | 'removed'): string {
  const effect = effectOf(s);
  if (effect !== 'Allow' && effect !== 'Deny') {
    const text = s.render();
    const shown = shorten(text.resource || `${text.action} ${text.resource}`.trim());
    return `${change === 'added' ? 'adds' : 'removes'} a policy statement the review cannot read: ${shown}`;
  }
  const verb = effect === 'Allow' ? 'allows' : 'denies';
  const actions = s.actions.not
    ? `every action except ${listOf(s.actions.values.map(readable))}`
    : listOf(s.actions.values.map(readable));
  const resources = s.resources.not
    ? `every resource except ${listOf(s.resources.values.map(readable))}`
    : listOf(s.resources.values.map(readable));
  const principals = s.principals.not
    ? `everyone except ${listOf(s.principals.values.map(principalName))}`
    : listOf(s.principals.values.map(principalName));
  const conditionKeys = isObject(s.condition)
    ? [...new Set(Object.values(s.condition).flatMap((c) => (isObject(c) ? Object.keys(c) : [])))].sort(compare)
    : [];
  const condition = conditionKeys.length > 0 ? ` (condition on ${listOf(conditionKeys)})` : '';
  return `${change === 'added' ? '' : 'no longer '}${verb} ${actions} on ${resources} to ${principals}${condition}`;
}

function describeManagedPolicy(m: ManagedPolicyAttachment, change: 'added' | 'removed'): string {
  const awsManaged = /:iam::aws:policy\/(.+)$/.exec(m.managedPolicyArn);
  const policy = awsManaged
    ? `the AWS managed policy ${awsManaged[1]}`
    : `the managed policy ${readable(m.managedPolicyArn)}`;
  return change === 'added'
    ? `attaches ${policy} to ${readable(m.identityArn)}`
    : `detaches ${policy} from ${readable(m.identityArn)}`;
}

const ANYWHERE = ['0.0.0.0/0', '::/0'];

function fromAnywhere(rule: SecurityGroupRule): boolean {
  return rule.peer?.kind === 'cidr-ip' && ANYWHERE.includes(rule.peer.ip);
}

function describeProtocol(rule: SecurityGroupRule): string {
  if (rule.ipProtocol === '-1') return 'all traffic';
  const protocol = /^\d+$/.test(rule.ipProtocol) ? `protocol ${rule.ipProtocol}` : rule.ipProtocol.toUpperCase();
  if (rule.fromPort === undefined || rule.fromPort === -1) return `all ${protocol}`;
  return rule.fromPort === rule.toPort || rule.toPort === undefined
    ? `${protocol} ${rule.fromPort}`
    : `${protocol} ${rule.fromPort}-${rule.toPort}`;
}

function describePeer(rule: SecurityGroupRule): string {
  const peer = rule.peer;
  if (peer === undefined) return 'an unreadable peer';
  if (peer.kind === 'cidr-ip')
    return ANYWHERE.includes(peer.ip) ? `${peer.ip}, anywhere (the internet)` : readable(peer.ip);
  if (peer.kind === 'security-group') return `the security group ${readable(peer.securityGroupId)}`;
  return `the prefix list ${readable(peer.prefixListId)}`;
}

function describeRule(
  rule: SecurityGroupRule,
  id: string,
  direction: 'ingress' | 'egress',
  change: 'added' | 'removed',
): string {
  const own = placeholderIds(rule.groupId)[0] === id;
  const group = own ? '' : ` on ${readable(rule.groupId)}`;
  const prefix = change === 'added' ? '' : 'no longer ';
  return direction === 'ingress'
    ? `${prefix}opens ${describeProtocol(rule)} from ${describePeer(rule)}${group}`
    : `${prefix}allows outbound ${describeProtocol(rule)} to ${describePeer(rule)}${group}`;
}

function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

function isFalse(value: unknown): boolean {
  return value === false || value === 'false';
}

function propertiesOf(resource: CfnResource | undefined): JsonObject {
  return resource?.Properties ?? {};
}

const PUBLIC_ACCESS_FLAGS = ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'];

/** Whether a resource gives out public IP addresses, by type, and how to say that it starts or stops. */
const PUBLIC_IP: Readonly<
  Record<string, { readonly on: (p: JsonObject) => boolean; readonly gained: string; readonly lost: string }>
> = {
  'AWS::EC2::Instance': {
    on: (p) => anyInterfacePublic(p.NetworkInterfaces),
    gained: 'the instance gets a public IP address',
    lost: 'the instance no longer gets a public IP address',
  },
  'AWS::EC2::LaunchTemplate': {
    on: (p) => isObject(p.LaunchTemplateData) && anyInterfacePublic(p.LaunchTemplateData.NetworkInterfaces),
    gained: 'instances launched from the template get a public IP address',
    lost: 'instances launched from the template no longer get a public IP address',
  },
  'AWS::EC2::Subnet': {
    on: (p) => isTrue(p.MapPublicIpOnLaunch),
    gained: 'every instance launched in the subnet gets a public IP address',
    lost: 'instances launched in the subnet no longer get a public IP address',
  },
};

function anyInterfacePublic(interfaces: unknown): boolean {
  return Array.isArray(interfaces) && interfaces.some((i) => isObject(i) && isTrue(i.AssociatePublicIpAddress));
}

/**
 * Public endpoints and public access settings: an internet-facing load balancer, a public IP address, a function
 * URL without authentication, S3 public access blocks turned off. `before` is undefined for a new resource.
 */
function publicAccess(before: CfnResource | undefined, after: CfnResource | undefined): SecurityChange[] {
  if (after === undefined) return [];
  const found: SecurityChange[] = [];
  const was = propertiesOf(before);
  const now = propertiesOf(after);
  switch (after.Type) {
    case 'AWS::ElasticLoadBalancingV2::LoadBalancer': {
      const scheme = (p: JsonObject): unknown => (p.Type === 'gateway' ? 'gateway' : (p.Scheme ?? 'internet-facing'));
      const from = before ? scheme(was) : undefined;
      const to = scheme(now);
      if (to === 'internet-facing' && from !== 'internet-facing') {
        const verb = before ? 'becomes' : 'is created';
        found.push({
          kind: 'public-endpoint',
          broadened: true,
          description: `the load balancer ${verb} internet-facing: reachable from the internet`,
        });
      } else if (from === 'internet-facing' && to === 'internal') {
        found.push({ kind: 'public-endpoint', broadened: false, description: 'the load balancer becomes internal' });
      }
      break;
    }
    case 'AWS::S3::Bucket': {
      const flag = (p: JsonObject, name: string): unknown =>
        isObject(p.PublicAccessBlockConfiguration) ? p.PublicAccessBlockConfiguration[name] : undefined;
      const off = before
        ? PUBLIC_ACCESS_FLAGS.filter((f) => isTrue(flag(was, f)) && !isTrue(flag(now, f)))
        : PUBLIC_ACCESS_FLAGS.filter((f) => isFalse(flag(now, f)));
      const on = before ? PUBLIC_ACCESS_FLAGS.filter((f) => !isTrue(flag(was, f)) && isTrue(flag(now, f))) : [];
      if (off.length > 0) {
        const what = before ? 'the bucket stops blocking public access' : 'the new bucket does not block public access';
        found.push({ kind: 'public-network-access', broadened: true, description: `${what}: ${listOf(off)} off` });
      }
      if (on.length > 0) {
        found.push({
          kind: 'public-network-access',
          broadened: false,
          description: `the bucket blocks public access again: ${listOf(on)} on`,
        });
      }
      break;
    }
    case 'AWS::Lambda::Url': {
      if (now.AuthType === 'NONE' && was.AuthType !== 'NONE') {
        found.push({
          kind: 'public-endpoint',
          broadened: true,
          description:
            'the function URL needs no authentication (AuthType NONE): anyone who has it can call the function',
        });
      } else if (before && was.AuthType === 'NONE' && now.AuthType !== 'NONE') {
        found.push({
          kind: 'public-endpoint',
          broadened: false,
          description: 'the function URL requires IAM authentication',
        });
      }
      break;
    }
    default: {
      const publicIp = PUBLIC_IP[after.Type];
      if (publicIp === undefined) break;
      const from = before !== undefined && publicIp.on(was);
      const to = publicIp.on(now);
      if (to && !from) found.push({ kind: 'public-endpoint', broadened: true, description: publicIp.gained });
      if (from && !to) found.push({ kind: 'public-endpoint', broadened: false, description: publicIp.lost });
    }
  }
  return found;
}
