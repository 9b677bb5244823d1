/**
 * What a person sees of a running workflow, read from the server the way the Web UI reads it:
 * describe (status, search attributes, user metadata, pending activities with their heartbeat
 * details) plus the SDK's built-in metadata query (current details).
 */
import {
  WorkflowNotFoundError,
  type Client,
  type WorkflowExecutionDescription,
  type WorkflowExecutionInfo,
} from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { SearchAttributeKey } from '@temporalio/common/lib/search-attributes';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow';
import { SEARCH_ATTRIBUTES } from '../contracts/temporal-names';
import { translateError } from './errors';

/** Our search attributes as the Web UI shows them; absent keys are unset. */
export interface StagecoachAttributes {
  tenant?: string;
  instance?: string;
  version?: string;
  phase?: string;
  waitingFor?: string;
}

export interface PendingActivityProgress {
  activityType: string;
  attempt: number;
  /** The last heartbeat's details, decoded: e.g. `{ bytesDone, bytesTotal }` for a copy. */
  heartbeat?: unknown;
  lastHeartbeatAt?: string;
  lastFailure?: string;
}

export interface WorkflowListing {
  workflowId: string;
  runId: string;
  type: string;
  /** RUNNING, COMPLETED, FAILED, CANCELLED, TERMINATED, TIMED_OUT, CONTINUED_AS_NEW. */
  status: string;
  startedAt: string;
  closedAt?: string;
  attributes: StagecoachAttributes;
}

export interface WorkflowProgress extends WorkflowListing {
  taskQueue: string;
  /** Fixed one-line summary given at start (shown in the Web UI's list and header). */
  summary?: string;
  /** Fixed details given at start (markdown, shown in the Web UI). */
  details?: string;
  /** What the workflow says it is doing now (`setCurrentDetails`), when a worker can answer. */
  currentDetails?: string;
  pendingActivities: PendingActivityProgress[];
}

const attributeKeys = Object.fromEntries(
  Object.entries(SEARCH_ATTRIBUTES).map(([field, name]) => [
    field,
    defineSearchAttributeKey(name, SearchAttributeType.KEYWORD),
  ]),
) as Record<keyof StagecoachAttributes, SearchAttributeKey<typeof SearchAttributeType.KEYWORD>>;

/** Search attributes to set when starting a workflow, from the fields that are given. */
export function searchAttributesFor(attributes: StagecoachAttributes) {
  const pairs = (Object.keys(attributeKeys) as (keyof StagecoachAttributes)[])
    .filter((field) => attributes[field] !== undefined)
    .map((field) => ({ key: attributeKeys[field], value: attributes[field]! }));
  return pairs;
}

type Listable = Pick<
  WorkflowExecutionInfo,
  'workflowId' | 'runId' | 'type' | 'status' | 'startTime' | 'closeTime' | 'typedSearchAttributes'
>;

function attributesOf(info: Listable): StagecoachAttributes {
  const result: StagecoachAttributes = {};
  for (const field of Object.keys(attributeKeys) as (keyof StagecoachAttributes)[]) {
    const value = info.typedSearchAttributes.get(attributeKeys[field]);
    if (value !== undefined && value !== '') result[field] = value;
  }
  return result;
}

export function listingOf(info: Listable): WorkflowListing {
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    type: info.type,
    status: info.status.name,
    startedAt: info.startTime.toISOString(),
    closedAt: info.closeTime?.toISOString(),
    attributes: attributesOf(info),
  };
}

export async function describeProgress(temporal: Client, workflowId: string): Promise<WorkflowProgress> {
  const handle = temporal.workflow.getHandle(workflowId);
  let description: WorkflowExecutionDescription;
  try {
    description = await handle.describe();
  } catch (error) {
    throw await translateError(workflowId, error);
  }
  const [summary, details, currentDetails, pendingActivities] = await Promise.all([
    description.staticSummary(),
    description.staticDetails(),
    currentDetailsOf(temporal, workflowId),
    pendingActivitiesOf(temporal, description),
  ]);
  return {
    ...listingOf(description),
    taskQueue: description.taskQueue,
    summary,
    details,
    currentDetails,
    pendingActivities,
  };
}

/**
 * The pending activities of a workflow and of its running children (and theirs), so a
 * release shows the bytes of the copy its `copyDatabase` child is making. A workflow that
 * ended meanwhile has none.
 */
export async function pendingActivitiesWithin(
  temporal: Client,
  workflowId: string,
  depth = 2,
): Promise<PendingActivityProgress[]> {
  let description: WorkflowExecutionDescription;
  try {
    description = await temporal.workflow.getHandle(workflowId).describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return [];
    throw error;
  }
  const own = await pendingActivitiesOf(temporal, description);
  if (depth === 0) return own;
  const children = (description.raw.pendingChildren ?? [])
    .map((child) => child.workflowId)
    .filter((id): id is string => !!id);
  const nested = await Promise.all(children.map((child) => pendingActivitiesWithin(temporal, child, depth - 1)));
  return [...own, ...nested.flat()];
}

async function pendingActivitiesOf(
  temporal: Client,
  description: WorkflowExecutionDescription,
): Promise<PendingActivityProgress[]> {
  const converter = temporal.options.loadedDataConverter;
  return Promise.all(
    (description.raw.pendingActivities ?? []).map(async (activity) => {
      const details = await decodeArrayFromPayloads(converter, activity.heartbeatDetails?.payloads);
      return {
        activityType: activity.activityType?.name ?? 'unknown',
        attempt: activity.attempt ?? 1,
        heartbeat: details.length <= 1 ? details[0] : details,
        lastHeartbeatAt: timestampToIso(activity.lastHeartbeatTime),
        lastFailure: activity.lastFailure?.message ?? undefined,
      };
    }),
  );
}

/**
 * The SDK answers `__temporal_workflow_metadata` for every workflow; it carries what the
 * workflow last passed to `setCurrentDetails`. Needs a worker, so no answer is not an error.
 */
async function currentDetailsOf(temporal: Client, workflowId: string): Promise<string | undefined> {
  try {
    const metadata = await temporal.workflow
      .getHandle(workflowId)
      .query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    return metadata?.currentDetails || undefined;
  } catch {
    return undefined;
  }
}

function timestampToIso(
  timestamp: { seconds?: unknown; nanos?: number | null } | null | undefined,
): string | undefined {
  if (!timestamp?.seconds) return undefined;
  const millis = Number(timestamp.seconds) * 1000 + Math.floor((timestamp.nanos ?? 0) / 1e6);
  return new Date(millis).toISOString();
}

/** A visibility query over our search attributes; values are quoted, so any text is safe. */
export function visibilityQuery(
  filter: StagecoachAttributes & { type?: string; open?: boolean; taskQueue?: string },
): string {
  const clauses: string[] = [];
  for (const field of Object.keys(attributeKeys) as (keyof StagecoachAttributes)[]) {
    const value = filter[field];
    if (value !== undefined) clauses.push(`${SEARCH_ATTRIBUTES[field]} = ${quote(value)}`);
  }
  if (filter.type) clauses.push(`WorkflowType = ${quote(filter.type)}`);
  if (filter.open) clauses.push(`ExecutionStatus = 'Running'`);
  if (filter.taskQueue) clauses.push(`TaskQueue = ${quote(filter.taskQueue)}`);
  return clauses.join(' AND ');
}

function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
