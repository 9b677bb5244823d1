import { ApplicationFailure } from '@temporalio/common';
import {
  BackOutOutcome,
  type MetadataFingerprint,
  PreparedPromotion,
  PreparePromotionInput,
  PromotionOutcome,
} from '../../contracts/promotions';
import { instanceKey, type InstanceRef } from '../../domain/landscapes';
import type {
  DefinitionItem,
  PromotionItem,
  PromotionRecord,
  PromotionTarget,
} from '../../domain/promotions/bundle-types';
import {
  backOutSteps,
  planAlreadyApplied,
  planPromotion,
  type PromotionChange,
} from '../../domain/promotions/promotion-plan';
import { promotionImpact } from '../../domain/promotions/promotion-impact';
import { refusalFor, ROLES } from '../../domain/roles';
import { invalid, requireRole, type BundleActivityDependencies } from './bundle-dependencies';
import {
  fingerprintMetadata,
  readSourceItems,
  readTargetRows,
  resolveSelectors,
  restoreBeforeImages,
  writeChanges,
} from './metadata-items';

export function createPromotionActivities(deps: BundleActivityDependencies) {
  return { ...createPromotionRunActivities(deps), ...createPromotionHistoryActivities(deps) };
}

/** Scheduling and running a promotion: prepare, steer, promote, finish. */
export function createPromotionRunActivities(deps: BundleActivityDependencies) {
  const now = () => nowOf(deps);
  const targetOf = (name: string) => promotionTarget(deps, name);

  return {
    /** Checks roles, records the promotion and, for a snapshot, freezes the items' content now. */
    async preparePromotion(input: PreparePromotionInput): Promise<PreparedPromotion> {
      const what = input.bundle ? `bundle '${input.bundle}'` : 'items';
      requireRole(deps, input.requestedBy, ROLES.promotionAdmin, `promote ${what} to target '${input.targetName}'`);
      const target = await targetOf(input.targetName);
      requireAcceptBundle(deps, target);
      const existing = await deps.promotions.get(input.promotionId);
      if (existing)
        return {
          promotionId: existing.id,
          target: target.instance,
          itemCount: (await deps.promotions.items(existing.id)).length,
        };

      const { source, items } = await selectedItems(deps, input);
      if (instanceKey(source) === instanceKey(target.instance))
        invalid(`promotion target '${target.name}' is the source ${instanceKey(source)} itself`);
      const snapshot = input.content === 'snapshot';
      const rows: PromotionItem[] = items.map((item) => ({ ...item, definition: snapshot ? item.definition : null }));
      await deps.promotions.create(
        {
          id: input.promotionId,
          bundleName: input.bundle,
          targetName: target.name,
          source,
          content: input.content,
          status: 'scheduled',
          requestedBy: input.requestedBy,
          scheduledFor: input.scheduledFor,
          createdAt: now(),
        },
        rows,
      );
      return { promotionId: input.promotionId, target: target.instance, itemCount: rows.length };
    },

    /** Role check for steering a promotion (reschedule, back-out), recorded nowhere when refused. */
    async authorizePromotionAction(input: { user: string; action: string }): Promise<void> {
      requireRole(deps, input.user, ROLES.promotionAdmin, input.action);
    },

    async recordPromotionSchedule(input: { promotionId: string; scheduledFor: string }): Promise<void> {
      await deps.promotions.transition(input.promotionId, ['scheduled'], 'scheduled', {
        scheduledFor: input.scheduledFor,
      });
    },

    /** All items in one transaction on the target; the before-images are saved first for back-out. */
    async promoteToTarget(input: { promotionId: string }): Promise<PromotionOutcome> {
      return promoteRecorded(deps, input.promotionId);
    },

    /** Ends a promotion that did not promote (failed or cancelled), keeping the reason. */
    async finishPromotion(input: {
      promotionId: string;
      status: 'failed' | 'cancelled';
      reason: string;
    }): Promise<void> {
      await deps.promotions.transition(input.promotionId, ['scheduled', 'promoting'], input.status, {
        finishedAt: now(),
        outcome: { reason: input.reason },
      });
    },
  };
}

/** A recorded promotion afterwards: describing it, backing it out, purging the history. */
export function createPromotionHistoryActivities(deps: BundleActivityDependencies) {
  const now = () => nowOf(deps);
  const recordOf = (id: string) => promotionRecord(deps, id);
  const targetOf = (name: string) => promotionTarget(deps, name);

  return {
    async describePromotion(input: { promotionId: string }): Promise<PromotionRecord & { target: InstanceRef }> {
      const record = await recordOf(input.promotionId);
      return { ...record, target: (await targetOf(record.targetName)).instance };
    },

    /** Deletes what the promotion created and restores what it updated, in one transaction. */
    async backOutPromotion(input: { promotionId: string; user: string }): Promise<BackOutOutcome> {
      requireRole(deps, input.user, ROLES.promotionAdmin, `back out promotion ${input.promotionId}`);
      const record = await recordOf(input.promotionId);
      if (record.status === 'backed-out') return record.outcome?.backOut as BackOutOutcome;
      if (record.status !== 'promoted')
        invalid(`promotion ${record.id} is ${record.status}: only a promoted one can be backed out`);
      const target = await targetOf(record.targetName);
      const knex = await deps.tenantDatabases().knexFor(target.instance);
      const changes: PromotionChange[] = await deps.promotions.changes(record.id);
      const { deletes, restores } = backOutSteps(changes);
      await knex.transaction((trx) => restoreBeforeImages(trx, deletes, restores));
      const fingerprintAfter = await fingerprintMetadata(knex);
      const before = record.outcome?.fingerprintBefore as MetadataFingerprint | undefined;
      const backOut: BackOutOutcome = {
        promotionId: record.id,
        target: instanceKey(target.instance),
        deleted: deletes.length,
        restored: restores.length,
        fingerprintAfter,
        matchesBeforePromotion:
          before?.rows === fingerprintAfter.rows && before?.checksum === fingerprintAfter.checksum,
      };
      await deps.promotions.transition(record.id, ['promoted'], 'backed-out', {
        outcome: { ...record.outcome, backOut: { ...backOut, by: input.user, at: now() } },
      });
      return backOut;
    },

    /** Retention (docs/mass-deployment-and-promotions.md "Promotion history"): finished promotions older than that go. */
    async purgePromotionHistory(input: { retentionDays: number }): Promise<{ purged: number; before: string }> {
      if (!(input.retentionDays >= 0))
        invalid(`retentionDays must be a number of days ≥ 0, got ${input.retentionDays}`);
      const before = new Date(deps.clock.now().getTime() - input.retentionDays * 86_400_000).toISOString();
      return { purged: await deps.promotions.purgeFinishedBefore(before), before };
    },
  };
}

/** promoteToTarget's work: all items in one transaction on the target, before-images saved first for back-out. */
async function promoteRecorded(deps: BundleActivityDependencies, promotionId: string): Promise<PromotionOutcome> {
  const record = await promotionRecord(deps, promotionId);
  if (record.status === 'promoted') return record.outcome as unknown as PromotionOutcome;
  const target = await promotionTarget(deps, record.targetName);
  requireAcceptBundle(deps, target);
  const items = await contentOf(deps, record);
  const knex = await deps.tenantDatabases().knexFor(target.instance);
  const targetRows = await readTargetRows(knex, items);
  const saved = await deps.promotions.changes(record.id);
  const resumed = record.status === 'promoting' && saved.length > 0 && planAlreadyApplied(saved, targetRows);

  let fingerprintBefore =
    (record.outcome?.fingerprintBefore as MetadataFingerprint | undefined) ?? (await fingerprintMetadata(knex));
  let changes = saved;
  let unchanged = 0;
  let backupId = record.outcome?.backupId as number | undefined;
  if (!resumed) {
    const plan = planPromotion(items, targetRows);
    if (plan.conflicts.length > 0) {
      throw ApplicationFailure.nonRetryable(
        `promotion ${record.id} to ${instanceKey(target.instance)} refused, nothing written: ${plan.conflicts.join('; ')}`,
        'PromotionConflict',
      );
    }
    backupId = await backupIfLocked(deps, record.id, target.instance, plan.changes);
    fingerprintBefore = await fingerprintMetadata(knex);
    await deps.promotions.saveChanges(record.id, plan.changes);
    await deps.promotions.transition(record.id, ['scheduled', 'promoting'], 'promoting', {
      outcome: { fingerprintBefore, ...(backupId === undefined ? {} : { backupId }) },
    });
    const at = nowOf(deps);
    await knex.transaction((trx) => writeChanges(trx, plan.changes, at));
    changes = plan.changes;
    unchanged = plan.unchanged.length;
  }
  const outcome: PromotionOutcome = {
    promotionId: record.id,
    target: instanceKey(target.instance),
    created: changes.filter((c) => c.action === 'create').length,
    updated: changes.filter((c) => c.action === 'update').length,
    unchanged,
    fingerprintBefore,
    fingerprintAfter: await fingerprintMetadata(knex),
    ...(backupId === undefined ? {} : { backupId }),
  };
  await deps.promotions.transition(record.id, ['promoting'], 'promoted', {
    finishedAt: nowOf(deps),
    outcome: { ...outcome },
  });
  return outcome;
}

/**
 * docs/mass-deployment-and-promotions.md "Locked targets": a promotion follows the package rules. On a target with its
 * metadata locked a high-impact promotion is refused before anything is written; any other is written only after a
 * backup (named by the promotion, so a retry finds it), which is kept with the promotion's outcome.
 */
async function backupIfLocked(
  deps: BundleActivityDependencies,
  promotionId: string,
  target: InstanceRef,
  changes: PromotionChange[],
): Promise<number | undefined> {
  if (changes.length === 0) return undefined;
  const { metadataLocked } = await deps.readInstanceFlags({ instance: target });
  if (!metadataLocked) return undefined;
  const impact = promotionImpact(changes);
  if (impact.level === 'high')
    throw ApplicationFailure.nonRetryable(
      `promotion ${promotionId} to ${instanceKey(target)} refused, nothing written: the target has its metadata locked and the promotion is high impact (${impact.headline.slice(0, 3).join('; ')})`,
      'MetadataLocked',
    );
  const backup = await deps.backupDatabase({ instance: target, workflowId: promotionId });
  return backup.backupId;
}

function nowOf(deps: BundleActivityDependencies): string {
  return deps.clock.now().toISOString();
}

async function promotionRecord(deps: BundleActivityDependencies, id: string): Promise<PromotionRecord> {
  return (
    (await deps.promotions.get(id)) ??
    invalid(`promotion '${id}' is not in the promotion history (purged after its retention period?)`)
  );
}

async function promotionTarget(deps: BundleActivityDependencies, name: string): Promise<PromotionTarget> {
  return (await deps.bundles.getTarget(name)) ?? invalid(`promotion target '${name}' does not exist`);
}

/** docs/mass-deployment-and-promotions.md "Roles": the target accepts a bundle only as a user with the accept-bundle role. */
function requireAcceptBundle(deps: BundleActivityDependencies, target: PromotionTarget): void {
  const refusal = refusalFor(
    deps.roles(),
    target.targetUser,
    ROLES.acceptBundle,
    `accept bundles on ${instanceKey(target.instance)} (target '${target.name}')`,
  );
  if (refusal) throw ApplicationFailure.nonRetryable(refusal, 'PermissionDenied');
}

async function selectedItems(
  deps: BundleActivityDependencies,
  input: PreparePromotionInput,
): Promise<{ source: InstanceRef; items: DefinitionItem[] }> {
  if (input.bundle) {
    const bundle = (await deps.bundles.getBundle(input.bundle)) ?? invalid(`bundle '${input.bundle}' does not exist`);
    if (bundle.items.length === 0) invalid(`bundle '${bundle.name}' has no items to promote`);
    const knex = await deps.tenantDatabases().knexFor(bundle.source);
    return {
      source: bundle.source,
      items: await readSourceItems(
        knex,
        bundle.items.map((item) => item.guid),
        instanceKey(bundle.source),
      ),
    };
  }
  if (!input.items || input.items.selectors.length === 0) invalid('a promotion needs a bundle or at least one item');
  const knex = await deps.tenantDatabases().knexFor(input.items.source);
  return {
    source: input.items.source,
    items: await resolveSelectors(knex, input.items.selectors, instanceKey(input.items.source)),
  };
}

/** Snapshot: the content frozen when scheduled. Live: the source's content now. */
async function contentOf(deps: BundleActivityDependencies, record: PromotionRecord): Promise<DefinitionItem[]> {
  const items = await deps.promotions.items(record.id);
  if (record.content === 'snapshot') return items.map((item) => ({ ...item, definition: item.definition! }));
  const knex = await deps.tenantDatabases().knexFor(record.source);
  return readSourceItems(
    knex,
    items.map((item) => item.guid),
    instanceKey(record.source),
  );
}
