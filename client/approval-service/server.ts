/**
 * `stagecoach approvals serve` (docs/approvals-locks-windows.md "Approval service"): approvers sign in with the
 * organisation's identity provider (OpenID Connect, authorization code with PKCE), see the gates waiting for
 * them, and approve or reject; the service signs the decision with its own key for the signed-in user and
 * sends the `decide` Update, so the page says at once whether it counted. Approvers need no Temporal access.
 */
import { randomBytes } from 'node:crypto';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import * as oidc from 'openid-client';
import type { DecisionKind } from '../../domain/gates';
import { pendingApprovers } from '../../domain/gates';
import type { DecisionSigner } from '../decision-signing';
import { DecisionRefusedError, NotFoundError } from '../errors';
import type { StagecoachClient } from '../stagecoach-client';
import type { GateBriefing } from '../../contracts/approvals';
import { briefingInputOf } from './briefing';
import { gatePage, messagePage, waitingPage, type WaitingGate } from './pages';

export interface ApprovalServiceOptions {
  client: StagecoachClient;
  /** The service's own key, trusted in the inventory with `signsFor: ['*']`. */
  signer: DecisionSigner;
  /** The identity provider's issuer URL, and this service's registration there. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Where people reach this service (the redirect URI is `<publicUrl>/callback`). */
  publicUrl: string;
  /** The ID token claim that names the inventory user (default `preferred_username`). */
  userClaim?: string;
  /** Inventory users; a signed-in identity outside it is refused. */
  knownUsers?: (user: string) => boolean;
  /** The public client `stagecoach login` signs in with (device flow); absent: no command-line sign-in. */
  cliClientId?: string;
  port: number;
  host?: string;
}

export interface ApprovalService {
  url: string;
  close(): Promise<void>;
}

interface Session {
  user: string;
  expires: number;
}

const SESSION_COOKIE = 'stagecoach_session';
const LOGIN_COOKIE = 'stagecoach_login';
const SESSION_MS = 8 * 3600_000;

export async function startApprovalService(options: ApprovalServiceOptions): Promise<ApprovalService> {
  const issuer = new URL(options.issuer);
  const config = await oidc.discovery(
    issuer,
    options.clientId,
    options.clientSecret,
    undefined,
    issuer.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : undefined,
  );
  const secure = options.publicUrl.startsWith('https:');
  const sessions = new Map<string, Session>();
  const app: FastifyInstance = Fastify({ logger: false });
  await app.register(cookie, { secret: randomBytes(32).toString('hex') });
  await app.register(formbody);
  await app.register(csrf, { cookieOpts: { signed: true, httpOnly: true, sameSite: 'strict', secure, path: '/' } });
  const context: RouteContext = { options, config, sessions, secure };
  registerSignIn(app, context);
  registerGates(app, context);
  registerApi(app, context);
  await app.listen({ port: options.port, host: options.host ?? '127.0.0.1' });
  return { url: options.publicUrl, close: () => app.close() };
}

interface RouteContext {
  options: ApprovalServiceOptions;
  config: oidc.Configuration;
  sessions: Map<string, Session>;
  secure: boolean;
}

/** The signed-in user, or a redirect to sign in that comes back here. */
function userOf(request: FastifyRequest, reply: FastifyReply, context: RouteContext): string | undefined {
  const raw = request.cookies[SESSION_COOKIE];
  const unsigned = raw ? request.unsignCookie(raw) : undefined;
  const session = unsigned?.valid ? context.sessions.get(unsigned.value!) : undefined;
  if (session && session.expires > Date.now()) return session.user;
  void reply.redirect(`/login?returnTo=${encodeURIComponent(request.url)}`);
  return undefined;
}

function registerSignIn(app: FastifyInstance, context: RouteContext): void {
  const { options, config, sessions, secure } = context;
  const redirectUri = `${options.publicUrl}/callback`;
  app.get('/login', async (request, reply) => {
    const returnTo = String((request.query as { returnTo?: string }).returnTo ?? '/');
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const challenge = await oidc.calculatePKCECodeChallenge(verifier);
    const login = JSON.stringify({ verifier, state, returnTo: returnTo.startsWith('/') ? returnTo : '/' });
    reply.setCookie(LOGIN_COOKIE, login, {
      signed: true,
      httpOnly: true,
      sameSite: 'lax',
      secure,
      path: '/',
      maxAge: 600,
    });
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid profile email',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state,
    });
    return reply.redirect(url.href);
  });
  app.get('/callback', async (request, reply) => {
    const raw = request.cookies[LOGIN_COOKIE];
    const unsigned = raw ? request.unsignCookie(raw) : undefined;
    if (!unsigned?.valid)
      return reply
        .code(400)
        .type('text/html')
        .send(messagePage('Sign-in failed', 'the sign-in took too long or came from elsewhere; start again'));
    const login = JSON.parse(unsigned.value!) as { verifier: string; state: string; returnTo: string };
    reply.clearCookie(LOGIN_COOKIE, { path: '/' });
    let claims: Record<string, unknown> | undefined;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, new URL(request.url, options.publicUrl), {
        pkceCodeVerifier: login.verifier,
        expectedState: login.state,
      });
      claims = tokens.claims();
      // Providers may keep profile claims out of the ID token; the userinfo endpoint has them.
      const claim = options.userClaim ?? 'preferred_username';
      if (claims && claims[claim] === undefined)
        claims = { ...claims, ...(await oidc.fetchUserInfo(config, tokens.access_token, String(claims.sub))) };
    } catch (error) {
      return reply
        .code(401)
        .type('text/html')
        .send(messagePage('Sign-in failed', (error as Error).message));
    }
    const user = String(claims?.[options.userClaim ?? 'preferred_username'] ?? '');
    if (!user || (options.knownUsers && !options.knownUsers(user)))
      return reply
        .code(403)
        .type('text/html')
        .send(messagePage('Not an approver', `'${user}' is not a user of this Stagecoach inventory`));
    const id = randomBytes(32).toString('hex');
    sessions.set(id, { user, expires: Date.now() + SESSION_MS });
    reply.setCookie(SESSION_COOKIE, id, {
      signed: true,
      httpOnly: true,
      sameSite: 'lax',
      secure,
      path: '/',
      maxAge: SESSION_MS / 1000,
    });
    return reply.redirect(login.returnTo);
  });
}

function registerGates(app: FastifyInstance, context: RouteContext): void {
  const { client } = context.options;
  app.get('/', async (request, reply) => {
    const user = userOf(request, reply, context);
    if (!user) return reply;
    return reply.type('text/html').send(waitingPage(user, await gatesWaitingFor(client, user)));
  });
  app.get('/gates/*', async (request, reply) => {
    const user = userOf(request, reply, context);
    if (!user) return reply;
    const workflowId = decodeURIComponent((request.params as { '*': string })['*']);
    const { status, briefing } = await pageData(client, workflowId);
    return reply.type('text/html').send(gatePage(user, workflowId, status, reply.generateCsrf(), undefined, briefing));
  });
  app.post('/gates/*', { preHandler: app.csrfProtection }, async (request, reply) => {
    const user = userOf(request, reply, context);
    if (!user) return reply;
    const path = (request.params as { '*': string })['*'];
    if (!path.endsWith('/decide')) return reply.code(404).send();
    const workflowId = decodeURIComponent(path.slice(0, -'/decide'.length));
    const body = request.body as { gate?: string; decision?: string; comment?: string };
    const decision: DecisionKind = body.decision === 'reject' ? 'reject' : 'approve';
    const comment = body.comment?.trim() ? body.comment.trim() : undefined;
    let outcome: { counted: boolean; message: string };
    try {
      const answer = await client.approvals.decide(
        workflowId,
        decision,
        { gate: String(body.gate ?? ''), user, ...(comment ? { comment } : {}) },
        context.options.signer,
      );
      outcome = {
        counted: true,
        message: `Your ${decision} counted (signed by ${context.options.signer.keyId} for ${user}); approvals still needed: ${answer.approvalsStillNeeded}.`,
      };
    } catch (error) {
      if (!(error instanceof DecisionRefusedError)) throw error;
      outcome = { counted: false, message: `Your ${decision} did not count: ${error.message}` };
    }
    const { status, briefing } = await pageData(client, workflowId);
    return reply.type('text/html').send(gatePage(user, workflowId, status, reply.generateCsrf(), outcome, briefing));
  });
}

/**
 * What `stagecoach login` and `approve`/`reject` use (docs/approvals-locks-windows.md "Approval service"): the
 * sign-in settings, and a decision sent with the access token `login` obtained. The identity provider's
 * userinfo endpoint says whose token it is; the service signs for that user only. No cookie, so no CSRF.
 */
function registerApi(app: FastifyInstance, context: RouteContext): void {
  const { options, config } = context;
  app.get('/api/sign-in', async () => ({ issuer: options.issuer, clientId: options.cliClientId ?? null }));
  app.post('/api/decide', async (request, reply) => {
    const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!token) return reply.code(401).send({ message: 'not signed in: run stagecoach login' });
    let user: string;
    try {
      const info = await oidc.fetchUserInfo(config, token, oidc.skipSubjectCheck);
      user = String(info[options.userClaim ?? 'preferred_username'] ?? '');
    } catch {
      return reply.code(401).send({ message: 'the sign-in has expired or was revoked: run stagecoach login again' });
    }
    const body = request.body as {
      workflowId?: string;
      gate?: string;
      decision?: string;
      comment?: string;
      user?: string;
    };
    if (body.user && body.user !== user)
      return reply.code(409).send({ message: `signed in as ${user}, not ${body.user}: nothing was sent`, user });
    const workflowId = String(body.workflowId ?? '');
    const decision: DecisionKind = body.decision === 'reject' ? 'reject' : 'approve';
    try {
      // Without a gate named, the one the workflow waits at: approvers need no Temporal access to find it.
      const gate = body.gate
        ? String(body.gate)
        : (await options.client.approvals.status(workflowId)).gate?.definition.name;
      const answer = await options.client.approvals.decide(
        workflowId,
        decision,
        { gate: gate ?? '', user, ...(body.comment ? { comment: String(body.comment) } : {}) },
        options.signer,
      );
      return { ...answer, user, signedBy: options.signer.keyId };
    } catch (error) {
      if (error instanceof DecisionRefusedError) return reply.code(409).send({ message: error.message, user });
      if (error instanceof NotFoundError) return reply.code(404).send({ message: error.message, user });
      throw error;
    }
  });
}

/** A gate's status and, for a release, what the approver decides on (worked out by the worker, read-only). */
async function pageData(client: StagecoachClient, workflowId: string) {
  const status = await statusOf(client, workflowId);
  const input = 'releaseId' in status ? briefingInputOf(status) : undefined;
  const briefing: GateBriefing | undefined = input
    ? await client.approvals.briefing(input).catch((error: Error) => ({
        packages: [],
        previews: [],
        problems: [`the briefing could not be worked out: ${error.message}`],
      }))
    : undefined;
  return { status, briefing };
}

async function statusOf(client: StagecoachClient, workflowId: string) {
  const progress = await client.describe(workflowId);
  return progress.type === 'release' ? client.releases.status(workflowId) : client.approvals.status(workflowId);
}

/**
 * Open workflows of this deployment (its task queue) waiting at a gate where `user` is still to decide. Statuses
 * are asked a batch at a time: a workflow whose worker is gone must not hold up the page.
 */
async function gatesWaitingFor(client: StagecoachClient, user: string): Promise<WaitingGate[]> {
  const open = (await client.list({ open: true, taskQueue: client.taskQueue }, 500)).filter((w) =>
    w.attributes.waitingFor?.startsWith('gate:'),
  );
  const waiting: WaitingGate[] = [];
  for (let i = 0; i < open.length; i += 20) {
    const batch = open.slice(i, i + 20);
    const statuses = await Promise.all(batch.map((w) => client.approvals.status(w.workflowId).catch(() => undefined)));
    batch.forEach((workflow, index) => {
      const status = statuses[index];
      const gate = status?.gate;
      if (!gate || !pendingApprovers(gate).includes(user)) return;
      const subject = 'subject' in status ? status.subject : workflow.workflowId;
      waiting.push({ workflowId: workflow.workflowId, gate: gate.definition.name, round: gate.round ?? 1, subject });
    });
  }
  return waiting;
}
