import { createPublicKey } from 'node:crypto';
import type { TrustedKey } from '../domain/decision-signatures';

/**
 * The inventory's `approvals.trustedKeys` (docs/approvals-locks-windows.md "Signed decisions") as
 * the workflow checks them: every public key as 64 hex digits, whether the file gave it as a PEM
 * (what `openssl pkey -pubout` and `stagecoach approval keygen` print) or in hex already.
 */
export function ed25519PublicKeyHex(text: string): string | undefined {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return trimmed.toLowerCase();
  try {
    const key = createPublicKey(trimmed);
    if (key.asymmetricKeyType !== 'ed25519') return undefined;
    const jwk = key.export({ format: 'jwk' });
    return Buffer.from(jwk.x!, 'base64url').toString('hex');
  } catch {
    return undefined;
  }
}

export interface TrustedKeySpec {
  id: string;
  publicKey: string;
  signsFor: string[];
}

export function trustedKeysOf(specs: TrustedKeySpec[]): TrustedKey[] {
  return specs.map((spec) => ({
    id: spec.id,
    publicKey: ed25519PublicKeyHex(spec.publicKey)!,
    signsFor: spec.signsFor,
  }));
}
