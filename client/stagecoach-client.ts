import { Client, Connection } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { DEFAULT_NAMESPACE, TASK_QUEUE } from '../contracts/temporal-names';
import { Approvals } from './approvals';
import { ClientCore, type ListFilter } from './core';
import { Deployments } from './deployments';
import { ServerUnreachableError } from './errors';
import { Locks } from './locks';
import { Packages } from './packages';
import { payloadCodecFromEnv } from './payload-codec';
import { Promotions } from './promotions';
import { Releases } from './releases';
import {
  describeProgress,
  pendingActivitiesWithin,
  type PendingActivityProgress,
  type WorkflowListing,
  type WorkflowProgress,
} from './workflow-progress';

export interface ConnectOptions {
  address?: string;
  namespace?: string;
  taskQueue?: string;
  /** How long to wait for the server before giving up with ServerUnreachableError. */
  connectTimeoutMs?: number;
  /**
   * Encrypts payloads (docs/security.md "Encrypted payloads"); by default the codec STAGECOACH_PAYLOAD_KEYS
   * names, as the worker reads it. `null`: none even when the variable is set.
   */
  payloadCodec?: PayloadCodec | null;
}

/**
 * The typed client library; the CLI is a thin layer over it. One facade per concept
 * (`client.releases`, `.approvals`, `.locks`, `.deployments`, `.promotions`, `.packages`), all
 * sharing one connection and one error translation (client/errors.ts).
 */
export class StagecoachClient {
  readonly releases: Releases;
  readonly approvals: Approvals;
  readonly locks: Locks;
  readonly deployments: Deployments;
  readonly promotions: Promotions;
  readonly packages: Packages;

  private constructor(private readonly core: ClientCore) {
    this.releases = new Releases(core);
    this.approvals = new Approvals(core);
    this.locks = new Locks(core);
    this.deployments = new Deployments(core);
    this.promotions = new Promotions(core);
    this.packages = new Packages(core);
  }

  static async connect(options: ConnectOptions = {}): Promise<StagecoachClient> {
    const address = options.address ?? '127.0.0.1:7233';
    const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    let connection: Connection;
    try {
      connection = await Connection.connect({ address, connectTimeout: connectTimeoutMs });
    } catch {
      throw new ServerUnreachableError(address, connectTimeoutMs);
    }
    const codec = options.payloadCodec === undefined ? payloadCodecFromEnv() : options.payloadCodec;
    const temporal = new Client({
      connection,
      namespace: options.namespace ?? DEFAULT_NAMESPACE,
      ...(codec ? { dataConverter: { payloadCodecs: [codec] } } : {}),
    });
    return new StagecoachClient(new ClientCore(temporal, connection, options.taskQueue ?? TASK_QUEUE));
  }

  /** The Temporal client underneath, for what the facades do not cover. */
  get temporal(): Client {
    return this.core.temporal;
  }

  get taskQueue(): string {
    return this.core.taskQueue;
  }

  async close(): Promise<void> {
    await this.core.connection.close();
  }

  /** Status, search attributes, user metadata and pending activities, as the Web UI sees them. */
  async describe(workflowId: string): Promise<WorkflowProgress> {
    return describeProgress(this.core.temporal, workflowId);
  }

  /**
   * The pending activities of a workflow and of its running children, with their last heartbeat
   * (a release's bytes copied by its `copyDatabase` child, for one).
   */
  async pendingActivities(workflowId: string): Promise<PendingActivityProgress[]> {
    return pendingActivitiesWithin(this.core.temporal, workflowId);
  }

  /** Workflows matching our search attributes (all given fields must match), newest first. */
  async list(filter: ListFilter = {}, limit = 100): Promise<WorkflowListing[]> {
    return this.core.list(filter, limit);
  }
}
