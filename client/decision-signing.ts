/**
 * Signing gate decisions on the approver's side (docs/approvals-locks-windows.md "Signed
 * decisions"). The private key stays with the signer: only the signature travels, over the
 * canonical text the workflow verifies (domain/decision-signatures.ts).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { canonicalDecision, type DecisionSignature, type DecisionToSign } from '../domain/decision-signatures';

export interface DecisionSigner {
  /** The id the inventory's `approvals.trustedKeys` gives this key. */
  keyId: string;
  /** The public half, 64 hex digits, to match against the inventory. */
  publicKeyHex: string;
  sign(text: string): string;
}

/** A signer from an Ed25519 private key in PEM (what `stagecoach approval keygen` writes). */
export function decisionSigner(keyId: string, privateKeyPem: string, where = 'the signing key'): DecisionSigner {
  let key: KeyObject;
  try {
    key = createPrivateKey(privateKeyPem);
  } catch {
    throw new Error(`${where} is not a private key in PEM`);
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new Error(`${where} is a ${key.asymmetricKeyType} key; decisions are signed with Ed25519`);
  return {
    keyId,
    publicKeyHex: publicKeyHexOf(createPublicKey(key)),
    sign: (text) => sign(null, Buffer.from(text, 'utf8'), key).toString('hex'),
  };
}

export function signDecision(signer: DecisionSigner, decision: DecisionToSign): DecisionSignature {
  return {
    keyId: signer.keyId,
    value: signer.sign(canonicalDecision(decision)),
    signedAt: decision.signedAt,
    round: decision.round,
  };
}

/** A new key pair: the private key for the signer, the public one for the inventory. */
export function generateSigningKey(): { privateKeyPem: string; publicKeyPem: string; publicKeyHex: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    publicKeyHex: publicKeyHexOf(publicKey),
  };
}

function publicKeyHexOf(key: KeyObject): string {
  return Buffer.from(key.export({ format: 'jwk' }).x!, 'base64url').toString('hex');
}
