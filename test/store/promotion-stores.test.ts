import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { afterEach, describe, expect, it } from 'vitest';
import { BundleStore } from '../../store/bundle-store';
import { openControlDatabase } from '../../store/control-database';
import { DeploymentStore } from '../../store/deployment-store';
import { PromotionStore } from '../../store/promotion-store';
import { createScratchDatabase } from '../support/postgres';

// The bundle, promotion and deployment stores on both control database engines we run here.
const ENGINES = ['sqlite', 'postgres'] as const;

/** Registers cleanup after each test and returns `open`, which each test calls for a fresh control database. */
function useControlDatabase(engine: (typeof ENGINES)[number]): () => Promise<Knex> {
  let knex: Knex;
  let cleanup: () => Promise<void>;
  afterEach(async () => {
    await knex?.destroy();
    await cleanup?.();
  });
  return async () => {
    if (engine === 'sqlite') {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagecoach-stores-'));
      knex = await openControlDatabase(path.join(dir, 'control.db'));
      cleanup = async () => fs.rmSync(dir, { recursive: true, force: true });
    } else {
      const scratch = await createScratchDatabase('bundle_stores');
      knex = await openControlDatabase(scratch.url);
      cleanup = scratch.drop;
    }
    return knex;
  };
}

describe.each(ENGINES)('bundle store on %s', (engine) => {
  const open = useControlDatabase(engine);

  it('keeps bundles with their items and refuses a second bundle of the same name', async () => {
    const knex = await open();
    const bundles = new BundleStore(knex);
    const bundle = {
      name: 'release-1',
      source: { tenant: 'acme', landscape: 'staging' as const },
      createdBy: 'bea',
      createdAt: '2026-01-01',
    };
    expect(await bundles.createBundle(bundle)).toBe(true);
    expect(await bundles.createBundle(bundle)).toBe(false);
    const item = {
      guid: 'g1',
      objectType: 'Form',
      businessObject: 'Incident',
      name: 'A',
      addedBy: 'bea',
      addedAt: '2026-01-02',
    };
    await bundles.addItems('release-1', [item, { ...item, guid: 'g2', name: 'B', businessObject: null }]);
    await bundles.addItems('release-1', [{ ...item, name: 'A renamed' }]);
    expect((await bundles.getBundle('release-1'))!.items.map((i) => i.name)).toEqual(['A renamed', 'B']);
    expect(await bundles.listBundles()).toMatchObject([{ name: 'release-1', itemCount: 2 }]);
    expect(await bundles.removeItems('release-1', ['g2', 'nope'])).toBe(1);
  });
});

describe.each(ENGINES)('promotion store on %s', (engine) => {
  const open = useControlDatabase(engine);

  it('moves promotions only from the statuses named, and purges finished history by age', async () => {
    const knex = await open();
    const promotions = new PromotionStore(knex);
    const record = {
      id: 'promotion/p/1',
      targetName: 'p',
      source: { tenant: 'acme', landscape: 'staging' as const },
      content: 'snapshot' as const,
      status: 'scheduled' as const,
      requestedBy: 'pat',
      createdAt: '2026-01-01',
    };
    expect(
      await promotions.create(record, [
        { guid: 'g1', objectType: 'Form', businessObject: null, name: 'A', definition: '{"v":1}' },
      ]),
    ).toBe(true);
    expect(await promotions.create(record, [])).toBe(false);
    expect(await promotions.transition(record.id, ['promoting'], 'promoted')).toBe(false);
    expect(
      await promotions.transition(record.id, ['scheduled'], 'failed', {
        finishedAt: '2026-01-02',
        outcome: { reason: 'x' },
      }),
    ).toBe(true);
    expect(await promotions.items(record.id)).toEqual([
      { guid: 'g1', objectType: 'Form', businessObject: null, name: 'A', definition: '{"v":1}' },
    ]);
    expect(await promotions.purgeFinishedBefore('2026-01-02')).toBe(0);
    expect(await promotions.purgeFinishedBefore('2026-01-03')).toBe(1);
    expect(await promotions.get(record.id)).toBeUndefined();
    expect(Number((await knex('promotion_items').count({ n: '*' }))[0].n)).toBe(0);
  });
});

describe.each(ENGINES)('deployment store on %s', (engine) => {
  const open = useControlDatabase(engine);

  it('records tenant results idempotently and keeps the counts', async () => {
    const knex = await open();
    const deployments = new DeploymentStore(knex);
    await deployments.create({
      id: 'd1',
      packageSha256: 'a'.repeat(64),
      packageId: 'p',
      packageVersion: '1',
      landscape: 'production',
      submitter: 'rita',
      status: 'running',
      total: 3,
      createdAt: '2026-01-01',
    });
    const results = [
      { tenant: 'a', status: 'succeeded' as const, finishedAt: 'x' },
      { tenant: 'b', status: 'failed' as const, reason: 'conflict', finishedAt: 'x' },
    ];
    await deployments.recordTenants('d1', results);
    await deployments.recordTenants('d1', results);
    await deployments.recordTenants('d1', [{ tenant: 'c', status: 'skipped', reason: 'no instance', finishedAt: 'x' }]);
    await deployments.finish('d1', 'finished', '2026-01-02');
    expect(await deployments.get('d1')).toMatchObject({
      status: 'finished',
      succeeded: 1,
      failed: 1,
      skipped: 1,
      finishedAt: '2026-01-02',
    });
    expect(await deployments.tenants('d1', { status: 'failed' })).toEqual([
      { tenant: 'b', status: 'failed', reason: 'conflict', finishedAt: 'x' },
    ]);
  });
});
