import { compare } from '../review/aws-template';
import { countChanges, type EnvironmentReview, type ResourceChange } from '../review/model';
import { CHANGE_STYLES } from '../review/palette';
import { callout, code, escapeHtml, legend, longText, num, page, plural, table, type Cell } from './html';
import type { Acknowledgement, CloudReport, DiagramNode, EnvironmentReport, PlatformReport } from './model';

export { escapeHtml } from './html';

const CLOUD_NAMES = { aws: 'AWS', azure: 'Azure' } as const;

/** The sections of a cloud on an environment's page, in page order: ids are `<cloud>-<section>`. */
export const SECTIONS = ['diagram', 'review', 'alarms', 'checks', 'backup', 'findings', 'differences'] as const;

/** One section of a cloud on an environment's page. */
export type Section = (typeof SECTIONS)[number];

/** The file of an environment's page: `prod.html`. */
export function pageFile(environment: string): string {
  return `${environment.replace(/[^A-Za-z0-9_-]/g, '-')}.html`;
}

/** The sections a cloud's part of a page has: `review` only with `--base`. */
export function sectionsOf(cloud: CloudReport): Section[] {
  return SECTIONS.filter((s) => s !== 'review' || cloud.review !== undefined);
}

/** The header: every page, and on an environment's page every section of each cloud. */
function navigation(report: PlatformReport, current?: EnvironmentReport): string {
  const pages = [
    `<li><a href="index.html"${current === undefined ? ' aria-current="page"' : ''}>Overview</a></li>`,
    ...report.environments.map(
      (env) =>
        `<li><a href="${pageFile(env.environment)}"${current === env ? ' aria-current="page"' : ''}>${escapeHtml(env.environment)}</a></li>`,
    ),
  ];
  const parts = [`<nav aria-label="Pages"><ul>${pages.join('')}</ul></nav>`];
  if (current) {
    const sections = current.clouds.map(
      (cloud) =>
        `<ul><li class="label"><a href="#${cloud.cloud}">${CLOUD_NAMES[cloud.cloud]}</a>:</li>${sectionsOf(cloud)
          .map((s) => `<li><a href="#${cloud.cloud}-${s}">${s}</a></li>`)
          .join('')}</ul>`,
    );
    parts.push(`<nav aria-label="Sections">${sections.join('')}</nav>`);
  }
  return parts.join('\n');
}

function generatedFrom(report: PlatformReport): string {
  return `<p class="meta">From ${escapeHtml(report.generatedFrom.head)}${
    report.generatedFrom.base ? `, reviewed against ${escapeHtml(report.generatedFrom.base)}` : ''
  }.</p>`;
}

function foldedText(node: DiagramNode): string {
  return Object.entries(node.folded)
    .sort(([a], [b]) => compare(a, b))
    .map(([type, count]) => `${type} ${count}`)
    .join(', ');
}

function changeWords(node: DiagramNode): string {
  return [
    node.change === undefined ? '' : CHANGE_STYLES[node.change].legend,
    node.dataLoss ? 'loses data' : '',
    node.broadened ? 'widens access' : '',
  ]
    .filter((w) => w)
    .join(', ');
}

function diagramSection(env: EnvironmentReport, cloud: CloudReport): string {
  const id = cloud.cloud;
  const nodes = cloud.diagram.groups.flatMap((g) => g.nodes);
  const where = `${env.environment} on ${CLOUD_NAMES[cloud.cloud]}`;
  const rows = nodes.map((node): (string | Cell)[] => [
    escapeHtml(node.group),
    escapeHtml(node.label),
    escapeHtml(node.category),
    num(node.resources.length),
    node.repeated > 1 ? escapeHtml(`${node.repeated}: ${node.members.join(', ')}`) : '1',
    escapeHtml(foldedText(node)),
    escapeHtml(changeWords(node)),
  ]);
  return [
    `<h3 id="${id}-diagram">Diagram</h3>`,
    '<figure class="diagram">',
    cloud.svg.trim(),
    `<figcaption>${escapeHtml(
      `${where}: ${cloud.resourceCount} resources drawn as ${nodes.length} components in ${cloud.diagram.groups.length} groups. Arrows are references; supporting resources (alarms, policies ...) are counted inside their component. The same components are listed as a table below.`,
    )}</figcaption>`,
    '</figure>',
    ...(cloud.review ? [legend()] : []),
    `<details><summary>The diagram as a table (${plural(nodes.length, 'component')})</summary>`,
    table(
      `Components of ${where}`,
      ['Group', 'Component', 'Kind', 'Resources', 'Repeated', 'Supporting resources', 'Change'],
      rows,
    ),
    '</details>',
  ].join('\n');
}

function risksText(change: ResourceChange): string {
  return [
    change.dataLoss ? `loses data${change.consequence ? `: ${change.consequence}` : ''}` : '',
    ...change.security.filter((s) => s.broadened).map((s) => `widens access: ${s.description}`),
    ...change.acknowledgements.map((a) => `acknowledged (${a.risk}): ${a.reason}`),
    ...change.notes,
  ]
    .filter((t) => t)
    .join('; ');
}

/** The review's changes, data loss first, then widened access, then the rest in the review's order. */
function byRisk(changes: readonly ResourceChange[]): ResourceChange[] {
  const rank = (c: ResourceChange): number => (c.dataLoss ? 0 : c.security.some((s) => s.broadened) ? 1 : 2);
  return changes
    .map((c, i) => ({ c, i }))
    .sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i)
    .map(({ c }) => c);
}

function reviewSection(report: PlatformReport, cloud: CloudReport, review: EnvironmentReview): string {
  const id = cloud.cloud;
  const counts = countChanges(review);
  const loss = review.changes.filter((c) => c.dataLoss);
  const access = review.changes.filter((c) => c.security.some((s) => s.broadened));
  const names = (changes: readonly ResourceChange[]): string =>
    changes
      .map((c) => `${code(`${c.stack}/${c.id}`)}${c.acknowledged ? ' (acknowledged)' : ' (not acknowledged)'}`)
      .join(', ');
  const parts = [`<h3 id="${id}-review">Review against ${escapeHtml(report.generatedFrom.base ?? 'the base')}</h3>`];
  if (loss.length > 0)
    parts.push(
      callout(
        'loss',
        'Data loss:',
        `${plural(loss.length, 'change')} ${loss.length === 1 ? 'replaces or destroys' : 'replace or destroy'} a resource that holds data: ${names(loss)}.`,
      ),
    );
  if (access.length > 0)
    parts.push(
      callout(
        'access',
        'Access widens:',
        `${plural(access.length, 'change')} ${access.length === 1 ? 'widens' : 'widen'} who or what may reach a resource: ${names(access)}.`,
      ),
    );
  for (const blocker of review.blockers) parts.push(callout('loss', 'Cannot deploy:', escapeHtml(blocker.message)));
  if (loss.length === 0 && access.length === 0 && review.blockers.length === 0)
    parts.push(callout('none', 'No data loss, no access widened.', 'Nothing blocks the deployment.'));
  parts.push(
    `<p>${counts.created} created, ${counts.updated} updated, ${counts.replaced} replaced, ${counts.destroyed} destroyed, ${counts.orphaned} orphaned; ${counts.unacknowledged} with a risk nobody acknowledged.</p>`,
  );
  parts.push(
    table(
      'Every change, data loss and widened access first',
      ['Change', 'Resource', 'Type', 'Risks, acknowledgements and notes'],
      byRisk(review.changes).map((c) => [
        escapeHtml(`${CHANGE_STYLES[c.action].tag} ${CHANGE_STYLES[c.action].legend}`),
        code(`${c.stack}/${c.id}`),
        escapeHtml(c.type),
        escapeHtml(risksText(c)),
      ]),
      'No resource changes.',
    ),
  );
  if (review.unusedAcknowledgements.length > 0)
    parts.push(
      table(
        'Acknowledgements that applied to no change',
        ['Resource', 'Risk', 'Reason', 'Why it did not apply'],
        review.unusedAcknowledgements.map((u) => [
          code(`${u.stack}/${u.id}`),
          escapeHtml(u.risk),
          escapeHtml(u.reason),
          escapeHtml(u.why),
        ]),
      ),
    );
  return parts.join('\n');
}

function alarmsSection(env: EnvironmentReport, cloud: CloudReport): string {
  const critical = cloud.alarms.filter((a) => a.severity === 'critical').length;
  return [
    `<h3 id="${cloud.cloud}-alarms">Alarms</h3>`,
    `<p>${plural(cloud.alarms.length, 'alarm')}, ${critical} critical. Severity, meaning and first response are the alarm's own description.</p>`,
    table(
      `Alarms of ${env.environment} on ${CLOUD_NAMES[cloud.cloud]}`,
      ['Alarm', 'Severity', 'Measures', 'Fires when', 'Routed to', 'What it means', 'First response'],
      cloud.alarms.map((a) => [
        { html: code(a.id), className: 'name' },
        { html: escapeHtml(a.severity), className: `severity-${a.severity.replace(/[^a-z]/g, '')}` },
        { html: longText(a.measures), className: 'measure' },
        { html: escapeHtml(a.threshold), className: 'when' },
        { html: a.routedTo.map((r) => code(r)).join('<br>') || 'nowhere', className: 'route' },
        { html: escapeHtml(a.description), className: 'wide' },
        { html: escapeHtml(a.firstResponse ?? ''), className: 'wide' },
      ]),
      'No alarms.',
    ),
  ].join('\n');
}

function checksSection(env: EnvironmentReport, cloud: CloudReport): string {
  return [
    `<h3 id="${cloud.cloud}-checks">Checks</h3>`,
    table(
      `Synthetic checks of ${env.environment} on ${CLOUD_NAMES[cloud.cloud]}`,
      ['Check', 'Kind', 'Calls', 'Runs'],
      cloud.checks.map((c) => [code(c.name), escapeHtml(c.kind), code(c.target), escapeHtml(c.schedule)]),
      'No synthetic checks.',
    ),
  ].join('\n');
}

function backupSection(cloud: CloudReport): string {
  const parts = [`<h3 id="${cloud.cloud}-backup">Backup</h3>`];
  if (cloud.backup.length === 0) parts.push('<p>No backup plan.</p>');
  for (const plan of cloud.backup) {
    const facts = [
      `Protects ${escapeHtml(plan.selection)}.`,
      `Vault ${code(plan.vault)}${plan.lock ? `: ${escapeHtml(plan.lock)}` : ', no lock'}.`,
      ...(plan.restoreTest ? [`Restore test: ${escapeHtml(plan.restoreTest)}.`] : []),
    ];
    parts.push(`<p>${facts.join('<br>')}</p>`);
    parts.push(
      table(
        `Backup plan ${plan.plan}`,
        ['Rule', 'When', 'Kept', 'Cold storage after', 'Copied to'],
        plan.rules.map((r) => [
          escapeHtml(r.name),
          escapeHtml(r.schedule),
          escapeHtml(r.retention),
          escapeHtml(r.coldAfter ?? '-'),
          escapeHtml(r.copyTo ?? '-'),
        ]),
        `Backup plan ${plan.plan} has no rules.`,
      ),
    );
  }
  return parts.join('\n');
}

/** Acknowledgements with the same kind, rule and reason, listed once with the resources they are on. */
function groupedAcknowledgements(acknowledgements: readonly Acknowledgement[]): (string | Cell)[][] {
  const groups = new Map<string, { ack: Acknowledgement; resources: string[] }>();
  for (const ack of acknowledgements) {
    const key = `${ack.kind}\u0000${ack.rule}\u0000${ack.reason}`;
    const group = groups.get(key) ?? { ack, resources: [] };
    group.resources.push(ack.resource);
    groups.set(key, group);
  }
  return [...groups.values()]
    .sort(
      (a, b) =>
        compare(a.ack.kind, b.ack.kind) || compare(a.ack.rule, b.ack.rule) || compare(a.ack.reason, b.ack.reason),
    )
    .map(({ ack, resources }) => [
      escapeHtml(ack.kind),
      { html: code(ack.rule), className: 'rule' },
      escapeHtml(ack.reason),
      resources.length === 1
        ? code(resources[0])
        : `<details><summary>${resources.length} resources</summary>${resources.map((r) => code(r)).join('<br>')}</details>`,
    ]);
}

function findingsSection(env: EnvironmentReport, cloud: CloudReport): string {
  const where = `${env.environment} on ${CLOUD_NAMES[cloud.cloud]}`;
  const parts = [`<h3 id="${cloud.cloud}-findings">Guardrail findings and acknowledgements</h3>`];
  if (cloud.findings === undefined) {
    parts.push('<p>The guardrails were not run for this report.</p>');
  } else {
    const open = cloud.findings.filter((f) => f.acknowledgedBy === undefined);
    const errors = open.filter((f) => f.severity === 'error');
    parts.push(
      `<p>${plural(cloud.findings.length, 'finding')}: ${plural(errors.length, 'unacknowledged error')}, ${plural(
        open.length - errors.length,
        'warning',
      )}, ${cloud.findings.length - open.length} acknowledged (their reasons are below).</p>`,
    );
    parts.push(
      table(
        `Findings of ${where} nobody acknowledged`,
        ['Rule', 'Severity', 'Resource', 'Finding'],
        open.map((f) => [
          code(f.rule),
          escapeHtml(f.severity),
          code(`${f.stack}/${f.resource}`),
          escapeHtml(f.message),
        ]),
        'No finding is left unacknowledged.',
      ),
    );
  }
  const kinds = (kind: Acknowledgement['kind']): number => cloud.acknowledgements.filter((a) => a.kind === kind).length;
  parts.push(
    `<p>${plural(cloud.acknowledgements.length, 'acknowledgement')} in the code: ${kinds('guardrail')} of guardrail rules that do not apply where they are, ${kinds('change')} of change risks the review accepts. Each says why it is safe.</p>`,
  );
  parts.push(
    table(
      `Acknowledgements of ${where}, by rule and reason`,
      ['Kind', 'Rule or risk', 'Reason', 'Where'],
      groupedAcknowledgements(cloud.acknowledgements),
      'No acknowledgements.',
    ),
  );
  return parts.join('\n');
}

function differencesSection(env: EnvironmentReport, cloud: CloudReport): string {
  const id = cloud.cloud;
  const parts = [`<h3 id="${id}-differences">Differences from the previous environment</h3>`];
  if (!cloud.between) {
    parts.push('<p>The first environment on the list: nothing to compare with.</p>');
    return parts.join('\n');
  }
  const from = cloud.between.from;
  const changes = cloud.between.review.changes;
  const counts = countChanges(cloud.between.review);
  const differ = changes.filter((c) => c.action !== 'create' && c.action !== 'destroy' && c.action !== 'orphan');
  parts.push(
    `<p>Compared with <a href="${pageFile(from)}#${id}">${escapeHtml(from)}</a>, names, accounts, regions and addresses set aside: ${counts.created} only in ${escapeHtml(env.environment)}, ${counts.destroyed} only in ${escapeHtml(from)}, ${differ.length} configured differently.</p>`,
  );
  const rows = (list: readonly ResourceChange[], withProperties: boolean): string[][] =>
    list.map((c) => [
      code(`${c.stack}/${c.id}`),
      escapeHtml(c.path ?? ''),
      escapeHtml(c.type),
      ...(withProperties ? [escapeHtml(c.properties.map((p) => p.path).join(', '))] : []),
    ]);
  parts.push(`<h4>Only in ${escapeHtml(env.environment)} (${counts.created})</h4>`);
  parts.push(
    table(
      `Resources ${env.environment} has and ${from} lacks`,
      ['Resource', 'Construct path', 'Type'],
      rows(
        changes.filter((c) => c.action === 'create'),
        false,
      ),
      'None.',
    ),
  );
  parts.push(`<h4>Only in ${escapeHtml(from)} (${counts.destroyed})</h4>`);
  parts.push(
    table(
      `Resources ${from} has and ${env.environment} lacks`,
      ['Resource', 'Construct path', 'Type'],
      rows(
        changes.filter((c) => c.action === 'destroy'),
        false,
      ),
      'None.',
    ),
  );
  parts.push(`<h4>Configured differently (${differ.length})</h4>`);
  parts.push(
    table(
      `Resources of both, configured differently`,
      ['Resource', 'Construct path', 'Type', 'Properties that differ'],
      rows(differ, true),
      'None.',
    ),
  );
  return parts.join('\n');
}

function cloudSection(report: PlatformReport, env: EnvironmentReport, cloud: CloudReport): string {
  const id = cloud.cloud;
  return [
    `<section aria-labelledby="${id}">`,
    `<h2 id="${id}">${CLOUD_NAMES[cloud.cloud]}</h2>`,
    `<p class="meta">${plural(cloud.resourceCount, 'resource')} · ${plural(cloud.alarms.length, 'alarm')} · ${plural(
      cloud.checks.length,
      'check',
    )} · ${plural(cloud.backup.length, 'backup plan')} · ${plural(cloud.acknowledgements.length, 'acknowledgement')}</p>`,
    diagramSection(env, cloud),
    ...(cloud.review ? [reviewSection(report, cloud, cloud.review)] : []),
    alarmsSection(env, cloud),
    checksSection(env, cloud),
    backupSection(cloud),
    findingsSection(env, cloud),
    differencesSection(env, cloud),
    '</section>',
  ].join('\n');
}

function environmentPage(report: PlatformReport, env: EnvironmentReport): string {
  const body = [
    `<h1>${escapeHtml(env.environment)}${env.tier ? ` <span class="muted">(${escapeHtml(env.tier)} tier)</span>` : ''}</h1>`,
    generatedFrom(report),
    ...env.clouds.map((cloud) => cloudSection(report, env, cloud)),
  ].join('\n');
  return page(`${env.environment}: platform report`, navigation(report, env), body);
}

function indexPage(report: PlatformReport): string {
  const withReview = report.generatedFrom.base !== undefined;
  const rows = report.environments.flatMap((env) =>
    env.clouds.map((cloud): (string | Cell)[] => {
      const file = pageFile(env.environment);
      const link = (section: string, html: string): string => `<a href="${file}#${cloud.cloud}-${section}">${html}</a>`;
      const open = cloud.findings?.filter((f) => f.acknowledgedBy === undefined).length;
      const acknowledged = cloud.findings?.filter((f) => f.acknowledgedBy !== undefined).length;
      const between = cloud.between ? countChanges(cloud.between.review) : undefined;
      const differ = cloud.between?.review.changes.filter(
        (c) => !['create', 'destroy', 'orphan'].includes(c.action),
      ).length;
      const review = cloud.review ? countChanges(cloud.review) : undefined;
      return [
        `<a href="${file}#${cloud.cloud}">${escapeHtml(`${env.environment} on ${CLOUD_NAMES[cloud.cloud]}`)}</a>`,
        escapeHtml(env.tier ?? '-'),
        link('diagram', String(cloud.resourceCount)),
        link('alarms', String(cloud.alarms.length)),
        link('checks', String(cloud.checks.length)),
        link('backup', String(cloud.backup.length)),
        open === undefined
          ? link('findings', 'not run')
          : link('findings', `${open} open, ${acknowledged} acknowledged`),
        link('findings', String(cloud.acknowledgements.length)),
        between && cloud.between
          ? link(
              'differences',
              escapeHtml(
                `${between.created} more, ${between.destroyed} fewer, ${differ} different from ${cloud.between.from}`,
              ),
            )
          : '-',
        ...(withReview
          ? [
              review
                ? link(
                    'review',
                    escapeHtml(
                      `${review.created} created, ${review.updated} updated, ${review.replaced} replaced, ${review.destroyed} destroyed; data loss: ${review.dataLoss}, access widened: ${review.security}`,
                    ),
                  )
                : 'no change',
            ]
          : []),
      ];
    }),
  );
  const headers = [
    'Environment',
    'Tier',
    'Resources',
    'Alarms',
    'Checks',
    'Backup plans',
    'Findings',
    'Acknowledgements',
    'Differences from the previous',
    ...(withReview ? ['Review'] : []),
  ];
  const body = [
    '<h1>Platform report</h1>',
    generatedFrom(report),
    '<h2 id="environments">Environments</h2>',
    table('Every environment on every cloud; each number links to its section', headers, rows, 'No environment.'),
    '<h2 id="legend">Reading the diagrams</h2>',
    '<p>Each box is a component: a group (network, monitoring, backup ...) or one member of a collection (a server, a service, a job, a check). Members alike are drawn once with their number (<code>services ×98</code>). Alarms, policies and other supporting resources are counted inside their component. Arrows are references (<code>Ref</code>, <code>Fn::GetAtt</code>, imports, Terraform interpolations); dashed arrows are explicit dependencies. With <code>--base</code>, a component takes the colour, outline and tag of its most severe change:</p>',
    legend(),
  ].join('\n');
  return page('Platform report', navigation(report), body);
}

/**
 * The report as a static site: `index.html` (every environment and cloud, linking to their sections), one page per
 * environment (`<env>.html`: an `<h2 id="aws">` / `<h2 id="azure">` per cloud with `<h3>` sections
 * `<cloud>-diagram`, `-review` (with a base), `-alarms`, `-checks`, `-backup`, `-findings`, `-differences`), and
 * `report.json` (the report without the SVGs). Pure: the same report gives the same files, byte for byte.
 * Self-contained: one inline stylesheet, the SVGs inline, no script, no URL.
 */
export function renderSite(report: PlatformReport): ReadonlyMap<string, string> {
  const files = new Map<string, string>();
  files.set('index.html', indexPage(report));
  for (const env of report.environments) files.set(pageFile(env.environment), environmentPage(report, env));
  const json = {
    ...report,
    environments: report.environments.map((env) => ({
      ...env,
      clouds: env.clouds.map((cloud) => Object.fromEntries(Object.entries(cloud).filter(([key]) => key !== 'svg'))),
    })),
  };
  files.set('report.json', `${JSON.stringify(json, null, 2)}\n`);
  return files;
}
