/**
 * Signing a decision from the command line (docs/approvals-locks-windows.md "Signed decisions"):
 * the private key file stays on the approver's machine; only the signature is sent.
 */
import fs from 'node:fs';
import { Command, Option } from 'commander';
import { decisionSigner, type DecisionSigner } from '../client/decision-signing';
import type { TrustedKey } from '../domain/decision-signatures';
import type { DecisionKind } from '../domain/gates';
import { decideThroughService, storedSignIn } from '../client/approval-service/login';
import { loadInventory } from '../inventory/load-inventory';
import { WORKER_ENV, workerSettingsFromEnv } from '../worker/settings';
import { CliError, usageError } from './errors';
import { EXIT } from './exit-codes';

export interface SigningOptions {
  signingKey?: string;
  keyId?: string;
}

export function withSigningOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--signing-key <file>', 'Ed25519 private key (PEM) that signs the decision').env(
        'STAGECOACH_SIGNING_KEY',
      ),
    )
    .addOption(
      new Option('--key-id <id>', "the key's id in the inventory's approvals.trustedKeys (default: found there)").env(
        'STAGECOACH_SIGNING_KEY_ID',
      ),
    );
}

/** The signer the options name, or undefined when no key is given (the gate then decides whether that counts). */
export function signerFrom(options: SigningOptions): DecisionSigner | undefined {
  if (!options.signingKey) {
    if (options.keyId) throw usageError('--key-id needs --signing-key (or STAGECOACH_SIGNING_KEY)');
    return undefined;
  }
  let pem: string;
  try {
    pem = fs.readFileSync(options.signingKey, 'utf8');
  } catch {
    throw new CliError(EXIT.notFound, `signing key ${options.signingKey} cannot be read`);
  }
  let signer: DecisionSigner;
  try {
    signer = decisionSigner(options.keyId ?? '', pem, `signing key ${options.signingKey}`);
  } catch (error) {
    throw usageError((error as Error).message);
  }
  return options.keyId ? signer : { ...signer, keyId: keyIdFromInventory(signer, options.signingKey) };
}

/**
 * A standalone gate trusts the keys of the inventory found as the worker finds it (STAGECOACH_INVENTORY or
 * ./stagecoach.yaml); with none, its decisions are not authenticated, as in the embedded default.
 */
export function trustedKeysOfInventory(): { trustedKeys?: TrustedKey[] } {
  const inventoryPath = workerSettingsFromEnv().inventoryPath;
  const keys = inventoryPath ? loadInventory(inventoryPath).trustedKeys : undefined;
  return keys ? { trustedKeys: keys } : {};
}

function keyIdFromInventory(signer: DecisionSigner, file: string): string {
  const inventoryPath = workerSettingsFromEnv().inventoryPath;
  if (!inventoryPath)
    throw usageError(`signing key ${file}: give --key-id (no inventory to find it in: STAGECOACH_INVENTORY)`);
  const key = loadInventory(inventoryPath).trustedKeys?.find((k) => k.publicKey === signer.publicKeyHex);
  if (!key)
    throw usageError(
      `signing key ${file}: its public key ${signer.publicKeyHex} is not among approvals.trustedKeys of ${inventoryPath}; give --key-id`,
    );
  return key.id;
}

export interface ServiceOptions {
  service?: string;
  signingKey?: string;
}

export function withServiceOption(command: Command): Command {
  return command.addOption(
    new Option('--service <url>', 'the approval service to decide through, once signed in (stagecoach login)').env(
      WORKER_ENV.approvalUrl,
    ),
  );
}

/**
 * Decides through the approval service when the person signed in to it (`stagecoach login`) and gave no signing
 * key of their own: no Temporal access needed, the service signs. Undefined when that is not the case.
 */
export async function decideThroughServiceIfSignedIn(
  options: ServiceOptions & { gate?: string; user?: string; comment?: string },
  workflowId: string,
  decision: DecisionKind,
): Promise<Record<string, unknown> | undefined> {
  const service = options.service?.replace(/\/$/, '');
  if (!service || options.signingKey) return undefined;
  const signIn = storedSignIn(service);
  if (!signIn) return undefined;
  const { status, body } = await decideThroughService(service, signIn, {
    workflowId,
    decision,
    ...(options.gate ? { gate: options.gate } : {}),
    ...(options.comment ? { comment: options.comment } : {}),
    ...(options.user ? { user: options.user } : {}),
  });
  if (status === 200) return { workflowId, decision, ...body };
  const message = `Decision refused on ${workflowId}: ${String(body.message ?? `the approval service answered ${status}`)}`;
  throw new CliError(status === 404 ? EXIT.notFound : EXIT.refused, message);
}
