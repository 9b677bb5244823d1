/**
 * The approval service's pages (docs/approvals-locks-windows.md "Approval service"): plain HTML, every value
 * escaped, no script. What an approver is asked to decide on, and nothing secret.
 */
import type { ApprovalStatus, GateBriefing } from '../../contracts/approvals';
import type { ReleaseStatus } from '../../contracts/releases';
import { authenticationNote, pendingApprovers, type GateState } from '../../domain/gates';

export interface WaitingGate {
  workflowId: string;
  gate: string;
  round: number;
  subject: string;
}

const escape = (value: unknown): string =>
  String(value ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

function layout(title: string, user: string | undefined, body: string): string {
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    `<title>${escape(title)} · Stagecoach approvals</title>`,
    '<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}',
    'table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}',
    '.counted{color:#060}.refused{color:#a00}textarea{width:100%}</style></head><body>',
    `<header><a href="/">Stagecoach approvals</a>${user ? ` · signed in as <b>${escape(user)}</b>` : ''}</header>`,
    `<h1>${escape(title)}</h1>`,
    body,
    '</body></html>',
  ].join('\n');
}

export function waitingPage(user: string, gates: WaitingGate[]): string {
  const rows = gates.map(
    (g) =>
      `<tr><td><a href="/gates/${encodeURIComponent(g.workflowId)}">${escape(g.workflowId)}</a></td>` +
      `<td>${escape(g.gate)}</td><td>${g.round}</td><td>${escape(g.subject)}</td></tr>`,
  );
  const table = rows.length
    ? `<table><tr><th>Workflow</th><th>Gate</th><th>Round</th><th>What</th></tr>${rows.join('')}</table>`
    : '<p>No gate waits for you.</p>';
  return layout('Gates waiting for you', user, table);
}

/** One gate: what is asked, what others decided, and the form, when this user may still decide. */
export function gatePage(
  user: string,
  workflowId: string,
  status: ApprovalStatus | ReleaseStatus,
  csrfToken: string,
  outcome?: { counted: boolean; message: string },
  briefing?: GateBriefing,
): string {
  const gate = status.gate;
  if (!gate) return layout(workflowId, user, '<p>This workflow has no gate open.</p>');
  const parts = [
    outcome ? `<p class="${outcome.counted ? 'counted' : 'refused'}" id="outcome">${escape(outcome.message)}</p>` : '',
    `<p>Gate <b>${escape(gate.definition.name)}</b>, round ${gate.round ?? 1}: ${escape(gate.outcome ?? gate.phase ?? 'waiting')}. ` +
      `${escape(authenticationNote(gate.definition))}.</p>`,
    releaseDetails(status),
    briefing ? briefingSections(briefing) : '',
    decisionsTable(gate),
  ];
  if (pendingApprovers(gate).includes(user) && (gate.phase ?? 'waiting') === 'waiting' && !gate.outcome)
    parts.push(
      `<form method="post" action="/gates/${encodeURIComponent(workflowId)}/decide">`,
      `<input type="hidden" name="_csrf" value="${escape(csrfToken)}">`,
      `<input type="hidden" name="gate" value="${escape(gate.definition.name)}">`,
      '<label>Comment<br><textarea name="comment" rows="3"></textarea></label><br>',
      '<button name="decision" value="approve">Approve</button> <button name="decision" value="reject">Reject</button>',
      '</form>',
    );
  return layout(`${workflowId}`, user, parts.join('\n'));
}

function releaseDetails(status: ApprovalStatus | ReleaseStatus): string {
  if (!('releaseId' in status)) return `<p>${escape(status.subject)}</p>`;
  const packages = status.packages
    .map((p) => escape('sha256' in p ? `sha256:${p.sha256.slice(0, 12)}…` : path(p.path)))
    .join(', ');
  const changes = status.changeRegister.map(
    (c) =>
      `<li>${escape(c.at)} ${escape(c.user)}: ${escape(c.description)}${c.reference ? ` (${escape(c.reference)})` : ''}</li>`,
  );
  return [
    `<p>Release <b>${escape(status.tenant)} ${escape(status.version)}</b> (${escape(status.variant)}), started by ${escape(status.startedBy)}; phase ${escape(status.phase)}.</p>`,
    `<p>Packages: ${packages || 'none yet'}</p>`,
    `<h2>Change register</h2>${changes.length ? `<ul>${changes.join('')}</ul>` : '<p>No change registered.</p>'}`,
    status.problems.length
      ? `<h2>Problems</h2><ul>${status.problems.map((p) => `<li>${escape(p)}</li>`).join('')}</ul>`
      : '',
  ].join('\n');
}

/** Impact with the high-impact changes, the dry run on the target, UAT's log: what the approver decides on. */
function briefingSections(briefing: GateBriefing): string {
  const impact = briefing.packages.map(
    (p) =>
      `<li><b>${escape(p.packageId)} ${escape(p.version)}</b>: impact <b>${escape(p.impact)}</b> ` +
      `(${p.counts.high} high, ${p.counts.medium} medium, ${p.counts.low} low)${p.reasons ? `<br>${escape(p.reasons)}` : ''}</li>`,
  );
  const previews = briefing.previews.map(
    (r) =>
      `<li>${escape(r.packageId)} ${escape(r.version)} on ${escape(r.target)}: ${escape(r.outcome)}, ` +
      `${r.errorCount} error(s), ${r.warningCount} warning(s)` +
      [...r.errors, ...r.warnings].map((issue) => `<br>${escape(issue)}`).join('') +
      '</li>',
  );
  const log = briefing.uatLog;
  return [
    `<h2>Impact</h2><ul>${impact.join('')}</ul>`,
    previews.length ? `<h2>Preview on the target (dry run)</h2><ul>${previews.join('')}</ul>` : '',
    log
      ? `<h2>UAT log check</h2><p>${log.configurationErrors} configuration error(s) in ${escape(log.instance)} since the push to UAT</p>` +
        (log.samples.length ? `<ul>${log.samples.map((m) => `<li>${escape(m)}</li>`).join('')}</ul>` : '')
      : '',
    briefing.problems.length
      ? `<h2>Could not be checked</h2><ul>${briefing.problems.map((p) => `<li>${escape(p)}</li>`).join('')}</ul>`
      : '',
  ].join('\n');
}

/** Only a file's name: a path on someone's disk says nothing to an approver. */
const path = (p: string) => p.split(/[\\/]/).pop() ?? p;

function decisionsTable(gate: GateState): string {
  if (gate.decisions.length === 0) return '<p>No decision yet.</p>';
  const rows = gate.decisions.map(
    (d) =>
      `<tr><td>${d.round ?? 1}</td><td>${escape(d.user)}</td><td>${escape(d.decision)}</td><td>${escape(d.comment)}</td>` +
      `<td>${d.counted ? `counted${d.signedBy ? ` (signed by ${escape(d.signedBy)})` : ''}` : `not counted: ${escape(d.refusal)}`}</td></tr>`,
  );
  return `<h2>Decisions</h2><table><tr><th>Round</th><th>Who</th><th>Decision</th><th>Comment</th><th></th></tr>${rows.join('')}</table>`;
}

export function messagePage(title: string, message: string): string {
  return layout(title, undefined, `<p>${escape(message)}</p>`);
}
