import type { Knex } from 'knex';
import type { Landscape } from '../domain/landscapes';
import type {
  PromotionContent,
  PromotionItem,
  PromotionRecord,
  PromotionRecordStatus,
} from '../domain/promotions/bundle-types';
import type { PromotionChange } from '../domain/promotions/promotion-plan';
import { insertOnce } from './unique-violation';

interface PromotionRow {
  id: string;
  bundle_name: string | null;
  target_name: string;
  source_tenant: string;
  source_landscape: string;
  content: string;
  status: string;
  requested_by: string;
  scheduled_for: string | null;
  created_at: string;
  finished_at: string | null;
  outcome: string | null;
}

/** Promotion history (docs/mass-deployment-and-promotions.md) with what each promotion changed, in the control database. */
export class PromotionStore {
  constructor(private readonly knex: Knex) {}

  /** Records a new promotion with its items; false when the id exists (a retried activity). */
  async create(record: Omit<PromotionRecord, 'finishedAt' | 'outcome'>, items: PromotionItem[]): Promise<boolean> {
    return insertOnce(
      this.knex.transaction(async (trx) => {
        await trx<PromotionRow>('promotions').insert({
          id: record.id,
          bundle_name: record.bundleName ?? null,
          target_name: record.targetName,
          source_tenant: record.source.tenant,
          source_landscape: record.source.landscape,
          content: record.content,
          status: record.status,
          requested_by: record.requestedBy,
          scheduled_for: record.scheduledFor ?? null,
          created_at: record.createdAt,
        });
        for (const item of items) {
          await trx('promotion_items').insert({
            promotion_id: record.id,
            guid: item.guid,
            object_type: item.objectType,
            business_object: item.businessObject,
            name: item.name,
            definition: item.definition,
          });
        }
      }),
    );
  }

  async get(id: string): Promise<PromotionRecord | undefined> {
    const row = await this.knex<PromotionRow>('promotions').where({ id }).first();
    return row ? recordOf(row) : undefined;
  }

  async items(id: string): Promise<PromotionItem[]> {
    const rows = await this.knex('promotion_items').where({ promotion_id: id }).orderBy('guid');
    return rows.map((row: Record<string, string | null>) => ({
      guid: row.guid!,
      objectType: row.object_type!,
      businessObject: row.business_object,
      name: row.name!,
      definition: row.definition,
    }));
  }

  /** Moves a promotion between statuses; false when it was not in one of `from` (row count check). */
  async transition(
    id: string,
    from: PromotionRecordStatus[],
    to: PromotionRecordStatus,
    fields: { finishedAt?: string; outcome?: Record<string, unknown>; scheduledFor?: string } = {},
  ): Promise<boolean> {
    const update: Partial<PromotionRow> = { status: to };
    if (fields.finishedAt !== undefined) update.finished_at = fields.finishedAt;
    if (fields.outcome !== undefined) update.outcome = JSON.stringify(fields.outcome);
    if (fields.scheduledFor !== undefined) update.scheduled_for = fields.scheduledFor;
    const count = await this.knex<PromotionRow>('promotions').where({ id }).whereIn('status', from).update(update);
    return count === 1;
  }

  /** Stores the plan before the target is written, so a retry and a back-out find the before-images. */
  async saveChanges(id: string, changes: PromotionChange[]): Promise<void> {
    await this.knex.transaction(async (trx) => {
      await trx('promotion_changes').where({ promotion_id: id }).delete();
      for (const change of changes) {
        await trx('promotion_changes').insert({
          promotion_id: id,
          guid: change.item.guid,
          action: change.action,
          item: JSON.stringify(change.item),
          before_image: change.action === 'update' ? JSON.stringify(change.before) : null,
        });
      }
    });
  }

  async changes(id: string): Promise<PromotionChange[]> {
    const rows = await this.knex('promotion_changes').where({ promotion_id: id }).orderBy('guid');
    return rows.map((row: { action: string; item: string; before_image: string | null }) =>
      row.action === 'update'
        ? { action: 'update' as const, item: JSON.parse(row.item), before: JSON.parse(row.before_image!) }
        : { action: 'create' as const, item: JSON.parse(row.item) },
    );
  }

  /** Newest first; optionally of one bundle or target. */
  async history(filter: { bundleName?: string; targetName?: string } = {}, limit = 100): Promise<PromotionRecord[]> {
    let query = this.knex<PromotionRow>('promotions')
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit);
    if (filter.bundleName) query = query.where({ bundle_name: filter.bundleName });
    if (filter.targetName) query = query.where({ target_name: filter.targetName });
    return (await query).map(recordOf);
  }

  /** Deletes finished promotions (and their items and changes) that finished before `before`. */
  async purgeFinishedBefore(before: string): Promise<number> {
    return this.knex.transaction(async (trx) => {
      const ids = (
        await trx<PromotionRow>('promotions').whereNotNull('finished_at').where('finished_at', '<', before).select('id')
      ).map((r) => r.id);
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        await trx('promotion_changes').whereIn('promotion_id', chunk).delete();
        await trx('promotion_items').whereIn('promotion_id', chunk).delete();
        await trx('promotions').whereIn('id', chunk).delete();
      }
      return ids.length;
    });
  }
}

function recordOf(row: PromotionRow): PromotionRecord {
  return {
    id: row.id,
    bundleName: row.bundle_name ?? undefined,
    targetName: row.target_name,
    source: { tenant: row.source_tenant, landscape: row.source_landscape as Landscape },
    content: row.content as PromotionContent,
    status: row.status as PromotionRecordStatus,
    requestedBy: row.requested_by,
    scheduledFor: row.scheduled_for ?? undefined,
    createdAt: row.created_at,
    finishedAt: row.finished_at ?? undefined,
    outcome: row.outcome ? (JSON.parse(row.outcome) as Record<string, unknown>) : undefined,
  };
}
