import { Stack, Token } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { AWS_SERVER_HEALTH_METRIC } from './server-alarms';
import {
  ANSIBLE_LOG_PATH,
  ansibleIssues,
  type AnsibleSpec,
  checkProps,
  CONFIGURATION_PATHS,
  configurationHash,
  formatIssue,
  IssueCollector,
  joinPath,
  OPERATING_SYSTEM_IMAGES,
  type OperatingSystem,
  parseGitHubUrl,
  PLATFORM_PREFIX,
  renderApplier,
  SERVER_TAG,
  serverMetricNamespace,
  shellQuote,
} from '../core';

/** Props of {@link ConfigurationManagement}. */
export interface ConfigurationManagementProps {
  /** The environment name. */
  readonly environment: string;
  /** The server definition's name. */
  readonly server: string;
  /** The operating system, which decides the system log shipped. */
  readonly os: OperatingSystem;
  /** The rendered cloud-config (`renderCloudInit`). */
  readonly cloudConfig: string;
  /** The log group configuration, agent and Ansible output go to, by name. */
  readonly logGroupName: string;
  /**
   * An Ansible playbook run on a schedule.
   * @default - no playbook
   */
  readonly ansible?: AnsibleSpec;
  /**
   * Turn on the agent's StatsD listener on the loopback ({@link withStatsdListener}), for the health probe's
   * reports; part of the configuration's hash, so turning it on or off re-runs the association.
   * @default false
   */
  readonly statsd?: boolean;
}

/**
 * Configuration management of one server definition on AWS, through Systems Manager State Manager, targeting
 * its instances by their `platform:server` tag (so new instances are configured as soon as their agent
 * registers):
 * - a Command document that installs and configures the CloudWatch agent (memory and disk metrics; the
 *   configuration, Ansible and system logs into the environment's log group), then applies the cloud-config
 *   with cloud-init on the running server, and an association that runs it. The association carries the
 *   configuration's hash as a parameter, so a changed configuration updates the association, and State
 *   Manager runs an updated association at once: the change reaches running servers without a restart or a
 *   replacement (a user-data change would stop and start the instance, and cloud-init would not re-run).
 * - when a playbook is given, an association of AWS-ApplyAnsiblePlaybooks on its schedule.
 */
export class ConfigurationManagement extends Construct {
  /** The document that configures the agent and applies the configuration. */
  public readonly document: ssm.CfnDocument;
  /** The association that runs it on every instance of the definition. */
  public readonly association: ssm.CfnAssociation;
  /** The CloudWatch agent's configuration, read by the agent from Parameter Store. */
  public readonly agentConfiguration: ssm.CfnParameter;
  /** The Ansible association, when a playbook is given. */
  public readonly ansibleAssociation?: ssm.CfnAssociation;

  constructor(scope: Construct, id: string, props: ConfigurationManagementProps) {
    super(scope, id);
    checkProps('ConfigurationManagement', this.node.path, props, {
      environment: { kind: 'string', allowed: 'the environment name' },
      server: { kind: 'string', allowed: 'the server definition name' },
      os: { kind: 'string', allowed: 'the operating system' },
      cloudConfig: { kind: 'string', allowed: 'the rendered cloud-config (renderCloudInit)' },
      logGroupName: { kind: 'string', allowed: 'the log group configuration output goes to' },
      ansible: {
        kind: 'object',
        optional: true,
        allowed: 'an Ansible playbook: { repository, ref, playbook, everyMinutes }',
      },
      statsd: { kind: 'boolean', optional: true, allowed: "true to turn on the agent's StatsD listener" },
    });
    validateConfigurationManagementProps(props);
    const base = `${PLATFORM_PREFIX}-${props.environment}-${props.server}`;
    const targets = [{ key: `tag:${SERVER_TAG}`, values: [`${props.environment}-${props.server}`] }];
    const rendered = renderAgentConfiguration(
      props.os,
      props.logGroupName,
      serverMetricNamespace(props.environment, props.server),
    );
    const agentConfig = props.statsd === true ? withStatsdListener(rendered) : rendered;
    this.agentConfiguration = new ssm.CfnParameter(this, 'AgentConfiguration', {
      name: `AmazonCloudWatch-${base}`,
      type: 'String',
      value: agentConfig,
      description: `CloudWatch agent configuration of ${base}`,
    });
    // Hash the agent configuration as deployed: a token's placeholder text numbers tokens across the whole app,
    // so it would change whenever something else in the app does, and re-run the association for nothing.
    const deployed: unknown = Stack.of(this).resolve(agentConfig);
    const hash = configurationHash(
      `${props.cloudConfig}\n${typeof deployed === 'string' ? deployed : JSON.stringify(deployed)}`,
    );
    this.document = new ssm.CfnDocument(this, 'Document', {
      name: `${base}-configuration`,
      documentType: 'Command',
      documentFormat: 'JSON',
      // A new version on every change keeps the name (and the association pointing at it) stable.
      updateMethod: 'NewVersion',
      content: renderConfigurationDocument(props.cloudConfig, this.agentConfiguration.ref),
    });
    this.association = new ssm.CfnAssociation(this, 'Association', {
      name: this.document.ref,
      associationName: `${base}-configuration`,
      documentVersion: '$LATEST',
      targets,
      parameters: { configurationHash: [hash] },
      complianceSeverity: 'HIGH',
      maxConcurrency: '50%',
      maxErrors: '25%',
    });
    if (props.ansible) {
      this.ansibleAssociation = new ssm.CfnAssociation(this, 'AnsibleAssociation', {
        name: 'AWS-ApplyAnsiblePlaybooks',
        associationName: `${base}-ansible`,
        targets,
        scheduleExpression: renderRate(props.ansible.everyMinutes),
        complianceSeverity: props.ansible.complianceSeverity.toUpperCase(),
        maxConcurrency: '50%',
        maxErrors: '25%',
        parameters: renderAnsibleParameters(props.ansible),
      });
      // The playbook runs on a configured server: its log file and ansible.cfg come with the configuration.
      this.ansibleAssociation.addResourceDependency(this.association);
    }
  }
}

/** A State Manager rate expression for a whole number of minutes (in hours or days where it divides). */
export function renderRate(minutes: number): string {
  if (minutes % 1440 === 0) return `rate(${minutes / 1440} day${minutes === 1440 ? '' : 's'})`;
  if (minutes % 60 === 0) return `rate(${minutes / 60} hour${minutes === 60 ? '' : 's'})`;
  return `rate(${minutes} minutes)`;
}

/** A playbook path AWS-ApplyAnsiblePlaybooks accepts (its `PlaybookFile` pattern) and cannot read as an option. */
const DOCUMENT_PLAYBOOK = /^[A-Za-z0-9._][A-Za-z0-9._/-]*\.ya?ml$/;

/**
 * The parameters of AWS-ApplyAnsiblePlaybooks for a GitHub repository: the document downloads the repository,
 * installs Ansible when missing, and runs the playbook; ansible.cfg (from the configuration) sends Ansible's
 * log to ANSIBLE_LOG_PATH, which the CloudWatch agent ships. The document builds its own command lines from the
 * values, unquoted and with no `--`: the ref goes into `getOptions` as `branch:<ref>` (split at `:`, trimmed,
 * then sent to GitHub) and the playbook into a bash script, then last on `ansible-playbook`'s command line. No
 * quoting reaches those, so values that could be read as anything else are refused ({@link ansibleIssues}, and a
 * playbook that begins with `-` or does not end in .yml or .yaml).
 * @throws Error naming each value refused: a repository not on github.com (the document reads GitHub only), a ref
 * or playbook it cannot carry as data, a schedule that is not a whole number of minutes
 */
export function renderAnsibleParameters(ansible: AnsibleSpec): Record<string, string[]> {
  const github = parseGitHubUrl(ansible.repository);
  const issues = new IssueCollector();
  // Every github.com URL also passes the repository rule of ansibleIssues: the GitHub rule is the one to report.
  if (!github) {
    issues.add(
      'repository',
      ansible.repository,
      'an https://github.com/<owner>/<repository> URL (AWS-ApplyAnsiblePlaybooks reads GitHub)',
    );
  }
  issues.addAll(ansibleIssues(ansible).filter((i) => i.path !== 'repository'));
  if (!issues.issues.some((i) => i.path === 'playbook') && !DOCUMENT_PLAYBOOK.test(ansible.playbook)) {
    issues.add(
      'playbook',
      ansible.playbook,
      'a path ending in .yml or .yaml and not starting with - (AWS-ApplyAnsiblePlaybooks puts it after the options of ansible-playbook, with no -- before it)',
    );
  }
  if (!github || issues.issues.length > 0) {
    throw new Error(issues.issues.map((i) => formatIssue({ ...i, path: joinPath('ansible', i.path) })).join('; '));
  }
  return {
    SourceType: ['GitHub'],
    SourceInfo: [
      JSON.stringify({
        owner: github.owner,
        repository: github.repository,
        path: '',
        getOptions: `branch:${ansible.ref}`,
      }),
    ],
    InstallDependencies: ['True'],
    PlaybookFile: [ansible.playbook],
    ExtraVariables: ['SSM=True'],
    Check: ['False'],
    Verbose: ['-v'],
    TimeoutSeconds: ['3600'],
  };
}

/**
 * The CloudWatch agent's configuration: CPU, memory and root-disk use per instance (in the definition's own
 * namespace, dimensions InstanceId, and path and fstype for the disk: the alarms use the same), and the library's logs, cloud-init's
 * output and the system log into the environment's log group, one stream per instance and source.
 */
export function renderAgentConfiguration(os: OperatingSystem, logGroupName: string, namespace: string): string {
  const image = OPERATING_SYSTEM_IMAGES[os];
  const file = (path: string, stream: string): Record<string, string> => ({
    file_path: path,
    log_group_name: logGroupName,
    log_stream_name: `{instance_id}/${stream}`,
  });
  const files = [
    file(`${CONFIGURATION_PATHS.logDirectory}/configure.log`, 'configure'),
    file(ANSIBLE_LOG_PATH, 'ansible'),
    file('/var/log/cloud-init-output.log', 'cloud-init'),
    ...(image.systemLog ? [file(image.systemLog, 'syslog')] : []),
  ];
  return JSON.stringify({
    agent: { metrics_collection_interval: 60, omit_hostname: true },
    metrics: {
      namespace,
      append_dimensions: { InstanceId: '${aws:InstanceId}' },
      metrics_collected: {
        cpu: { measurement: ['usage_active'], totalcpu: true },
        mem: { measurement: ['mem_used_percent'] },
        disk: { measurement: ['used_percent'], resources: ['/'], drop_device: true },
      },
    },
    logs: { logs_collected: { files: { collect_list: files } } },
  });
}

/**
 * The Command document: install the CloudWatch agent (AWS-ConfigureAWSPackage), configure it from Parameter
 * Store (AmazonCloudWatch-ManageAgent), then write the applier and the cloud-config and apply it. Both texts
 * are embedded base64, quoted for the shell ({@link shellQuote}), so nothing in them can break the command lines.
 */
export function renderConfigurationDocument(cloudConfig: string, agentParameterName: string): Record<string, unknown> {
  const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
  const p = CONFIGURATION_PATHS;
  return {
    schemaVersion: '2.2',
    description: 'Installs and configures the CloudWatch agent, then applies the cloud-config (platform-constructs).',
    parameters: {
      configurationHash: {
        type: 'String',
        description: 'SHA-256 of the configuration; a new value makes State Manager apply the association again.',
        default: '',
      },
    },
    mainSteps: [
      {
        action: 'aws:runDocument',
        name: 'installAgent',
        inputs: {
          documentType: 'SSMDocument',
          documentPath: 'AWS-ConfigureAWSPackage',
          documentParameters: { action: 'Install', name: 'AmazonCloudWatchAgent' },
        },
      },
      {
        action: 'aws:runDocument',
        name: 'configureAgent',
        inputs: {
          documentType: 'SSMDocument',
          documentPath: 'AmazonCloudWatch-ManageAgent',
          documentParameters: {
            action: 'configure',
            mode: 'ec2',
            optionalConfigurationSource: 'ssm',
            optionalConfigurationLocation: agentParameterName,
            optionalRestart: 'yes',
          },
        },
      },
      {
        action: 'aws:runShellScript',
        name: 'applyConfiguration',
        inputs: {
          timeoutSeconds: '3600',
          runCommand: [
            'set -eu',
            `mkdir -p /var/lib/platform ${p.logDirectory}`,
            `echo ${shellQuote(b64(renderApplier()))} | base64 -d > ${p.applier}.new`,
            `chmod 0755 ${p.applier}.new && mv ${p.applier}.new ${p.applier}`,
            `echo ${shellQuote(b64(cloudConfig))} | base64 -d > ${p.incoming}`,
            `${p.applier} ${p.incoming}`,
          ],
        },
      },
    ],
  };
}

/**
 * The environment and server names become the names of the document, the associations and the agent's parameter,
 * which AmazonCloudWatch-ManageAgent splices, unquoted by us, into its own script: they may hold only what those
 * names allow, letters, digits and `_.-`.
 */
function validateConfigurationManagementProps(props: ConfigurationManagementProps): void {
  const issues = new IssueCollector();
  for (const key of ['environment', 'server'] as const) {
    const value = props[key];
    if (!Token.isUnresolved(value) && !/^[A-Za-z0-9_.-]+$/.test(value)) {
      issues.add(key, value, 'letters, digits and _ . - (it names an SSM document, associations and a parameter)');
    }
  }
  issues.throwIfAny('Invalid ConfigurationManagement props');
}

/**
 * A CloudWatch agent configuration (JSON, as `renderAgentConfiguration` renders it) with the agent's StatsD
 * listener on the loopback (AWS_SERVER_HEALTH_METRIC's address), collecting and aggregating every 60 seconds:
 * its metrics go to the configuration's namespace with its appended dimensions (InstanceId), as the agent's own
 * metrics do. Pure; tokens inside the text (a log group's name) are kept as they are.
 */
export function withStatsdListener(agentConfiguration: string): string {
  const config = JSON.parse(agentConfiguration) as {
    metrics?: { metrics_collected?: Record<string, unknown> };
  };
  const { statsdHost, statsdPort } = AWS_SERVER_HEALTH_METRIC;
  const statsd = {
    service_address: `${statsdHost}:${statsdPort}`,
    metrics_collection_interval: 60,
    metrics_aggregation_interval: 60,
  };
  return JSON.stringify({
    ...config,
    metrics: { ...config.metrics, metrics_collected: { ...config.metrics?.metrics_collected, statsd } },
  });
}
