import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ASSET_FORM, definitionOn, usePromotionFixture } from '../support/promotions/promotion-fixture';
import { PromotionStore } from '../../store/promotion-store';
import { runCli } from '../support/run-cli';

// Bundles and promotions through the real binary; tenant databases on SQLite files.
const fx = usePromotionFixture('sqlite');

const cli = (...args: string[]) => runCli(['--address', fx.ctx.address, '--task-queue', fx.ctx.taskQueue, ...args]);
const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
const staging = () => `${fx.tenant}/staging`;

/** bea creates a bundle from staging and adds the items; `addOptions` go to `bundle add`. */
async function createBundle(bundle: string, items: string[], ...addOptions: string[]) {
  const create = await cli('bundle', 'create', bundle, '--source', staging(), '--user', 'bea');
  const add = await cli(
    'bundle',
    'add',
    bundle,
    ...items.flatMap((item) => ['--item', item]),
    '--user',
    'bea',
    ...addOptions,
  );
  return { create, add };
}

/** pat defines a target on the tenant's instance in `landscape`, acting as svc-accept. */
const defineTarget = (target: string, landscape: string) =>
  cli(
    'bundle',
    'target',
    target,
    '--instance',
    `${fx.tenant}/${landscape}`,
    '--target-user',
    'svc-accept',
    '--credential-ref',
    '${PROMOTE_PASSWORD}',
    '--user',
    'pat',
  );

/** pat promotes ASSET_FORM from staging as a single item; `leading` may name a bundle too. */
const promoteAssetForm = (target: string, ...leading: string[]) =>
  cli(
    'bundle',
    'promote',
    ...leading,
    '--item',
    ASSET_FORM,
    '--source',
    staging(),
    '--target',
    target,
    '--user',
    'pat',
  );

/** A promotion of `bundle` that failed in 2020, long before any retention period; returns its id. */
async function recordAncientPromotion(store: PromotionStore, bundle: string, target: string): Promise<string> {
  const ancient = `promotion/${target}/ancient`;
  await store.create(
    {
      id: ancient,
      bundleName: bundle,
      targetName: target,
      source: { tenant: fx.tenant, landscape: 'staging' },
      content: 'live',
      status: 'scheduled',
      requestedBy: 'pat',
      createdAt: '2020-01-01T00:00:00.000Z',
    },
    [],
  );
  await store.transition(ancient, ['scheduled'], 'failed', {
    finishedAt: '2020-01-01T00:05:00.000Z',
    outcome: { reason: 'long ago' },
  });
  return ancient;
}

async function promotesNowShowsHistoryAndBacksOut(): Promise<void> {
  const bundle = unique('cli');
  const target = unique('prod');
  const { create, add } = await createBundle(bundle, [ASSET_FORM, 'Rule:Escalate P1'], '--json');
  expect(create.code).toBe(0);
  expect(add.code).toBe(0);
  const show = await cli('bundle', 'show', bundle, '--user', 'pat', '--json');
  expect(show.json().bundle.items).toHaveLength(2);
  expect((await defineTarget(target, 'production')).code).toBe(0);

  // History that ended before the retention period is purged when this promotion ends.
  const store = new PromotionStore(fx.controlDb);
  const ancient = await recordAncientPromotion(store, bundle, target);
  const promoted = await cli(
    'bundle',
    'promote',
    bundle,
    '--target',
    target,
    '--user',
    'pat',
    '--retention-days',
    '30',
    '--json',
  );
  expect(promoted.code).toBe(0);
  const { promotionId, result } = promoted.json();
  expect(result).toMatchObject({ created: 2, historyPurged: 1 });
  expect(await store.get(ancient)).toBeUndefined();
  expect(await definitionOn(fx.knex('production'), ASSET_FORM)).toEqual({ layout: 'v1' });

  const history = await cli('bundle', 'history', '--bundle', bundle, '--user', 'pat', '--json');
  expect(history.json().history).toEqual([
    expect.objectContaining({ id: promotionId, bundleName: bundle, requestedBy: 'pat' }),
  ]);
  const backOut = await cli('bundle', 'back-out', promotionId, '--user', 'pat');
  expect(backOut.code).toBe(0);
  expect(await definitionOn(fx.knex('production'), ASSET_FORM)).toBeUndefined();
  await promotesSingleItems(bundle, target);
}

/** A single item, without a bundle; `backout` is the same command as `back-out`. */
async function promotesSingleItems(bundle: string, target: string): Promise<void> {
  const single = await promoteAssetForm(target, '--json');
  expect(single.code).toBe(0);
  expect(single.json().result).toMatchObject({ created: 1, updated: 0 });
  expect(await definitionOn(fx.knex('production'), ASSET_FORM)).toEqual({ layout: 'v1' });
  expect((await cli('bundle', 'backout', single.json().promotionId, '--user', 'pat')).code).toBe(0);
  expect(await definitionOn(fx.knex('production'), ASSET_FORM)).toBeUndefined();
  const both = await promoteAssetForm(target, bundle);
  expect(both.code).toBe(2);
  expect(both.stderr).toBe('stagecoach: name a bundle or single items with --item, not both\n');
  const noSource = await cli('bundle', 'promote', '--item', ASSET_FORM, '--target', target, '--user', 'pat');
  expect(noSource.code).toBe(2);
  expect(noSource.stderr).toMatch(/--item needs --source/);
}

async function schedulesReschedulesAndCancels(): Promise<void> {
  const bundle = unique('cli');
  const target = unique('uat');
  await createBundle(bundle, [ASSET_FORM]);
  await defineTarget(target, 'uat');
  const at = new Date(Date.now() + 3_600_000).toISOString();
  const scheduled = await cli('bundle', 'schedule', bundle, '--target', target, '--at', at, '--user', 'pat', '--json');
  const { promotionId } = scheduled.json();
  expect(scheduled.json().status).toMatchObject({ phase: 'scheduled', content: 'snapshot' });
  const status = await cli('bundle', 'promotion', promotionId, '--json');
  expect(status.json()).toMatchObject({ promotionId, phase: 'scheduled', scheduledFor: at });
  expect((await cli('bundle', 'schedule', bundle, '--target', target, '--user', 'pat')).code).toBe(2);

  const later = new Date(Date.now() + 7_200_000).toISOString();
  const moved = await cli('bundle', 'reschedule', promotionId, '--at', later, '--user', 'pat', '--json');
  expect(moved.code).toBe(0);
  expect(moved.json()).toEqual({ promotionId, scheduledFor: later });
  expect((await cli('bundle', 'promotion', promotionId, '--json')).json()).toMatchObject({
    phase: 'scheduled',
    scheduledFor: later,
  });
  const notAllowed = await cli('bundle', 'reschedule', promotionId, '--at', at, '--user', 'carol');
  expect(notAllowed.code).toBe(4);
  expect(notAllowed.stderr).toMatch(
    new RegExp(`^stagecoach: user 'carol' may not reschedule promotion ${promotionId}: it needs role promotion-admin`),
  );
  expect((await cli('bundle', 'reschedule', promotionId, '--at', 'next friday', '--user', 'pat')).code).toBe(2);
  const refused = await cli('bundle', 'cancel', promotionId, '--user', 'carol', '--reason', 'not mine');
  expect(refused.code).toBe(4);
  expect(refused.stderr).toContain(
    `user 'carol' may not cancel promotion ${promotionId}: it needs role promotion-admin`,
  );
  const cancel = await cli('bundle', 'cancel', promotionId, '--user', 'pat', '--reason', 'moved', '--json');
  expect(cancel.code).toBe(0);
  expect(cancel.json()).toMatchObject({ phase: 'cancelled', error: 'cancelled by pat: moved' });
  await listsRemovesAndRefuses(bundle);
}

async function listsRemovesAndRefuses(bundle: string): Promise<void> {
  const listed = await cli('bundle', 'list', '--user', 'pat', '--json');
  expect(listed.json().bundles).toEqual(
    expect.arrayContaining([expect.objectContaining({ name: bundle, itemCount: 1 })]),
  );
  expect((await cli('bundle', 'remove', bundle, '--guid', ASSET_FORM, '--user', 'bea')).code).toBe(0);
  expect((await cli('bundle', 'show', bundle, '--user', 'pat', '--json')).json().bundle.items).toEqual([]);

  const noRole = await cli('bundle', 'create', 'nope', '--source', staging(), '--user', 'carol');
  expect(noRole.code).toBe(4);
  expect(noRole.stderr).toBe(
    "stagecoach: user 'carol' may not create bundle 'nope': it needs role bundle-admin (or admin); carol has no role\n",
  );
  const missing = await cli('bundle', 'add', bundle, '--item', 'Form:No Such Form', '--user', 'bea');
  expect(missing.code).toBe(3);
}

describe('stagecoach bundle', () => {
  it('creates a bundle, promotes it now, shows history, backs it out', promotesNowShowsHistoryAndBacksOut, 120_000);

  it(
    'schedules a promotion and cancels it; refusals exit 4 naming the role, unknown items 3',
    schedulesReschedulesAndCancels,
    120_000,
  );
});
