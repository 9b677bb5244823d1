import { ApplicationFailure, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import { signatureRefusal } from '../../domain/decision-signatures';
import { gateCurrentDetails } from '../../domain/gate-details';
import {
  approvalsStillNeeded,
  outcomeOf,
  currentRound,
  refusalFor,
  resolutionRefusalFor,
  validateGateDefinition,
  type DecisionKind,
  type GateDecision,
  type GateDefinition,
  type GateState,
  type RecordedDecision,
  type ResolutionKind,
} from '../../domain/gates';
import type { AuditTrail } from '../audit-trail';
import { announceGate, runGate } from './gate-process';
import {
  approveSignal,
  cancelSignal,
  type DecideResult,
  decideUpdate,
  type GateVerdict,
  rejectSignal,
  type ResolutionRequest,
  resolveSignal,
  type StrayMessage,
} from '../../contracts/approvals';
import type { NotificationMessage } from '../../contracts/notifications';

export interface GateKeeperOptions {
  /** What the gates guard, e.g. `release acme 1.1`: in mails and the audit table. */
  subject: string;
  /** The release's starter: may not approve, and is a release manager. */
  requestedBy: string;
  /** Who may `resolve` or `cancel`; defaults to the starter. */
  releaseManagers?: string[];
  trail: AuditTrail;
  /**
   * A gate that is open from the workflow's start. Updates sent with the start are delivered
   * as soon as the handler is registered, so the gate must exist before that.
   */
  openAtStart?: GateDefinition;
}

export interface GateResult {
  verdict: GateVerdict;
  gate: GateState;
}

export interface GateKeeper {
  /** Opens `definition` and resolves once it is approved or cancelled (rules of docs/approvals-locks-windows.md "Gates"). */
  run(definition: GateDefinition): Promise<GateResult>;
  /** The open gate, or the last one. */
  current(): GateState | undefined;
  /** Every gate opened so far, in order. */
  gates(): GateState[];
  /** Decisions and resolutions that arrived while no gate was open. */
  stray(): StrayMessage[];
}

/**
 * Owns the `approve`/`reject` signals, the `decide` update and the `resolve`/`cancel`
 * signals for a workflow's whole life, so gates opened one after another share them.
 * Create it before the workflow's first await.
 */
export function createGateKeeper(options: GateKeeperOptions): GateKeeper {
  const managers = options.releaseManagers?.length ? options.releaseManagers : [options.requestedBy];
  const book: GateBook = { gates: [], stray: [], managers, trail: options.trail };
  const { gates, stray } = book;
  const notify = (message: NotificationMessage) => {
    if (message.recipients.length > 0) options.trail.notify(message);
  };

  const context = { subject: options.subject, releaseManagers: managers, trail: options.trail, notify };
  const openGate = (definition: GateDefinition): GateState => {
    const problems = validateGateDefinition(definition, options.requestedBy);
    if (problems.length > 0) {
      throw ApplicationFailure.create({ type: 'InvalidGate', message: problems.join('; '), nonRetryable: true });
    }
    const state: GateState = {
      definition,
      requestedBy: options.requestedBy,
      decisions: [],
      phase: 'waiting',
      round: 1,
    };
    gates.push(state);
    announceGate(state, context);
    return state;
  };
  let openedAtStart = options.openAtStart ? openGate(options.openAtStart) : undefined;

  registerGateHandlers(book);

  return {
    async run(definition) {
      const state = openedAtStart?.definition === definition ? openedAtStart : openGate(definition);
      openedAtStart = undefined;
      const verdict = await runGate(state, context);
      return { verdict, gate: state };
    },
    current: () => gates[gates.length - 1],
    gates: () => gates,
    stray: () => stray,
  };
}

/** The gates of a workflow and what arrived for them; the signal and update handlers write here. */
interface GateBook {
  gates: GateState[];
  /** Decisions and resolutions that arrived while no gate was open. */
  stray: StrayMessage[];
  managers: string[];
  trail: AuditTrail;
}

function registerGateHandlers(book: GateBook): void {
  setHandler(approveSignal, (request) => receive(book, 'approve', request));
  setHandler(rejectSignal, (request) => receive(book, 'reject', request));
  setHandler(resolveSignal, (request) => resolve(book, 'resolve', request));
  setHandler(cancelSignal, (request) => resolve(book, 'cancel', request));
  setHandler(
    decideUpdate,
    (request): DecideResult => {
      receive(book, request.decision, request);
      return {
        counted: true,
        gate: request.gate,
        approvalsStillNeeded: approvalsStillNeeded(open(book) ?? book.gates[book.gates.length - 1]),
      };
    },
    {
      // Validators must not change state (they do not replay). A refused update leaves no
      // history event, so the client library re-sends it as a signal to be recorded.
      validator: (request) => {
        const refused = request.refusedByUpdate ?? refusal(book, request.decision, request);
        if (refused) throw new Error(refused);
      },
    },
  );
}

/** The gate waiting for decisions or a resolution, if any. */
function open(book: GateBook): GateState | undefined {
  const last = book.gates[book.gates.length - 1];
  return last && (last.phase === 'waiting' || last.phase === 'needs-resolution') ? last : undefined;
}

/** Why a decision does not count: the gate rules first, then its signature when the gate trusts keys. */
function refusal(book: GateBook, kind: DecisionKind, request: GateDecision): string | undefined {
  const state = open(book);
  if (!state) return `gate '${request.gate}' is not open; no gate is waiting for decisions`;
  return (
    refusalFor(state, request) ??
    signatureRefusal(
      state.definition.trustedKeys,
      { ...request, decision: kind },
      { workflowId: workflowInfo().workflowId, round: state.round ?? 1 },
    )
  );
}

function receive(book: GateBook, kind: DecisionKind, request: GateDecision): void {
  const state = open(book);
  const refused = request.refusedByUpdate ?? refusal(book, kind, request);
  const at = new Date().toISOString();
  if (!state) book.stray.push({ kind, request, at, refusal: refused! });
  else {
    const recorded: RecordedDecision = {
      ...pick(request),
      decision: kind,
      at,
      counted: !refused,
      refusal: refused,
      round: state.round,
      ...(!refused && state.definition.trustedKeys?.length ? { signedBy: request.signature!.keyId } : {}),
    };
    state.decisions.push(recorded);
    if (!refused) state.outcome ??= outcomeOf(state.definition, currentRound(state));
    setCurrentDetails(gateCurrentDetails(state));
  }
  book.trail.record(refused ? 'decision-refused' : `decision-${kind}`, request.user, {
    ...pick(request),
    decision: kind,
    counted: !refused,
    refusal: refused,
    round: state?.round,
  });
}

function resolve(book: GateBook, kind: ResolutionKind, request: ResolutionRequest): void {
  const state = open(book);
  const at = new Date().toISOString();
  const refused = state
    ? resolutionRefusalFor(state, kind, request, book.managers)
    : `gate '${request.gate}' is not open; nothing to ${kind}`;
  if (!state) book.stray.push({ kind, request, at, refusal: refused! });
  else (state.resolutions ??= []).push({ kind, ...pick(request), at, counted: !refused, refusal: refused });
  book.trail.record(refused ? `${kind}-refused` : `gate-${kind}-requested`, request.user, {
    ...pick(request),
    counted: !refused,
    refusal: refused,
  });
}

/** Only the fields a person sent: a Web UI signal may carry anything. */
function pick(request: GateDecision): GateDecision {
  return {
    gate: request.gate,
    user: request.user,
    ...(request.comment !== undefined ? { comment: request.comment } : {}),
    ...(request.signature !== undefined ? { signature: request.signature } : {}),
  };
}
