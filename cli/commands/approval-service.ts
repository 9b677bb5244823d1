import { Command, Option } from 'commander';
import { startApprovalService } from '../../client/approval-service/server';
import { WORKER_ENV } from '../../worker/settings';
import { emit, untilStopped, withClient, withExamples } from '../context';
import { usageError } from '../errors';
import { parsePort } from '../parse';
import { signerFrom, type SigningOptions, withSigningOptions } from '../signing';

interface ServeOptions extends SigningOptions {
  issuer?: string;
  clientId?: string;
  publicUrl?: string;
  port: number;
  host: string;
  userClaim: string;
  cliClientId?: string;
}

/** `stagecoach approval serve` (docs/approvals-locks-windows.md "Approval service"). */
export function registerServe(group: Command): void {
  const command = withSigningOptions(
    group
      .command('serve')
      .description('the approval service: sign-in by OpenID Connect, the gates waiting for you, signed decisions')
      .addOption(new Option('--issuer <url>', 'the identity provider (OIDC issuer URL)').env('STAGECOACH_OIDC_ISSUER'))
      .addOption(new Option('--client-id <id>', "this service's client id there").env('STAGECOACH_OIDC_CLIENT_ID'))
      .addOption(
        new Option('--public-url <url>', 'where people reach it; gate mails link here').env(WORKER_ENV.approvalUrl),
      )
      .addOption(new Option('--port <port>', 'port').argParser(parsePort).default(8090))
      .option('--host <host>', 'interface to listen on', '127.0.0.1')
      .option('--user-claim <claim>', 'the ID token claim naming the inventory user', 'preferred_username')
      .addOption(
        new Option('--cli-client-id <id>', 'public client for stagecoach login (device flow)').env(
          'STAGECOACH_OIDC_CLI_CLIENT_ID',
        ),
      ),
  ).action((options: ServeOptions, cmd: Command) =>
    withClient(cmd, async (client) => {
      const secret = process.env.STAGECOACH_OIDC_CLIENT_SECRET;
      if (!options.issuer || !options.clientId || !options.publicUrl || !secret)
        throw usageError(
          'approval serve needs --issuer, --client-id, --public-url and the client secret in STAGECOACH_OIDC_CLIENT_SECRET',
        );
      const signer = signerFrom(options);
      if (!signer) throw usageError("approval serve needs the service's --signing-key (or STAGECOACH_SIGNING_KEY)");
      const service = await startApprovalService({
        client,
        signer,
        issuer: options.issuer,
        clientId: options.clientId,
        clientSecret: secret,
        publicUrl: options.publicUrl.replace(/\/$/, ''),
        userClaim: options.userClaim,
        cliClientId: options.cliClientId,
        port: options.port,
        host: options.host,
      });
      emit(cmd, { approvalService: service.url }, (s) => `Approval service on ${s.approvalService} (Ctrl-C stops it)`);
      await untilStopped();
      await service.close();
    }),
  );
  withExamples(command, [
    'STAGECOACH_OIDC_CLIENT_SECRET=… stagecoach approval serve --issuer https://login.example.com --client-id stagecoach \\\n      --public-url https://approvals.example.com --signing-key /etc/stagecoach/service.pem',
  ]);
}
