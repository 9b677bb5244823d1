/**
 * Queries and updates of bundle promotions (docs/mass-deployment-and-promotions.md), defined once with their payloads. Names are
 * wire names: renaming one breaks promotions already scheduled.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { InstanceRef } from '../domain/landscapes';
import type {
  Bundle,
  ItemSelector,
  PromotionContent,
  PromotionRecord,
  PromotionTarget,
} from '../domain/promotions/bundle-types';

export const PROMOTION_PHASES = [
  'preparing',
  'scheduled',
  'waiting-for-lock',
  'promoting',
  'promoted',
  'failed',
  'cancelled',
] as const;
export type PromotionPhase = (typeof PROMOTION_PHASES)[number];

export interface PromotionStatus {
  promotionId: string;
  phase: PromotionPhase;
  targetName: string;
  bundle?: string;
  content: PromotionContent;
  /** ISO date the promotion runs at; absent for one started now. */
  scheduledFor?: string;
  itemCount?: number;
  reschedules: Array<{ user: string; at: string; previous?: string }>;
  /** Who cancelled it and why (docs/approvals-locks-windows.md "Who may act"). */
  cancelledBy?: CancelPromotionRequest;
  error?: string;
}
export const promotionStatusQuery = defineQuery<PromotionStatus>('promotion-status');

export interface RescheduleRequest {
  user: string;
  /** The new ISO date and time. */
  at: string;
}
export const reschedulePromotionUpdate = defineUpdate<{ scheduledFor: string }, [RescheduleRequest]>(
  'reschedule-promotion',
);

/** Cancelling a promotion before it promotes: by a promotion-admin (or admin), named and recorded. */
export interface CancelPromotionRequest {
  user: string;
  reason: string;
}
export const cancelPromotionUpdate = defineUpdate<{ cancelled: true }, [CancelPromotionRequest]>('cancel-promotion');

export interface BundlePromotionInput {
  requestedBy: string;
  targetName: string;
  /** A bundle, or single items of one source instance (bundleless promotion). */
  bundle?: string;
  items?: { source: InstanceRef; selectors: ItemSelector[] };
  /** ISO date and time to promote at; absent: now. */
  scheduledFor?: string;
  /** For a scheduled promotion: freeze the content now (`snapshot`, default) or read it then (`live`). */
  content?: PromotionContent;
  /** Promotion history older than this is purged when the promotion ends (default 90). */
  retentionDays?: number;
}

export interface BundlePromotionResult extends PromotionOutcome {
  historyPurged: number;
}

export interface PromotionBackoutInput {
  promotionId: string;
  user: string;
}

/** What `stagecoach bundle …` asks for; every request names its user, whose roles are checked. */
export type BundleAdminRequest =
  | { action: 'create-bundle'; user: string; bundle: string; source: InstanceRef; description?: string }
  | { action: 'add-items'; user: string; bundle: string; items: ItemSelector[] }
  | { action: 'remove-items'; user: string; bundle: string; guids: string[] }
  | { action: 'define-target'; user: string; target: PromotionTarget }
  | { action: 'show-bundle'; user: string; bundle: string }
  | { action: 'list'; user: string }
  | { action: 'history'; user: string; bundle?: string; target?: string; limit?: number };

export interface BundleAdminResult {
  message: string;
  bundle?: Bundle;
  bundles?: Array<Omit<Bundle, 'items'> & { itemCount: number }>;
  targets?: PromotionTarget[];
  history?: PromotionRecord[];
}

export interface PreparePromotionInput {
  promotionId: string;
  requestedBy: string;
  targetName: string;
  /** A bundle, or single items of one source (bundleless promotion, docs/mass-deployment-and-promotions.md "Promotions"). */
  bundle?: string;
  items?: { source: InstanceRef; selectors: ItemSelector[] };
  content: PromotionContent;
  scheduledFor?: string;
}

export interface PreparedPromotion {
  promotionId: string;
  target: InstanceRef;
  itemCount: number;
}

export interface PromotionOutcome {
  promotionId: string;
  target: string;
  created: number;
  updated: number;
  unchanged: number;
  fingerprintBefore: MetadataFingerprint;
  fingerprintAfter: MetadataFingerprint;
  /** The backup taken first when the target's metadata was locked (docs/mass-deployment-and-promotions.md "Locked targets"). */
  backupId?: number;
}

export interface BackOutOutcome {
  promotionId: string;
  target: string;
  deleted: number;
  restored: number;
  fingerprintAfter: MetadataFingerprint;
  /** The target's metadata fingerprint equals the one taken just before the promotion. */
  matchesBeforePromotion: boolean;
}

export interface MetadataFingerprint {
  rows: number;
  checksum: string;
}
