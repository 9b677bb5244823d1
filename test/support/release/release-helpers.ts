import type { Knex } from 'knex';
import { expect } from 'vitest';
import type { StagecoachClient } from '../../../client';
import { AuditStore } from '../../../store/audit-store';
import type { IncrementalPackage } from '../../../domain/packages/package-types';
import { change, form, guid, incremental } from '../packages/package-builders';
import type { ReleaseInput, ReleaseStatus } from '../../../contracts/releases';
import { pollUntil } from '../poll';

/** Polls the release's `status` query until `predicate` holds. */
export async function statusWhen(
  client: StagecoachClient,
  workflowId: string,
  predicate: (status: ReleaseStatus) => boolean,
  timeoutMs = 45_000,
): Promise<ReleaseStatus> {
  return pollUntil(`release ${workflowId}`, () => client.releases.status(workflowId), predicate, {
    timeoutMs,
    shown: (status) => ({
      phase: status.phase,
      waitingFor: status.waitingFor,
      problems: status.problems,
      outcome: status.outcome,
    }),
  });
}

export const waitingFor = (what: string) => (status: ReleaseStatus) => status.waitingFor === what;

/** Waits for the gate to open, then approves it by Update as `user`. */
export async function approveGate(
  client: StagecoachClient,
  workflowId: string,
  gate: string,
  user: string,
): Promise<void> {
  await statusWhen(client, workflowId, waitingFor(`gate:${gate}`));
  const answer = await client.approvals.decide(workflowId, 'approve', { gate, user, comment: `${gate} ok` });
  if (answer.approvalsStillNeeded !== 0)
    throw new Error(`gate ${gate} still needs ${answer.approvalsStillNeeded} approvals`);
}

/**
 * Starts a release as rita with its packages known, approves the push to UAT as `uatApprover` and
 * returns the workflow id once the production-push gate waits.
 */
export async function releaseUntilProductionPush(
  client: StagecoachClient,
  { tenant, version, packages }: Pick<ReleaseInput, 'tenant' | 'version' | 'packages'>,
  uatApprover: string,
): Promise<string> {
  const { workflowId } = await client.releases.start({ tenant, version, startedBy: 'rita', packages });
  await approveGate(client, workflowId, 'uat-push', uatApprover);
  await statusWhen(client, workflowId, waitingFor('gate:production-push'));
  return workflowId;
}

export async function flagsOf(knex: Knex): Promise<{ metadataLocked: boolean; maintenanceMode: boolean }> {
  const rows = (await knex('tenant_settings').whereIn('key', ['metadata_locked', 'maintenance_mode'])) as {
    key: string;
    value: string;
  }[];
  const value = (key: string) => rows.find((r) => r.key === key)?.value === 'true';
  return { metadataLocked: value('metadata_locked'), maintenanceMode: value('maintenance_mode') };
}

export async function metadataNames(knex: Knex): Promise<string[]> {
  return ((await knex('metadata_items').orderBy('name').pluck('name')) as string[]).sort();
}

/** The release's package: two forms (low impact), as configured on staging. */
export function releasePackage(
  id: string,
  version: string,
  extra: IncrementalPackage['transactionSets'][number]['changes'] = [],
): IncrementalPackage {
  // GUIDs clear of the sample data's own items (which use the low numbers).
  const forms = [form(1, `Intake Form ${id}`), form(2, `Review Form ${id}`)].map((change) => ({
    ...change,
    guid: guid(0x5000 + change.sequence),
  }));
  return incremental(id, version, [
    ...forms,
    ...extra.map((change) => ({ ...change, guid: guid(0x5000 + change.sequence) })),
  ]);
}

/** A unique index on incident subjects: fine where subjects are unique, fails where they repeat. */
export const uniqueSubjectIndex = change(3, {
  operation: 'C',
  objectType: 'Index',
  businessObject: 'Incident',
  entityName: 'ix_incident_subject',
  schemaChange: true,
  data: { columns: ['subject'], unique: true },
});

/** An incident of priority 1, logged, on `knex`'s instance; `extra` sets further columns. */
export async function insertIncident(
  knex: Knex,
  subject: string,
  description: string,
  createdAt: string,
  extra: Record<string, unknown> = {},
): Promise<void> {
  await knex('incidents').insert({
    subject,
    description,
    status: 'Logged',
    priority: 1,
    ...extra,
    created_at: createdAt,
  });
}

/** The kinds of the workflow's audit events, oldest first. */
export async function auditKinds(controlDb: Knex, workflowId: string): Promise<string[]> {
  return (await new AuditStore(controlDb).listForWorkflow(workflowId)).map((e) => e.kind);
}

/** Expects `story` among `kinds` in its order; other kinds may come between. */
export function expectStoryInOrder(kinds: string[], story: string[]): void {
  let cursor = 0;
  for (const kind of kinds) if (kind === story[cursor]) cursor++;
  expect(story.slice(cursor), `audit kinds: ${kinds.join(' ')}`).toEqual([]);
}

export { recordHistory } from '../record-history';
export { useReleaseFixture } from './release-fixture';
