/**
 * Queries and updates of bundle promotions (SPEC §6), defined once with their payloads. Names are
 * wire names: renaming one breaks promotions already scheduled.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { PromotionContent } from '../domain/promotions/bundle-types';

export const PROMOTION_PHASES = ['preparing', 'scheduled', 'waiting-for-lock', 'promoting', 'promoted', 'failed', 'cancelled'] as const;
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
  error?: string;
}
export const promotionStatusQuery = defineQuery<PromotionStatus>('promotion-status');

export interface RescheduleRequest {
  user: string;
  /** The new ISO date and time. */
  at: string;
}
export const reschedulePromotionUpdate = defineUpdate<{ scheduledFor: string }, [RescheduleRequest]>('reschedule-promotion');
