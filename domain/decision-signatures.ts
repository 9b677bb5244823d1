/**
 * Signed gate decisions (docs/approvals-locks-windows.md "Signed decisions"): the canonical text a
 * signature covers and its check. Pure and deterministic, so the workflow verifies in its own code
 * (Update validator and signal handler alike) and an auditor re-verifies from the history alone.
 */
import { ed25519 } from '@noble/curves/ed25519';
import type { DecisionKind } from './gates';

/** Prefix of the signed text: a signature made for anything else never verifies as a decision. */
export const DECISION_SIGNATURE_CONTEXT = 'stagecoach/gate-decision/v1';

/** A public key the gate trusts, as the inventory's `approvals.trustedKeys` names it. */
export interface TrustedKey {
  id: string;
  /** Ed25519 public key, 32 bytes as 64 hex digits. */
  publicKey: string;
  /** Users this key may sign for; `*` for a service that signs for whoever signed in to it. */
  signsFor: string[];
}

/** What a signer adds to a decision. The signature covers {@link canonicalDecision}. */
export interface DecisionSignature {
  keyId: string;
  /** Ed25519 signature, 64 bytes as 128 hex digits. */
  value: string;
  /** When the decision was signed (ISO 8601, UTC). */
  signedAt: string;
  /** The request round the signer decided on; a signature for another round does not count. */
  round: number;
}

/** The fields a signature covers, in a fixed order. */
export interface DecisionToSign {
  workflowId: string;
  gate: string;
  round: number;
  user: string;
  decision: DecisionKind;
  comment?: string;
  signedAt: string;
}

/** The exact text that is signed: a JSON array, so no field can run into the next. */
export function canonicalDecision(d: DecisionToSign): string {
  return JSON.stringify([
    DECISION_SIGNATURE_CONTEXT,
    d.workflowId,
    d.gate,
    d.round,
    d.user,
    d.decision,
    d.comment ?? '',
    d.signedAt,
  ]);
}

const HEX_64 = /^[0-9a-f]{64}$/;
const HEX_128 = /^[0-9a-f]{128}$/;

/**
 * Why `signature` does not make `decision` count on a gate that trusts `keys` in round `round` of
 * workflow `workflowId`, or undefined when it does. With no keys configured nothing is required.
 */
export function signatureRefusal(
  keys: TrustedKey[] | undefined,
  decision: { gate: string; user: string; decision: DecisionKind; comment?: string; signature?: DecisionSignature },
  context: { workflowId: string; round: number },
): string | undefined {
  if (!keys || keys.length === 0) return undefined;
  const signature = decision.signature;
  if (!signature) {
    return `unsigned decision: gate '${decision.gate}' counts only decisions signed by a trusted key (${keys.map((k) => k.id).join(', ')})`;
  }
  const key = keys.find((k) => k.id === signature.keyId);
  if (!key) return `signed by key '${signature.keyId}', which gate '${decision.gate}' does not trust`;
  if (!key.signsFor.includes('*') && !key.signsFor.includes(decision.user)) {
    return `key '${key.id}' may not sign for ${decision.user} (it signs for ${key.signsFor.join(', ')})`;
  }
  if (signature.round !== context.round) {
    return `signed for round ${signature.round} of gate '${decision.gate}'; the round open now is ${context.round}`;
  }
  if (!HEX_128.test(String(signature.value)) || !HEX_64.test(key.publicKey)) {
    return `signature by key '${key.id}' is not a 64-byte Ed25519 signature in hex`;
  }
  const text = canonicalDecision({ ...decision, ...context, signedAt: String(signature.signedAt) });
  if (!verifies(signature.value, text, key.publicKey)) {
    return `signature by key '${key.id}' does not verify for ${context.workflowId}, gate '${decision.gate}', round ${context.round} (made for another release, gate, decision or text)`;
  }
  return undefined;
}

function verifies(signature: string, text: string, publicKey: string): boolean {
  try {
    return ed25519.verify(signature, new TextEncoder().encode(text), publicKey);
  } catch {
    return false;
  }
}
