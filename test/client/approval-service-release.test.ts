import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { createSmtpMailer } from '../../activities/notifications/smtp-mailer';
import { startApprovalService, type ApprovalService } from '../../client/approval-service/server';
import { decisionSigner, generateSigningKey } from '../../client/decision-signing';
import { freePort } from '../../dev/dev-server';
import type { TemporalTestContext } from '../support/temporal';
import { CHROMIUM, CHROMIUM_ARGS, NO_BROWSER } from '../support/browser';
import { signInAndApprove, startIdentityProvider } from '../support/identity-provider';
import { decideLinkOf, startLocalSmtpServer, type LocalSmtpServer } from '../support/smtp-server';
import { createReleaseFixture, type ReleaseFixture } from '../support/release/release-fixture';
import * as release from '../support/release/release-helpers';

// docs/approvals-locks-windows.md "Approval service" on a release: the gates trust only the service's key; alice
// opens the uat-push mail's link, signs in, sees what the package does to UAT, approves, and the release moves on.
const serviceKey = generateSigningKey();

let fixture: ReleaseFixture;
let ctx: TemporalTestContext;
let idp: http.Server;
let smtp: LocalSmtpServer;
let service: ApprovalService;
let browser: Browser | undefined;

describe.skipIf(NO_BROWSER)('a release through the approval service', () => {
  beforeAll(async () => {
    const [idpPort, servicePort] = [await freePort(), await freePort()];
    const serviceUrl = `http://127.0.0.1:${servicePort}`;
    idp = await startIdentityProvider(idpPort, serviceUrl);
    smtp = await startLocalSmtpServer();
    fixture = await createReleaseFixture('sqlite', [{ label: 'svc' }]);
    const trustedKeys = [{ id: 'approval-service', publicKey: serviceKey.publicKeyHex, signsFor: ['*'] }];
    ctx = await fixture.startWorker(undefined, {
      mailer: createSmtpMailer({ url: smtp.url, from: 'stagecoach@example.test' }),
      mailDomain: 'example.test',
      approvalUrl: serviceUrl,
      inventory: { ...fixture.tenantDatabases.inventory, trustedKeys },
    });
    service = await startApprovalService({
      client: ctx.client,
      signer: decisionSigner('approval-service', serviceKey.privateKeyPem),
      issuer: `http://127.0.0.1:${idpPort}`,
      clientId: 'stagecoach-approvals',
      clientSecret: 'a-test-client-secret',
      publicUrl: serviceUrl,
      port: servicePort,
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await service?.close();
    await fixture?.cleanup();
    await smtp?.close();
    await new Promise((resolve) => idp?.close(resolve));
  });

  it('alice approves uat-push from the mail link, seeing the dry run on UAT; the release goes on to production-push', async () => {
    const tenant = fixture.tenant('svc');
    const file = fixture.packageFile('svc-1.0.0.json', release.releasePackage('svc-config', '1.0.0'));
    const { workflowId } = await ctx.client.releases.start({
      tenant,
      version: '6.0',
      startedBy: 'rita',
      packages: [{ path: file }],
    });
    await release.statusWhen(ctx.client, workflowId, release.waitingFor('gate:uat-push'));
    const mails = await smtp.waitFor((all) =>
      all.some((m) => m.subject.includes('Approval requested: uat-push') && m.to.includes('alice@example.test')),
    );
    const mail = mails.find((m) => m.subject.includes('Approval requested: uat-push'))!;
    const link = decideLinkOf(mail)!;
    expect(mail.raw.replace(/=\r?\n/g, '')).toContain('Decisions count only when signed');

    const page = await browser!.newPage({ viewport: { width: 1200, height: 1000 } });
    await signInAndApprove(
      page,
      link,
      [`Release ${tenant} 6.0`, 'Impact', `svc-config 1.0.0 on ${tenant}/uat: validated, 0 error(s)`],
      'approval-service-release.png',
    );
    await page.close();

    const next = await release.statusWhen(ctx.client, workflowId, release.waitingFor('gate:production-push'));
    expect(next.gates[0].decisions.filter((d) => d.counted)).toMatchObject([
      { user: 'alice', decision: 'approve', signedBy: 'approval-service' },
    ]);
    expect((await ctx.client.approvals.verify(workflowId)).problems).toEqual([]);
    await ctx.client.releases.cancel(workflowId, { user: 'rita', reason: 'test done' });
  }, 120_000);
});
