import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BundleCommandError } from '../../client';
import type { Landscape } from '../../domain/landscapes';
import type { PromotionContent } from '../../domain/promotions/bundle-types';
import { PromotionStore } from '../../store/promotion-store';
import { INCIDENT_BO_GUID } from '../support/packages/tenant-fixtures';
import { fingerprint } from '../support/packages/fingerprint';
import {
  ASSET_FORM,
  createBundleWithItems,
  defineTarget,
  definitionOn,
  ESCALATION_RULE,
  openPromotionFixture,
  type PromotionFixture,
} from '../support/promotions/promotion-fixture';
import { rejectionOf } from '../support/poll';

// Bundle promotion (docs/mass-deployment-and-promotions.md) on the real server, tenant databases on SQLite files.
let fx: PromotionFixture;
beforeAll(async () => {
  fx = await openPromotionFixture('sqlite');
});
afterAll(async () => fx?.close());

const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
const IN_AN_HOUR = () => new Date(Date.now() + 3_600_000).toISOString();

async function bundleWithItems(fixture = fx): Promise<string> {
  return createBundleWithItems(fixture, unique('release'));
}

async function targetFor(landscape: Landscape, targetUser = 'svc-accept'): Promise<string> {
  return defineTarget(fx, unique(landscape), landscape, { targetUser });
}

/** Schedules `bundle` to `targetName` an hour from now, as pat. */
async function scheduleInAnHour(bundle: string, targetName: string, content: PromotionContent) {
  return fx.ctx.client.promotions.promote({
    requestedBy: 'pat',
    targetName,
    bundle,
    scheduledFor: IN_AN_HOUR(),
    content,
  });
}

/** Sets the asset form's layout on the source (staging). */
async function setSourceLayout(layout: string): Promise<void> {
  await fx
    .knex('staging')('metadata_items')
    .where({ guid: ASSET_FORM })
    .update({ definition: JSON.stringify({ layout }) });
}

/** Reschedules the promotions to a second ago and waits for their outcomes. */
async function runNow(promotions: { promotionId: string }[]): Promise<unknown[]> {
  for (const { promotionId } of promotions) {
    await fx.ctx.client.promotions.reschedule(promotionId, {
      user: 'pat',
      at: new Date(Date.now() - 1000).toISOString(),
    });
  }
  const handles = promotions.map(({ promotionId }) => fx.ctx.client.temporal.workflow.getHandle(promotionId).result());
  return Promise.all(handles);
}

const refusalOf = (run: Promise<unknown>) => rejectionOf(run, BundleCommandError);

describe('roles (docs/mass-deployment-and-promotions.md)', () => {
  it('refuses a user without the needed role, naming the user, the action and the role', async () => {
    const noRole = await refusalOf(
      fx.ctx.client.promotions.bundleCommand({
        action: 'create-bundle',
        user: 'carol',
        bundle: 'nope',
        source: { tenant: fx.tenant, landscape: 'staging' },
      }),
    );
    expect(noRole.type).toBe('PermissionDenied');
    expect(noRole.message).toBe(
      "user 'carol' may not create bundle 'nope': it needs role bundle-admin (or admin); carol has no role",
    );

    const bundle = await bundleWithItems();
    const target = await targetFor('production');
    const before = await fingerprint(fx.knex('production'));
    const bundleAdminOnly = await refusalOf(
      fx.ctx.client.promotions.promote({ requestedBy: 'dave', targetName: target, bundle }),
    );
    expect(bundleAdminOnly.message).toBe(
      `user 'dave' may not promote bundle '${bundle}' to target '${target}': it needs role promotion-admin (or admin); dave has roles bundle-admin`,
    );

    const noAccept = await targetFor('production', 'intern');
    const notAccepted = await refusalOf(
      fx.ctx.client.promotions.promote({ requestedBy: 'pat', targetName: noAccept, bundle }),
    );
    expect(notAccepted.message).toBe(
      `user 'intern' may not accept bundles on ${fx.tenant}/production (target '${noAccept}'): it needs role accept-bundle; intern has no role`,
    );
    expect(await fingerprint(fx.knex('production'))).toEqual(before);

    const history = await fx.ctx.client.promotions.bundleCommand({ action: 'history', user: 'pat', bundle });
    expect(history.history).toEqual([]);
    const promotionAdminCannotEditBundles = await refusalOf(
      fx.ctx.client.promotions.bundleCommand({
        action: 'add-items',
        user: 'pat',
        bundle,
        items: [{ guid: ASSET_FORM }],
      }),
    );
    expect(promotionAdminCannotEditBundles.message).toContain("user 'pat' may not add items to bundle");
  });

  it('refuses a target whose credential is not a reference', async () => {
    const error = await refusalOf(
      fx.ctx.client.promotions.bundleCommand({
        action: 'define-target',
        user: 'root',
        target: {
          name: 'leaky',
          instance: { tenant: fx.tenant, landscape: 'uat' },
          targetUser: 'svc-accept',
          credentialRef: 'hunter2',
        },
      }),
    );
    expect(error.message).toContain(
      'credentialRef must be a reference such as ${PROMOTE_PASSWORD} or vault:<path>, never the secret itself',
    );
  });
});

describe('scheduled promotions', () => {
  it('a snapshot carries the content of scheduling time, a live one the content of run time', async () => {
    const bundle = await bundleWithItems();
    const production = await targetFor('production');
    const uat = await targetFor('uat');
    const snapshot = await scheduleInAnHour(bundle, production, 'snapshot');
    const live = await scheduleInAnHour(bundle, uat, 'live');
    expect(snapshot.status).toMatchObject({ phase: 'scheduled', content: 'snapshot', itemCount: 3 });
    expect(live.status).toMatchObject({ phase: 'scheduled', content: 'live', itemCount: 3 });

    // Someone goes on working on the source after the promotions were scheduled.
    await setSourceLayout('v2');

    const [snapshotOutcome, liveOutcome] = await runNow([snapshot, live]);
    expect(snapshotOutcome).toMatchObject({ created: 2, updated: 1 });
    expect(liveOutcome).toMatchObject({ created: 2, updated: 1 });
    expect(await definitionOn(fx.knex('production'), ASSET_FORM)).toEqual({ layout: 'v1' });
    expect(await definitionOn(fx.knex('uat'), ASSET_FORM)).toEqual({ layout: 'v2' });
    expect(await definitionOn(fx.knex('production'), INCIDENT_BO_GUID)).toEqual({
      table: 'incidents',
      label: 'Incident (staging)',
    });
    await setSourceLayout('v1');
    // Leave the targets as they were for the other tests.
    await fx.ctx.client.promotions.backOut({ promotionId: snapshot.promotionId, user: 'pat' });
    await fx.ctx.client.promotions.backOut({ promotionId: live.promotionId, user: 'pat' });
  });

  it('a reschedule needs promotion-admin and a date; a cancelled promotion writes nothing', async () => {
    const bundle = await bundleWithItems();
    const target = await targetFor('production');
    const before = await fingerprint(fx.knex('production'));
    const { promotionId } = await fx.ctx.client.promotions.promote({
      requestedBy: 'root',
      targetName: target,
      bundle,
      scheduledFor: IN_AN_HOUR(),
    });

    const refused = await refusalOf(
      fx.ctx.client.promotions.reschedule(promotionId, { user: 'dave', at: IN_AN_HOUR() }),
    );
    expect(refused.message).toBe(
      `user 'dave' may not reschedule promotion ${promotionId}: it needs role promotion-admin (or admin); dave has roles bundle-admin`,
    );
    const badDate = await refusalOf(
      fx.ctx.client.promotions.reschedule(promotionId, { user: 'pat', at: 'next tuesday' }),
    );
    expect(badDate.message).toContain("'next tuesday' is not a date and time");

    const later = new Date(Date.now() + 7_200_000).toISOString();
    expect(await fx.ctx.client.promotions.reschedule(promotionId, { user: 'pat', at: later })).toEqual({
      scheduledFor: later,
    });
    expect(await fx.ctx.client.promotions.status(promotionId)).toMatchObject({
      phase: 'scheduled',
      scheduledFor: later,
      reschedules: [{ user: 'pat', at: later }],
    });

    const outsider = await refusalOf(fx.ctx.client.promotions.cancel(promotionId, { user: 'bea', reason: 'tidy up' }));
    expect(outsider.message).toContain(
      `user 'bea' may not cancel promotion ${promotionId}: it needs role promotion-admin`,
    );
    expect(await fx.ctx.client.promotions.status(promotionId)).toMatchObject({ phase: 'scheduled' });
    expect(
      await fx.ctx.client.promotions.cancel(promotionId, { user: 'pat', reason: 'customer asked to wait' }),
    ).toMatchObject({
      phase: 'cancelled',
      cancelledBy: { user: 'pat', reason: 'customer asked to wait' },
      error: 'cancelled by pat: customer asked to wait',
    });
    expect(await fingerprint(fx.knex('production'))).toEqual(before);
    const history = await fx.ctx.client.promotions.bundleCommand({ action: 'history', user: 'bea', bundle });
    expect(history.history).toMatchObject([
      { id: promotionId, status: 'cancelled', scheduledFor: later, requestedBy: 'root' },
    ]);
  });
});

describe('history retention', () => {
  it('a promotion purges history that finished longer ago than the retention period', async () => {
    const store = new PromotionStore(fx.controlDb);
    const old = {
      bundleName: 'ancient',
      targetName: 'gone',
      source: { tenant: fx.tenant, landscape: 'staging' as const },
      content: 'live' as const,
      status: 'scheduled' as const,
      requestedBy: 'pat',
    };
    await store.create({ ...old, id: 'promotion/gone/old', createdAt: '2020-01-01T00:00:00.000Z' }, []);
    await store.transition('promotion/gone/old', ['scheduled'], 'failed', {
      finishedAt: '2020-01-01T00:05:00.000Z',
      outcome: { reason: 'long ago' },
    });
    await store.create({ ...old, id: 'promotion/gone/recent', createdAt: new Date().toISOString() }, []);
    await store.transition('promotion/gone/recent', ['scheduled'], 'failed', {
      finishedAt: new Date().toISOString(),
      outcome: { reason: 'today' },
    });

    const bundle = await bundleWithItems();
    const { promotionId, result } = await fx.ctx.client.promotions.promote({
      requestedBy: 'pat',
      targetName: await targetFor('uat'),
      bundle,
      retentionDays: 30,
    });
    expect(result!.historyPurged).toBe(1);
    expect(await store.get('promotion/gone/old')).toBeUndefined();
    expect(await store.get('promotion/gone/recent')).toMatchObject({ status: 'failed' });
    expect(await store.get(promotionId)).toMatchObject({ status: 'promoted' });
    await fx.ctx.client.promotions.backOut({ promotionId, user: 'pat' });
  });
});

describe.each(['sqlite', 'postgres'] as const)('promotion now and back-out on %s', (engine) => {
  let own: PromotionFixture;
  beforeAll(async () => {
    own = engine === 'sqlite' ? fx : await openPromotionFixture(engine);
  });
  afterAll(async () => {
    if (own !== fx) await own?.close();
  });

  it('back-out returns the target to its fingerprint from before the promotion', async () => {
    const client = own.ctx.client;
    const bundle = await bundleWithItems(own);
    const target = await defineTarget(own, unique('production'), 'production', {
      credentialRef: 'vault:stagecoach/promote',
    });
    const before = await fingerprint(own.knex('production'));
    const { promotionId, result } = await client.promotions.promote({ requestedBy: 'pat', targetName: target, bundle });
    expect(result).toMatchObject({ created: 2, updated: 1, unchanged: 0 });
    expect(await definitionOn(own.knex('production'), ESCALATION_RULE)).toEqual({ when: 'priority = 1' });
    expect(await fingerprint(own.knex('production'))).not.toEqual(before);

    const refused = await refusalOf(client.promotions.backOut({ promotionId, user: 'bea' }));
    expect(refused.message).toContain(
      `user 'bea' may not back out promotion ${promotionId}: it needs role promotion-admin`,
    );
    const backOut = await client.promotions.backOut({ promotionId, user: 'root' });
    expect(backOut).toMatchObject({ deleted: 2, restored: 1, matchesBeforePromotion: true });
    expect(await fingerprint(own.knex('production'))).toEqual(before);
    const history = await client.promotions.bundleCommand({ action: 'history', user: 'pat', target });
    expect(history.history).toMatchObject([{ id: promotionId, status: 'backed-out', requestedBy: 'pat' }]);
  });
});
