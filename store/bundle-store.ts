import type { Knex } from 'knex';
import type { Landscape } from '../domain/landscapes';
import type { Bundle, BundleItem, PromotionTarget } from '../domain/promotions/bundle-types';
import { insertOnce } from './unique-violation';

interface BundleRow {
  name: string;
  source_tenant: string;
  source_landscape: string;
  description: string | null;
  created_by: string;
  created_at: string;
}

interface BundleItemRow {
  bundle_name: string;
  guid: string;
  object_type: string;
  business_object: string | null;
  name: string;
  added_by: string;
  added_at: string;
}

interface TargetRow {
  name: string;
  tenant: string;
  landscape: string;
  target_user: string;
  credential_ref: string;
  created_by: string;
  created_at: string;
}

/** Bundles, their items and promotion targets (docs/mass-deployment-and-promotions.md "Bundles") in the control database. */
export class BundleStore {
  constructor(private readonly knex: Knex) {}

  /** False when a bundle of that name exists already. */
  async createBundle(bundle: Omit<Bundle, 'items'>): Promise<boolean> {
    return insertOnce(
      this.knex<BundleRow>('bundles').insert({
        name: bundle.name,
        source_tenant: bundle.source.tenant,
        source_landscape: bundle.source.landscape,
        description: bundle.description ?? null,
        created_by: bundle.createdBy,
        created_at: bundle.createdAt,
      }),
    );
  }

  async getBundle(name: string): Promise<Bundle | undefined> {
    const row = await this.knex<BundleRow>('bundles').where({ name }).first();
    if (!row) return undefined;
    const items = await this.knex<BundleItemRow>('bundle_items')
      .where({ bundle_name: name })
      .orderBy(['object_type', 'name']);
    return {
      name: row.name,
      source: { tenant: row.source_tenant, landscape: row.source_landscape as Landscape },
      description: row.description ?? undefined,
      createdBy: row.created_by,
      createdAt: row.created_at,
      items: items.map((item) => ({
        guid: item.guid,
        objectType: item.object_type,
        businessObject: item.business_object,
        name: item.name,
        addedBy: item.added_by,
        addedAt: item.added_at,
      })),
    };
  }

  async listBundles(): Promise<Array<Omit<Bundle, 'items'> & { itemCount: number }>> {
    const rows = await this.knex<BundleRow>('bundles').orderBy('name');
    const counts = await this.knex('bundle_items').select('bundle_name').count({ n: '*' }).groupBy('bundle_name');
    const countOf = new Map(
      (counts as Array<{ bundle_name: string; n: number | string }>).map((c) => [c.bundle_name, Number(c.n)]),
    );
    return rows.map((row) => ({
      name: row.name,
      source: { tenant: row.source_tenant, landscape: row.source_landscape as Landscape },
      description: row.description ?? undefined,
      createdBy: row.created_by,
      createdAt: row.created_at,
      itemCount: countOf.get(row.name) ?? 0,
    }));
  }

  /** Adds items; one already in the bundle is refreshed (its name may have changed on the source). */
  async addItems(bundleName: string, items: BundleItem[]): Promise<void> {
    await this.knex.transaction(async (trx) => {
      for (const item of items) {
        await trx('bundle_items').where({ bundle_name: bundleName, guid: item.guid }).delete();
        await trx<BundleItemRow>('bundle_items').insert({
          bundle_name: bundleName,
          guid: item.guid,
          object_type: item.objectType,
          business_object: item.businessObject,
          name: item.name,
          added_by: item.addedBy,
          added_at: item.addedAt,
        });
      }
    });
  }

  async removeItems(bundleName: string, guids: string[]): Promise<number> {
    return this.knex('bundle_items').where({ bundle_name: bundleName }).whereIn('guid', guids).delete();
  }

  /** Creates or replaces a target (promotion admins edit targets, docs/mass-deployment-and-promotions.md "Roles"). */
  async putTarget(target: PromotionTarget, by: { createdBy: string; createdAt: string }): Promise<void> {
    await this.knex.transaction(async (trx) => {
      await trx('promotion_targets').where({ name: target.name }).delete();
      await trx<TargetRow>('promotion_targets').insert({
        name: target.name,
        tenant: target.instance.tenant,
        landscape: target.instance.landscape,
        target_user: target.targetUser,
        credential_ref: target.credentialRef,
        created_by: by.createdBy,
        created_at: by.createdAt,
      });
    });
  }

  async getTarget(name: string): Promise<PromotionTarget | undefined> {
    const row = await this.knex<TargetRow>('promotion_targets').where({ name }).first();
    return row ? targetOf(row) : undefined;
  }

  async listTargets(): Promise<PromotionTarget[]> {
    return (await this.knex<TargetRow>('promotion_targets').orderBy('name')).map(targetOf);
  }
}

function targetOf(row: TargetRow): PromotionTarget {
  return {
    name: row.name,
    instance: { tenant: row.tenant, landscape: row.landscape as Landscape },
    targetUser: row.target_user,
    credentialRef: row.credential_ref,
  };
}
