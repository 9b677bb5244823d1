import type { Knex } from 'knex';
import type { StagecoachClient } from '../../../client';
import type { IncrementalPackage } from '../../../domain/packages/package-types';
import { change, form, guid, incremental } from '../packages/package-builders';
import type { ReleaseStatus } from '../../../contracts/releases';

/** Polls the release's `status` query until `predicate` holds. */
export async function statusWhen(
  client: StagecoachClient,
  workflowId: string,
  predicate: (status: ReleaseStatus) => boolean,
  timeoutMs = 45_000,
): Promise<ReleaseStatus> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const status = await client.releases.status(workflowId);
      if (predicate(status)) return status;
      last = { phase: status.phase, waitingFor: status.waitingFor, problems: status.problems, outcome: status.outcome };
    } catch (error) {
      last = error instanceof Error ? error.message : error;
    }
    if (Date.now() > until) throw new Error(`release ${workflowId} never matched; last: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
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

export { recordHistory } from '../record-history';
