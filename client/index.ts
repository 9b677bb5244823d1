export { StagecoachClient, DecisionRefusedError, NotFoundError, type ConnectOptions } from './stagecoach-client';
export type { ApprovalInput, ApprovalResult } from '../workflows/approval';
export type { ApprovalStatus, DecideResult } from '../workflows/messages';
export type { GateDefinition, GateDecision, RecordedDecision } from '../domain/gates';
export { TASK_QUEUE, SEARCH_ATTRIBUTES } from '../domain/temporal-names';
