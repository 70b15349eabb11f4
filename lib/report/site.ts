import { CHANGE_STYLES, GROUP_FILL, MUTED_TEXT, PAGE_BACKGROUND, TEXT, type ChangeStyleKey } from '../review/palette';
import { countChanges, type EnvironmentReview, type ResourceChange } from '../review/model';
import { compare } from '../review/aws-template';
import { nodeCount } from './diagram';
import { foldedText, styleKey } from './dot';
import type { Acknowledgement, CloudReport, EnvironmentReport, PlatformReport } from './model';

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const CLOUD_NAMES = { aws: 'AWS', azure: 'Azure' } as const;

/** `1 alarm`, `2 alarms`. */
function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The file of an environment's page. */
export function pageFile(environment: string): string {
  return `${environment.replace(/[^A-Za-z0-9_-]/g, '-')}.html`;
}

const STYLE = `
:root { color: ${TEXT}; background: ${PAGE_BACKGROUND}; }
body { font-family: Helvetica, Arial, "Liberation Sans", sans-serif; margin: 0; line-height: 1.45; font-size: 15px; }
header, main, footer { padding: 0 24px; }
header { border-bottom: 1px solid #d1d9e0; padding-top: 8px; padding-bottom: 8px; }
nav ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 16px; }
a { color: #0550ae; }
h1 { font-size: 26px; margin: 16px 0 4px; }
h2 { font-size: 21px; margin: 28px 0 8px; border-bottom: 1px solid #d1d9e0; padding-bottom: 4px; }
h3 { font-size: 17px; margin: 22px 0 6px; }
p.meta, figcaption, .muted { color: ${MUTED_TEXT}; }
table { border-collapse: collapse; margin: 6px 0 14px; font-size: 13px; }
th, td { border: 1px solid #d1d9e0; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: ${GROUP_FILL}; }
td.num, th.num { text-align: right; }
code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; font-size: 12px; word-break: break-all; }
figure.diagram { margin: 8px 0; overflow-x: auto; border: 1px solid #d1d9e0; border-radius: 6px; padding: 8px; }
figure.diagram svg { max-width: 100%; height: auto; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 14px; padding: 0; list-style: none; font-size: 13px; }
.legend li { border: 2px solid; border-radius: 6px; padding: 1px 8px; }
.callout { border-left: 6px solid; padding: 6px 12px; margin: 8px 0; }
.callout.loss { border-color: #cf222e; background: #ffebe9; }
.callout.access { border-color: #9a6700; background: #fff8c5; }
.callout.none { border-color: #1a7f37; background: #dafbe1; }
details { margin: 4px 0 12px; }
summary { cursor: pointer; }
`;

function layout(title: string, nav: string, body: string): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<header><nav aria-label="Pages">${nav}</nav></header>`,
    `<main>${body}</main>`,
    '<footer><p class="muted">Drawn from the synthesized output by <code>npm run report</code>.</p></footer>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function navigation(report: PlatformReport, current?: string): string {
  const items = [
    `<li><a href="index.html"${current === undefined ? ' aria-current="page"' : ''}>Overview</a></li>`,
    ...report.environments.map(
      (env) =>
        `<li><a href="${pageFile(env.environment)}"${current === env.environment ? ' aria-current="page"' : ''}>${escapeHtml(env.environment)}</a></li>`,
    ),
  ];
  return `<ul>${items.join('')}</ul>`;
}

function table(headers: readonly string[], rows: readonly (readonly string[])[], caption?: string): string {
  if (rows.length === 0) return '<p>None.</p>';
  const head = headers.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('');
  const body = rows.map((row) => `<tr>${row.map((cell) => `<td>${cell}</td>`).join('')}</tr>`).join('\n');
  return `<table>${caption ? `<caption class="muted">${escapeHtml(caption)}</caption>` : ''}<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function legend(): string {
  const keys: ChangeStyleKey[] = [
    'unchanged',
    'create',
    'update',
    'replace',
    'may-replace',
    'orphan',
    'destroy',
    'ghost',
  ];
  const items = keys
    .filter((key) => key !== 'destroy')
    .map((key) => {
      const style = CHANGE_STYLES[key];
      const border = style.dashed ? 'dashed' : 'solid';
      return `<li style="background:${style.fill};border-color:${style.stroke};border-style:${border};color:${style.text}">${escapeHtml(
        `${style.tag ? `${style.tag} ` : ''}${style.legend}`,
      )}</li>`;
    });
  return `<ul class="legend" aria-label="Legend">${items.join('')}<li style="border-color:${CHANGE_STYLES.replace.stroke}">⚠ loses data / widens access</li></ul>`;
}

function diagramSection(env: EnvironmentReport, cloud: CloudReport): string {
  const id = cloud.cloud;
  const nodes = cloud.diagram.groups.flatMap((g) => g.nodes);
  const rows = nodes.map((node) => [
    escapeHtml(node.group),
    escapeHtml(node.label),
    escapeHtml(node.category),
    `<span class="num">${node.resources.length}</span>`,
    escapeHtml(node.members.join(', ')),
    escapeHtml(foldedText(node)),
    escapeHtml(node.change === undefined ? '' : CHANGE_STYLES[styleKey(node)].legend) +
      (node.dataLoss ? ' · loses data' : '') +
      (node.broadened ? ' · widens access' : ''),
  ]);
  return [
    `<h3 id="${id}-diagram">Diagram</h3>`,
    `<figure class="diagram">`,
    cloud.svg.trim(),
    `<figcaption>${escapeHtml(
      `${env.environment} on ${CLOUD_NAMES[cloud.cloud]}: ${cloud.resourceCount} resources drawn as ${nodeCount(cloud.diagram)} components; alarms, policies and other supporting resources are counted in their component; arrows are references.`,
    )}</figcaption>`,
    `</figure>`,
    `<details><summary>The diagram as a table (${nodes.length} components)</summary>`,
    table(['Group', 'Component', 'Kind', 'Resources', 'Members', 'Supporting resources', 'Change'], rows),
    '</details>',
  ].join('\n');
}

function changeRows(changes: readonly ResourceChange[]): string[][] {
  return changes.map((change) => [
    escapeHtml(CHANGE_STYLES[change.action].legend),
    `<code>${escapeHtml(`${change.stack}/${change.id}`)}</code>`,
    escapeHtml(change.type),
    escapeHtml(
      [
        change.dataLoss ? `loses data${change.consequence ? `: ${change.consequence}` : ''}` : '',
        ...change.security.filter((s) => s.broadened).map((s) => `widens access: ${s.description}`),
        change.acknowledged && (change.dataLoss || change.security.some((s) => s.broadened)) ? 'acknowledged' : '',
        ...change.notes,
      ]
        .filter(Boolean)
        .join('; '),
    ),
  ]);
}

function reviewSection(cloud: CloudReport, review: EnvironmentReview): string {
  const id = cloud.cloud;
  const counts = countChanges(review);
  const loss = review.changes.filter((c) => c.dataLoss);
  const access = review.changes.filter((c) => c.security.some((s) => s.broadened));
  const callouts: string[] = [];
  if (loss.length > 0)
    callouts.push(
      `<div class="callout loss" role="note"><strong>Data loss:</strong> ${loss.length} change${loss.length === 1 ? '' : 's'} replace or destroy a resource that holds data: ${loss
        .map((c) => `<code>${escapeHtml(c.id)}</code>${c.acknowledged ? ' (acknowledged)' : ''}`)
        .join(', ')}</div>`,
    );
  if (access.length > 0)
    callouts.push(
      `<div class="callout access" role="note"><strong>Access widens:</strong> ${access
        .map((c) => `<code>${escapeHtml(c.id)}</code>${c.acknowledged ? ' (acknowledged)' : ''}`)
        .join(', ')}</div>`,
    );
  for (const blocker of review.blockers)
    callouts.push(
      `<div class="callout loss" role="note"><strong>Cannot deploy:</strong> ${escapeHtml(blocker.message)}</div>`,
    );
  if (callouts.length === 0)
    callouts.push(
      '<div class="callout none" role="note">No data loss, no access widened, nothing blocks the deployment.</div>',
    );
  return [
    `<h3 id="${id}-review">Review against the base</h3>`,
    ...callouts,
    `<p>${counts.created} created, ${counts.updated} updated, ${counts.replaced} replaced, ${counts.destroyed} destroyed, ${counts.orphaned} orphaned.</p>`,
    table(['Change', 'Resource', 'Type', 'Risk and notes'], changeRows(review.changes)),
  ].join('\n');
}

function groupedAcknowledgements(acknowledgements: readonly Acknowledgement[]): string[][] {
  const groups = new Map<string, { ack: Acknowledgement; resources: string[] }>();
  for (const ack of acknowledgements) {
    const key = `${ack.kind}\u0000${ack.rule}\u0000${ack.reason}`;
    const group = groups.get(key) ?? { ack, resources: [] };
    group.resources.push(ack.resource);
    groups.set(key, group);
  }
  return [...groups.values()]
    .sort((a, b) => compare(a.ack.kind, b.ack.kind) || compare(a.ack.rule, b.ack.rule))
    .map(({ ack, resources }) => [
      escapeHtml(ack.kind),
      `<code>${escapeHtml(ack.rule)}</code>`,
      escapeHtml(ack.reason),
      resources.length === 1
        ? `<code>${escapeHtml(resources[0])}</code>`
        : `<details><summary>${resources.length} resources</summary>${resources.map((r) => `<code>${escapeHtml(r)}</code>`).join('<br>')}</details>`,
    ]);
}

function cloudSection(env: EnvironmentReport, cloud: CloudReport): string {
  const id = cloud.cloud;
  const parts = [`<section aria-labelledby="${id}">`, `<h2 id="${id}">${CLOUD_NAMES[cloud.cloud]}</h2>`];
  parts.push(
    `<p class="meta">${[
      count(cloud.resourceCount, 'resource'),
      count(cloud.alarms.length, 'alarm'),
      count(cloud.checks.length, 'check'),
      count(cloud.backup.length, 'backup plan'),
      count(cloud.acknowledgements.length, 'acknowledgement'),
    ].join(' · ')}</p>`,
  );
  parts.push(diagramSection(env, cloud));
  if (cloud.review) parts.push(reviewSection(cloud, cloud.review));
  parts.push(`<h3 id="${id}-alarms">Alarms</h3>`);
  parts.push(
    table(
      ['Alarm', 'Severity', 'Measures', 'Fires when', 'Routed to', 'What it means', 'First response'],
      cloud.alarms.map((a) => [
        `<code>${escapeHtml(a.id)}</code>`,
        escapeHtml(a.severity),
        escapeHtml(a.measures.length > 160 ? `${a.measures.slice(0, 157)}...` : a.measures),
        escapeHtml(a.threshold),
        a.routedTo.map((r) => `<code>${escapeHtml(r)}</code>`).join('<br>'),
        escapeHtml(a.description),
        escapeHtml(a.firstResponse ?? ''),
      ]),
    ),
  );
  parts.push(`<h3 id="${id}-checks">Checks</h3>`);
  parts.push(
    table(
      ['Check', 'Kind', 'Target', 'Runs'],
      cloud.checks.map((c) => [
        `<code>${escapeHtml(c.name)}</code>`,
        escapeHtml(c.kind),
        `<code>${escapeHtml(c.target)}</code>`,
        escapeHtml(c.schedule),
      ]),
    ),
  );
  parts.push(`<h3 id="${id}-backup">Backup</h3>`);
  parts.push(
    cloud.backup.length === 0
      ? '<p>No backup plan.</p>'
      : cloud.backup
          .map(
            (plan) =>
              `<p><strong>${escapeHtml(plan.plan)}</strong> into vault <code>${escapeHtml(plan.vault)}</code>${
                plan.lock ? ` (${escapeHtml(plan.lock)})` : ''
              }; protects ${escapeHtml(plan.selection)}.</p>\n` +
              table(
                ['Rule', 'Schedule', 'Kept', 'Cold storage after', 'Copied to'],
                plan.rules.map((r) => [
                  escapeHtml(r.name),
                  `<code>${escapeHtml(r.schedule)}</code>`,
                  escapeHtml(r.retention),
                  escapeHtml(r.coldAfter ?? ''),
                  escapeHtml(r.copyTo ?? ''),
                ]),
              ),
          )
          .join('\n'),
  );
  parts.push(`<h3 id="${id}-findings">Guardrail findings and acknowledgements</h3>`);
  if (cloud.findings === undefined) {
    parts.push('<p>The guardrails were not run for this report (<code>--no-check</code>).</p>');
  } else {
    const open = cloud.findings.filter((f) => f.acknowledgedBy === undefined);
    const errors = open.filter((f) => f.severity === 'error');
    parts.push(
      `<p>${cloud.findings.length} findings: ${errors.length} unacknowledged errors, ${open.length - errors.length} warnings, ${
        cloud.findings.length - open.length
      } acknowledged.</p>`,
    );
    parts.push(
      table(
        ['Rule', 'Severity', 'Resource', 'Finding'],
        open.map((f) => [
          `<code>${escapeHtml(f.rule)}</code>`,
          escapeHtml(f.severity),
          `<code>${escapeHtml(`${f.stack}/${f.resource}`)}</code>`,
          escapeHtml(f.message),
        ]),
        'Findings not acknowledged',
      ),
    );
  }
  parts.push(
    `<p>Every acknowledgement in the output, with its reason (guardrail: a rule that does not apply; change: a risk the review accepts).</p>`,
  );
  parts.push(table(['Kind', 'Rule or risk', 'Reason', 'Where'], groupedAcknowledgements(cloud.acknowledgements)));
  parts.push(`<h3 id="${id}-differences">Differences from the previous environment</h3>`);
  if (!cloud.between) parts.push('<p>The first environment: nothing to compare with.</p>');
  else {
    const counts = countChanges(cloud.between.review);
    parts.push(
      `<p>What ${escapeHtml(env.environment)} has that <a href="${pageFile(cloud.between.from)}#${id}">${escapeHtml(
        cloud.between.from,
      )}</a> does not, after names, accounts, regions and addresses are set aside: ${counts.created} only here, ${
        counts.destroyed
      } only in ${escapeHtml(cloud.between.from)}, ${counts.updated + counts.replaced} configured differently.</p>`,
    );
    parts.push(
      table(
        ['Difference', 'Resource', 'Type', 'Properties'],
        cloud.between.review.changes.map((c) => [
          escapeHtml(
            c.action === 'create'
              ? `only in ${env.environment}`
              : c.action === 'destroy'
                ? `only in ${cloud.between!.from}`
                : 'differs',
          ),
          `<code>${escapeHtml(c.id)}</code>`,
          escapeHtml(c.type),
          escapeHtml(c.properties.map((p) => p.path).join(', ')),
        ]),
      ),
    );
  }
  parts.push('</section>');
  return parts.join('\n');
}

function environmentPage(report: PlatformReport, env: EnvironmentReport): string {
  const sections = env.clouds.map((cloud) => cloudSection(env, cloud)).join('\n');
  const jump = env.clouds
    .map(
      (cloud) =>
        `<li>${CLOUD_NAMES[cloud.cloud]}: ${[
          'diagram',
          ...(cloud.review ? ['review'] : []),
          'alarms',
          'checks',
          'backup',
          'findings',
          'differences',
        ]
          .map((s) => `<a href="#${cloud.cloud}-${s}">${s}</a>`)
          .join(' · ')}</li>`,
    )
    .join('');
  const body = [
    `<h1>${escapeHtml(env.environment)}${env.tier ? ` <span class="muted">(${escapeHtml(env.tier)} tier)</span>` : ''}</h1>`,
    `<p class="meta">From ${escapeHtml(report.generatedFrom.head)}${
      report.generatedFrom.base ? `, reviewed against ${escapeHtml(report.generatedFrom.base)}` : ''
    }.</p>`,
    `<nav aria-label="Sections"><ul>${jump}</ul></nav>`,
    legend(),
    sections,
  ].join('\n');
  return layout(`${env.environment}: platform report`, navigation(report, env.environment), body);
}

function indexPage(report: PlatformReport): string {
  const rows = report.environments.flatMap((env) =>
    env.clouds.map((cloud) => {
      const open = cloud.findings?.filter((f) => f.acknowledgedBy === undefined && f.severity === 'error').length;
      const review = cloud.review ? countChanges(cloud.review) : undefined;
      const between = cloud.between ? countChanges(cloud.between.review) : undefined;
      return [
        `<a href="${pageFile(env.environment)}#${cloud.cloud}">${escapeHtml(`${env.environment} on ${CLOUD_NAMES[cloud.cloud]}`)}</a>`,
        escapeHtml(env.tier ?? ''),
        `${cloud.resourceCount}`,
        `<a href="${pageFile(env.environment)}#${cloud.cloud}-alarms">${cloud.alarms.length}</a>`,
        `<a href="${pageFile(env.environment)}#${cloud.cloud}-checks">${cloud.checks.length}</a>`,
        `<a href="${pageFile(env.environment)}#${cloud.cloud}-backup">${cloud.backup.length}</a>`,
        open === undefined
          ? 'not run'
          : `<a href="${pageFile(env.environment)}#${cloud.cloud}-findings">${open} open</a>`,
        `${cloud.acknowledgements.length}`,
        between
          ? `<a href="${pageFile(env.environment)}#${cloud.cloud}-differences">+${between.created} −${between.destroyed} ~${between.updated + between.replaced}</a>`
          : '',
        review
          ? `<a href="${pageFile(env.environment)}#${cloud.cloud}-review">${escapeHtml(
              `+${review.created} ~${review.updated} ±${review.replaced} −${review.destroyed}${review.dataLoss ? `, ${review.dataLoss} lose data` : ''}${review.security ? `, ${review.security} widen access` : ''}`,
            )}</a>`
          : '',
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
    'Guardrails',
    'Acknowledgements',
    'Differences from previous',
  ];
  const body = [
    '<h1>Platform report</h1>',
    `<p class="meta">From ${escapeHtml(report.generatedFrom.head)}${
      report.generatedFrom.base ? `, reviewed against ${escapeHtml(report.generatedFrom.base)}` : ''
    }.</p>`,
    '<h2 id="environments">Environments</h2>',
    table(
      report.generatedFrom.base ? [...headers, 'Review'] : headers,
      report.generatedFrom.base ? rows : rows.map((r) => r.slice(0, -1)),
    ),
    '<h2 id="legend">Reading the diagrams</h2>',
    '<p>Each box is a component: a group (network, monitoring, backup ...) or one member of a collection (a server, a service, a job, a check). Members alike are drawn once with their number (<code>services ×98</code>). Alarms, policies and other supporting resources are counted inside their component. Arrows are references (<code>Ref</code>, <code>Fn::GetAtt</code>, imports, Terraform interpolations); dashed arrows are explicit dependencies. With <code>--base</code>, a component takes the colour and tag of its most severe change:</p>',
    legend(),
  ].join('\n');
  return layout('Platform report', navigation(report), body);
}

/**
 * The report as a static site: `index.html` (every environment and cloud, linking to their sections), one page
 * per environment, and `report.json` (the report without the SVGs). Pure: the same report gives the same files,
 * byte for byte. Self-contained: inline CSS, inline SVG, no script, no external reference.
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
