import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmtpMailer } from '../../../activities/notifications/smtp-mailer';
import { AuditStore } from '../../../store/audit-store';
import { startLocalSmtpServer, type LocalSmtpServer } from '../../support/smtp-server';
import type { TemporalTestContext } from '../../support/temporal';
import { createReleaseFixture, type ReleaseFixture } from '../../support/release/release-fixture';
import { releasePackage, statusWhen, waitingFor } from '../../support/release/release-helpers';

// Default durations (docs/releases.md "Steps") are expectations: a phase that outlasts its `phaseDurations` entry mails
// the release managers once (through a real SMTP server) and records `phase-overdue`.
let fixture: ReleaseFixture;
let ctx: TemporalTestContext;
let smtp: LocalSmtpServer;

beforeAll(async () => {
  fixture = await createReleaseFixture('sqlite', [{ label: 'overdue' }]);
  smtp = await startLocalSmtpServer();
  ctx = await fixture.startWorker(undefined, {
    mailer: createSmtpMailer({ url: smtp.url, from: 'stagecoach@example.test' }),
    mailDomain: 'example.test',
  });
});

afterAll(async () => {
  await fixture?.cleanup();
  await smtp?.close();
});

describe('overdue phase notice', () => {
  it('mails the release managers once when configure outlasts its expected duration, and records phase-overdue', async () => {
    const tenant = fixture.tenant('overdue');
    const { workflowId } = await ctx.client.releases.start({
      tenant,
      version: '5.0',
      startedBy: 'rita',
      // rita manages releases by the inventory and started this one; ralph is added for this release.
      settings: { releaseManagers: ['ralph'], phaseDurations: { configure: '2s' } },
    });
    await statusWhen(ctx.client, workflowId, waitingFor('configuration'));

    const subject = `[stagecoach] Release ${tenant} 5.0 is overdue in configure`;
    const overdue = () => smtp.received.filter((mail) => mail.subject === subject);
    await smtp.waitFor(() => overdue().length > 0);
    expect(overdue()[0]).toMatchObject({
      from: 'stagecoach@example.test',
      to: ['rita@example.test', 'ralph@example.test'],
    });
    // The body is quoted-printable: soft line breaks end in `=`.
    expect(overdue()[0].raw.replace(/=\r?\n/g, '')).toContain(
      'The release has been waiting for configurationReady longer than the expected 2s.',
    );

    const events = await new AuditStore(fixture.controlDb).listForWorkflow(workflowId);
    expect(events.filter((e) => e.kind === 'phase-overdue').map((e) => e.detail)).toEqual([
      { phase: 'configure', waitingFor: 'configurationReady', expectedSeconds: 2 },
    ]);

    // Still waiting, it is not mailed again; the configuration ends the wait as usual.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(overdue()).toHaveLength(1);
    const pkg = fixture.packageFile('overdue.json', releasePackage('overdue-config', '1.0.0'));
    await ctx.client.releases.configurationReady(workflowId, 'sam', [{ path: pkg }]);
    await statusWhen(ctx.client, workflowId, waitingFor('gate:uat-push'));
    await ctx.client.releases.cancel(workflowId);
    await statusWhen(ctx.client, workflowId, (s) => s.outcome === 'cancelled');
  }, 60_000);
});
