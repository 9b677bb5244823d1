import type { InstanceRef } from '../landscapes';

/**
 * Bundles and promotion (docs/mass-deployment-and-promotions.md). A bundle groups definitions of several types
 * (rows of a source instance's `metadata_items`); a promotion copies them to a target instance.
 */

/** How an item is named when it is added: by GUID, or by type and name (resolved on the source). */
export type ItemSelector = { guid: string } | { objectType: string; name: string; businessObject?: string };

/** One definition as a promotion carries it: the identity of a `metadata_items` row and its body. */
export interface DefinitionItem {
  guid: string;
  objectType: string;
  businessObject: string | null;
  name: string;
  /** The JSON body, as text, exactly as stored on the source. */
  definition: string;
}

/** A target row as it was before a promotion touched it: what back-out puts back. */
export interface TargetRow extends DefinitionItem {
  installedByPackage: string | null;
  updatedAt: string;
}

/** Where promotions go: another instance, and who accepts the bundle there (docs/mass-deployment-and-promotions.md "Bundles"). */
export interface PromotionTarget {
  name: string;
  instance: InstanceRef;
  /** The user the promotion acts as on the target; needs the accept-bundle role. */
  targetUser: string;
  /** A reference to the target user's credential (`${ENV_NAME}` or a vault path); never the secret. */
  credentialRef: string;
}

/**
 * When a scheduled promotion reads its content: `snapshot` freezes it in the control database when
 * scheduled, `live` reads the source when it runs. A promotion started now is `live`.
 */
export const PROMOTION_CONTENT = ['snapshot', 'live'] as const;
export type PromotionContent = (typeof PROMOTION_CONTENT)[number];

export const PROMOTION_STATUSES = ['scheduled', 'promoting', 'promoted', 'failed', 'cancelled', 'backed-out'] as const;
export type PromotionRecordStatus = (typeof PROMOTION_STATUSES)[number];

/** Bundle and target names: safe in workflow ids and messages. */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,99}$/;

export function checkName(kind: string, name: string): string | undefined {
  return NAME_PATTERN.test(name)
    ? undefined
    : `${kind} name '${name}' must be lower-case letters, digits, '.', '_' or '-' (at most 100)`;
}

export interface Bundle {
  name: string;
  source: InstanceRef;
  description?: string;
  createdBy: string;
  createdAt: string;
  items: BundleItem[];
}

export type BundleItem = Omit<DefinitionItem, 'definition'> & { addedBy: string; addedAt: string };

export interface PromotionRecord {
  id: string;
  bundleName?: string;
  targetName: string;
  source: InstanceRef;
  content: PromotionContent;
  status: PromotionRecordStatus;
  requestedBy: string;
  scheduledFor?: string;
  createdAt: string;
  finishedAt?: string;
  /** Counts, fingerprints, the error: whatever the step that finished it recorded. */
  outcome?: Record<string, unknown>;
}

/** An item of a promotion; `definition` is set only for snapshot promotions. */
export type PromotionItem = Omit<DefinitionItem, 'definition'> & { definition: string | null };
