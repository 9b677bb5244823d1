import { Client, Connection } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { ActivityDependencies } from '../activities';
import { createSmtpMailer } from '../activities/notifications/smtp-mailer';
import type { WorkerSettings } from './settings';

/**
 * What gates and instance locks need from the worker: an SMTP mailer when one is configured,
 * and a Temporal client (locks start-or-signal each other and describe their holders).
 */
export async function openGateAndLockDependencies(
  settings: WorkerSettings,
  payloadCodec?: PayloadCodec,
): Promise<{
  deps: Pick<ActivityDependencies, 'mailer' | 'mailDomain' | 'approvalUrl' | 'instanceLocks'>;
  close(): Promise<void>;
}> {
  const mailer = settings.smtpUrl
    ? createSmtpMailer({ url: settings.smtpUrl, from: settings.mailFrom ?? 'stagecoach@localhost' })
    : undefined;
  const connection = await Connection.connect({ address: settings.temporalAddress });
  const temporal = new Client({
    connection,
    namespace: settings.namespace,
    ...(payloadCodec ? { dataConverter: { payloadCodecs: [payloadCodec] } } : {}),
  });
  return {
    deps: {
      mailer,
      mailDomain: settings.mailDomain,
      approvalUrl: settings.approvalUrl,
      instanceLocks: { temporal, holderCheckSeconds: settings.lockHolderCheckSeconds },
    },
    close: async () => {
      mailer?.close();
      await connection.close();
    },
  };
}
