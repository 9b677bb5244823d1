// The release part of `npm run demo`: fresh SQLite demo databases (examples/stagecoach.yaml), then a
// whole standard release with seconds-long settings, the gates approved by the demo approvers.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import knexFactory from 'knex';
import type { Knex } from 'knex';
import { StagecoachClient } from '../client';
import { decisionSigner, generateSigningKey, type DecisionSigner } from '../client/decision-signing';
import type { TrustedKey } from '../domain/decision-signatures';
import type { Landscape } from '../domain/landscapes';
import type { Inventory } from '../inventory/inventory';
import { generateTenantData } from './sample/generate-tenant-data';
import { createSampleTenantSchema } from './sample/tenant-schema';
import type { ReleaseStatus } from '../contracts/releases';

export const DEMO_INVENTORY = path.resolve(__dirname, '..', 'examples', 'stagecoach.yaml');
const TENANT = 'demo';

/** Recreates the demo tenant's databases from the sample schema and generated data, so every run starts alike. */
export async function resetDemoDatabases(inventory: Inventory): Promise<void> {
  const tenant = inventory.tenants[TENANT];
  for (const [landscape, instance] of Object.entries(tenant.instances) as [
    Landscape,
    NonNullable<(typeof tenant.instances)['production']>,
  ][]) {
    if (instance.database.engine !== 'sqlite')
      throw new Error(`the demo expects SQLite databases; ${TENANT}/${landscape} is ${instance.database.engine}`);
    const file = instance.database.file;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    for (const leftover of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(leftover, { force: true });
    const knex = knexFactory({ client: 'better-sqlite3', connection: { filename: file }, useNullAsDefault: true });
    try {
      await createSampleTenantSchema(knex);
      await generateTenantData(knex, {
        incidents: landscape === 'production' ? 5000 : 50,
        emailDomain: instance.emailDomain,
      });
    } finally {
      await knex.destroy();
    }
  }
}

/**
 * The demo's stand-in for the approval service (docs/approvals-locks-windows.md "Signed decisions"): a key
 * made for this run only, trusted for every user. DEV ONLY: it signs for whoever the demo says approves,
 * where the service signs only for the person who signed in.
 */
export function devOnlySigner(): { signer: DecisionSigner; trusted: TrustedKey } {
  const key = generateSigningKey();
  const id = 'dev-only-demo-signer';
  return {
    signer: decisionSigner(id, key.privateKeyPem),
    trusted: { id, publicKey: key.publicKeyHex, signsFor: ['*'] },
  };
}

/** Runs one release of the demo tenant through all seven steps, printing what happens; decisions signed by `signer`. */
export async function runDemoRelease(
  client: StagecoachClient,
  stateDir: string,
  say: (line: string) => void,
  signer: DecisionSigner,
): Promise<{ workflowId: string; status: ReleaseStatus }> {
  // A version of its own per run: a completed release id is never started twice.
  const version = `2.0-${randomUUID().slice(0, 6)}`;
  const packageFile = path.join(stateDir, `demo-package-${version}.json`);
  fs.writeFileSync(packageFile, JSON.stringify(demoPackage(version)));
  const { workflowId } = await client.releases.start({
    tenant: TENANT,
    version,
    startedBy: 'rita',
    settings: {
      phaseDurations: { configure: '5m' },
      gates: { 'uat-push': { timeout: '5m' }, 'production-push': { timeout: '5m' }, 'go-live': { timeout: '5m' } },
    },
  });
  say(`rita started release ${workflowId} (standard: production → staging → UAT → production)`);

  await until(client, workflowId, 'configuration', say);
  await client.releases.registerChange(workflowId, {
    user: 'sam',
    description: 'new intake form for walk-in requests',
    reference: 'SR-1042',
  });
  await client.releases.configurationReady(workflowId, 'sam', [{ path: packageFile }], 'configured on staging');
  say('sam registered a change and sent configurationReady with the package');

  await until(client, workflowId, 'gate:uat-push', say);
  await client.approvals
    .decide(workflowId, 'approve', { gate: 'uat-push', user: 'rita' }, signer)
    .catch((error: Error) =>
      say(`rita tried to approve her own release: refused (${error.message.replace(/^.*: /, '')})`),
    );
  await client.approvals
    .decide(workflowId, 'approve', { gate: 'uat-push', user: 'alice' })
    .catch((error: Error) => say(`an unsigned approval as alice: refused (${error.message.replace(/^.*: /, '')})`));
  await approve(client, workflowId, 'uat-push', 'alice', say, signer);
  await until(client, workflowId, 'gate:production-push', say);
  await approve(client, workflowId, 'production-push', 'carol', say, signer);
  await until(client, workflowId, 'gate:go-live', say);
  await approve(client, workflowId, 'go-live', 'bob', say, signer);
  const result = await client.releases.result(workflowId);
  return { workflowId, status: result.status };
}

/** The flags of each instance after the release, for the summary. */
export async function demoFlags(inventory: Inventory): Promise<string[]> {
  const lines: string[] = [];
  for (const [landscape, instance] of Object.entries(inventory.tenants[TENANT].instances)) {
    if (instance.database.engine !== 'sqlite') continue;
    const knex: Knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: instance.database.file },
      useNullAsDefault: true,
    });
    try {
      const rows = (await knex('tenant_settings').whereIn('key', ['metadata_locked', 'maintenance_mode'])) as {
        key: string;
        value: string;
      }[];
      const forms = (await knex('metadata_items').where('name', 'like', 'Walk-in%').pluck('name')) as string[];
      lines.push(
        `${landscape.padEnd(10)} ${rows.map((r) => `${r.key}=${r.value}`).join(' ')}${forms.length ? `  (carries: ${forms.join(', ')})` : ''}`,
      );
    } finally {
      await knex.destroy();
    }
  }
  return lines;
}

async function approve(
  client: StagecoachClient,
  workflowId: string,
  gate: string,
  user: string,
  say: (line: string) => void,
  signer: DecisionSigner,
): Promise<void> {
  await client.approvals.decide(workflowId, 'approve', { gate, user, comment: 'demo approval' }, signer);
  say(`${user} approved gate ${gate} (demo approver, signed by the dev-only key)`);
}

/** Polls the status, printing each phase as the release enters it, until it waits for `what`. */
let shown = '';
async function until(
  client: StagecoachClient,
  workflowId: string,
  what: string,
  say: (line: string) => void,
): Promise<void> {
  for (const deadline = Date.now() + 300_000; Date.now() < deadline;) {
    const status = await client.releases.status(workflowId);
    const phases = status.timeline.map((t) => t.phase).join(' → ');
    if (phases !== shown) say(`  phases: ${(shown = phases)}`);
    if (status.waitingFor === what) return say(`  waiting for ${what}`);
    if (status.outcome) throw new Error(`release ${status.outcome}: ${status.problems.join('; ')}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`release ${workflowId} did not reach ${what} within 5 minutes`);
}

function demoPackage(version: string) {
  const form = (n: number, name: string) => ({
    sequence: n,
    operation: 'C',
    objectType: 'Form',
    businessObject: 'Incident',
    entityName: name,
    guid: `00000000-0000-4000-8000-00000000d${String(n).padStart(3, '0')}`,
    data: { layout: name },
  });
  return {
    formatVersion: 1,
    kind: 'incremental',
    id: 'demo-config',
    version,
    transactionSets: [{ id: 1, changes: [form(1, 'Walk-in Intake Form'), form(2, 'Walk-in Review Form')] }],
  };
}
