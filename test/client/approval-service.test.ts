import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { createSmtpMailer } from '../../activities/notifications/smtp-mailer';
import { startApprovalService, type ApprovalService } from '../../client/approval-service/server';
import { decisionSigner, generateSigningKey } from '../../client/decision-signing';
import { freePort } from '../../dev/dev-server';
import { CHROMIUM, CHROMIUM_ARGS, NO_BROWSER, waitForRenderedText } from '../support/browser';
import { signInAndApprove, startIdentityProvider } from '../support/identity-provider';
import { decideLinkOf, startLocalSmtpServer, type LocalSmtpServer } from '../support/smtp-server';
import { runCli, startCli } from '../support/run-cli';
import { startTestWorkerWithControlDb, type ControlDbTestContext } from '../support/temporal';
import { gate } from '../support/gates-harness';

// docs/approvals-locks-windows.md "Approval service": a real OpenID Connect provider (oidc-provider), a real mail, a
// real browser. Alice opens the link from the gate's mail, signs in, approves; the service signs for her and the
// gate counts it.
const serviceKey = generateSigningKey();
const signer = decisionSigner('approval-service', serviceKey.privateKeyPem);
const trustedKeys = [{ id: 'approval-service', publicKey: serviceKey.publicKeyHex, signsFor: ['*'] }];

let idp: http.Server;
let smtp: LocalSmtpServer;
let ctx: ControlDbTestContext;
let service: ApprovalService;
let browser: Browser | undefined;

describe.skipIf(NO_BROWSER)('the approval service', () => {
  beforeAll(async () => {
    const [idpPort, servicePort] = [await freePort(), await freePort()];
    const serviceUrl = `http://127.0.0.1:${servicePort}`;
    idp = await startIdentityProvider(idpPort, serviceUrl);
    smtp = await startLocalSmtpServer();
    ctx = await startTestWorkerWithControlDb('sqlite', 'approval-service', {
      mailer: createSmtpMailer({ url: smtp.url, from: 'stagecoach@example.test' }),
      mailDomain: 'example.test',
      approvalUrl: serviceUrl,
    });
    service = await startApprovalService({
      client: ctx.client,
      signer,
      issuer: `http://127.0.0.1:${idpPort}`,
      clientId: 'stagecoach-approvals',
      clientSecret: 'a-test-client-secret',
      publicUrl: serviceUrl,
      port: servicePort,
      cliClientId: 'stagecoach-cli',
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await service?.close();
    await ctx?.stop();
    await smtp?.close();
    await new Promise((resolve) => idp?.close(resolve));
  });

  it(
    'alice follows the mail link, signs in at the identity provider, approves; the decision counts, signed',
    mailLinkApproval,
  );

  it('stagecoach login (device flow), then approve from the command line without Temporal access', loginThenApprove);

  it('refuses a form post without the CSRF token, and sends whoever has no session to sign in', async () => {
    const post = await fetch(`${service.url}/gates/${encodeURIComponent('approval/x')}/decide`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'gate=go-live&decision=approve',
      redirect: 'manual',
    });
    expect(post.status).toBe(403);
    const list = await fetch(`${service.url}/`, { redirect: 'manual' });
    expect(list.status).toBe(302);
    expect(list.headers.get('location')).toBe('/login?returnTo=%2F');
  });
});

/** Alice follows the link in the gate's mail, signs in at the identity provider and approves in the browser. */
async function mailLinkApproval(): Promise<void> {
  const workflowId = `approval/acme/go-live-${randomUUID().slice(0, 8)}`;
  const subject = `acme 2.0 go-live (${randomUUID().slice(0, 8)})`;
  await ctx.client.approvals.request(workflowId, {
    subject,
    requestedBy: 'rita',
    gate: gate({ name: 'go-live', approvers: ['alice', 'bob'], trustedKeys }),
  });
  await smtp.waitFor(() =>
    smtp.received.some((m) => m.subject.includes(subject) && m.to.includes('alice@example.test')),
  );
  const mail = smtp.received.find((m) => m.subject.includes(subject))!;
  const link = decideLinkOf(mail)!;
  expect(link).toBe(`${service.url}/gates/${encodeURIComponent(workflowId)}`);

  const page = await browser!.newPage({ viewport: { width: 1200, height: 900 } });
  await signInAndApprove(
    page,
    link,
    ['decisions count only signed by a trusted key (approval-service)', subject],
    'approval-service-gate.png',
  );

  const result = await ctx.client.approvals.result(workflowId);
  expect(result.outcome).toBe('approved');
  expect(result.decisions).toMatchObject([
    {
      user: 'alice',
      decision: 'approve',
      comment: 'go-live checklist done',
      counted: true,
      signedBy: 'approval-service',
    },
  ]);
  // The list of gates waiting for alice no longer shows it.
  await page.goto(service.url);
  await waitForRenderedText(page, 'Gates waiting for you');
  expect(await page.content()).not.toContain(encodeURIComponent(workflowId));
  await page.close();
}

/** `stagecoach login` by the device flow in the browser, then `approve` from the command line through the service. */
async function loginThenApprove(): Promise<void> {
  const workflowId = `approval/acme/cli-${randomUUID().slice(0, 8)}`;
  await ctx.client.approvals.request(workflowId, {
    subject: 'acme 2.0 production push',
    requestedBy: 'rita',
    gate: gate({ name: 'production-push', approvers: ['alice', 'bob'], trustedKeys }),
  });
  const credentials = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'stagecoach-login-')), 'credentials.json');
  const env = { STAGECOACH_APPROVAL_URL: service.url, STAGECOACH_CREDENTIALS: credentials };
  const login = startCli(['login', '--json'], env);
  await expect.poll(() => /open (\S+) and confirm the code/.test(login.output()), { timeout: 60_000 }).toBe(true);
  const url = /open (\S+) and confirm the code/.exec(login.output())![1];
  const page = await browser!.newPage();
  await page.goto(url);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.locator('input[name=login]').fill('alice');
  await page.locator('input[name=password]').fill('any');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.close();
  // The CLI polls the provider (every 5 s by default) and ends once the sign-in is done.
  await expect.poll(() => login.child.exitCode, { timeout: 30_000 }).not.toBeNull();
  expect(await login.stop()).toBe(0);
  expect(fs.statSync(credentials).mode & 0o777).toBe(0o600);

  // No --address, no task queue: the CLI talks to the service only.
  const asBob = await runCli(['approval', 'approve', workflowId, '--user', 'bob'], env);
  expect([asBob.code, asBob.stderr]).toEqual([
    4,
    expect.stringContaining('signed in as alice, not bob: nothing was sent'),
  ]);
  const approve = await runCli(
    ['approval', 'approve', workflowId, '--user', 'alice', '--comment', 'from my terminal', '--json'],
    env,
  );
  expect(approve.stderr).toBe('');
  expect(approve.json()).toMatchObject({ workflowId, counted: true, user: 'alice', signedBy: 'approval-service' });
  const result = await ctx.client.approvals.result(workflowId);
  expect(result.decisions.filter((d) => d.counted)).toMatchObject([
    { user: 'alice', comment: 'from my terminal', signedBy: 'approval-service' },
  ]);
}
