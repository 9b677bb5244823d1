/**
 * The codec endpoint (docs/security.md "Encrypted payloads"): the Temporal Web UI posts payloads to
 * `<endpoint>/decode` (and `/encode` for what a person sends from it) as protobuf JSON, and shows
 * what comes back. It holds the payload keys, so it listens on loopback by default and answers only
 * the Web UI origins it is told (CORS); put it behind the same sign-in as the Web UI.
 */
import cors from '@fastify/cors';
import type { Payload, PayloadCodec } from '@temporalio/common';
import Fastify, { type FastifyInstance } from 'fastify';

export interface CodecServerOptions {
  codec: PayloadCodec;
  port: number;
  host?: string;
  /** Web UI origins allowed to call it, e.g. `http://localhost:8233`. */
  uiOrigins: string[];
}

export interface CodecServer {
  url: string;
  close(): Promise<void>;
}

interface JsonPayload {
  metadata?: Record<string, string> | null;
  data?: string | null;
}

const bodySchema = {
  type: 'object',
  required: ['payloads'],
  properties: { payloads: { type: 'array', items: { type: 'object' } } },
} as const;

export async function startCodecServer(options: CodecServerOptions): Promise<CodecServer> {
  const app: FastifyInstance = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024 });
  await app.register(cors, {
    origin: options.uiOrigins,
    methods: ['POST', 'OPTIONS'],
    allowedHeaders: ['content-type', 'x-namespace', 'authorization'],
    credentials: true,
  });
  // Only the last path segment counts (the protocol lets the endpoint be mounted at any depth).
  app.post('/*', { schema: { body: bodySchema } }, async (request, reply) => {
    const last = request.url.split('?')[0].split('/').pop();
    if (last !== 'encode' && last !== 'decode') return reply.code(404).send({ message: 'POST …/encode or …/decode' });
    const payloads = (request.body as { payloads: JsonPayload[] }).payloads.map(fromJson);
    try {
      const out = last === 'encode' ? await options.codec.encode(payloads) : await options.codec.decode(payloads);
      return { payloads: out.map(toJson) };
    } catch (error) {
      return reply.code(400).send({ message: (error as Error).message });
    }
  });
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port, host });
  return { url: `http://${host}:${options.port}`, close: () => app.close() };
}

function fromJson({ metadata, data }: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: data ? Buffer.from(data, 'base64') : undefined,
  };
}

function toJson({ metadata, data }: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(
      Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
    ),
    data: data ? Buffer.from(data).toString('base64') : null,
  };
}
