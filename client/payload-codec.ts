/**
 * Encrypted payloads (docs/security.md "Encrypted payloads"): every workflow input, result, signal,
 * Update, query answer and activity argument leaves the process as AES-256-GCM ciphertext, so
 * Temporal's database holds no approver comment, user or package name in clear. The key id travels
 * in the payload's metadata: after a rotation the new key encrypts and the old ones still decrypt.
 * Worker, client library and CLI use the same codec; the Web UI reads through the codec endpoint.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { parse } from 'yaml';
import { z } from 'zod';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface PayloadKeys {
  /** The key that encrypts. */
  current: string;
  /** Every key that may decrypt, the current one included: id → 32 bytes. */
  keys: Record<string, Buffer>;
}

export class AesGcmPayloadCodec implements PayloadCodec {
  constructor(private readonly payloadKeys: PayloadKeys) {
    if (!payloadKeys.keys[payloadKeys.current])
      throw new Error(`payload keys: the current key '${payloadKeys.current}' is not among the keys`);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const id = this.payloadKeys.current;
    const key = this.payloadKeys.keys[id];
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID]: utf8(id) },
        data: new Uint8Array(sealed),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (text(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload;
      const id = text(payload.metadata?.[KEY_ID]);
      const key = this.payloadKeys.keys[id];
      if (!key)
        throw new Error(
          `payload encrypted with key '${id}', which is not among the payload keys (${Object.keys(this.payloadKeys.keys).join(', ')})`,
        );
      const data = Buffer.from(payload.data ?? []);
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return temporal.api.common.v1.Payload.decode(plain) as Payload;
    });
  }
}

const keyFileSchema = z
  .object({
    current: z.string().min(1),
    keys: z.record(
      z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'key ids are letters, digits, dots, dashes and underscores'),
      z
        .string()
        .refine((s) => Buffer.from(s, 'base64').length === 32, 'must be 32 bytes in base64 (openssl rand -base64 32)'),
    ),
  })
  .strict();

/**
 * Reads the payload key file (`STAGECOACH_PAYLOAD_KEYS`): YAML or JSON `{ current: <id>, keys: { <id>: <base64> } }`.
 * The file is a secret: it is read by the processes that need it and never passed on.
 */
export function loadPayloadKeys(file: string): PayloadKeys {
  let raw: unknown;
  try {
    raw = parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`payload keys ${file}: ${(error as Error).message}`);
  }
  const parsed = keyFileSchema.safeParse(raw);
  if (!parsed.success)
    throw new Error(
      `payload keys ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`).join('; ')}`,
    );
  const keys = Object.fromEntries(
    Object.entries(parsed.data.keys).map(([id, b64]) => [id, Buffer.from(b64, 'base64')]),
  );
  if (!keys[parsed.data.current])
    throw new Error(`payload keys ${file}: current key '${parsed.data.current}' is not among the keys`);
  return { current: parsed.data.current, keys };
}

/** The codec of a payload key file. */
export function payloadCodecFromFile(file: string): AesGcmPayloadCodec {
  return new AesGcmPayloadCodec(loadPayloadKeys(file));
}

/** The codec the environment asks for (`STAGECOACH_PAYLOAD_KEYS`), or none. */
export function payloadCodecFromEnv(env: NodeJS.ProcessEnv = process.env): AesGcmPayloadCodec | undefined {
  const file = env.STAGECOACH_PAYLOAD_KEYS;
  return file ? payloadCodecFromFile(file) : undefined;
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (bytes: Uint8Array | null | undefined) => (bytes ? new TextDecoder().decode(bytes) : '');
