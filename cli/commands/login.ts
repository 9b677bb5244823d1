import { Command, Option } from 'commander';
import { deviceSignIn } from '../../client/approval-service/login';
import { WORKER_ENV } from '../../worker/settings';
import { emit, withExamples } from '../context';
import { usageError } from '../errors';

/** `stagecoach login` (docs/approvals-locks-windows.md "Approval service"): sign in to decide through the service. */
export function registerLoginCommand(program: Command): void {
  const command = program
    .command('login')
    .description('sign in to the approval service (device flow); approve and reject then go through it')
    .addOption(new Option('--service <url>', 'the approval service').env(WORKER_ENV.approvalUrl))
    .action(async (options: { service?: string }, cmd: Command) => {
      if (!options.service) throw usageError(`login needs --service <url> (or ${WORKER_ENV.approvalUrl})`);
      const service = options.service.replace(/\/$/, '');
      const file = await deviceSignIn(service, (url, code) =>
        process.stderr.write(`To sign in, open ${url} and confirm the code ${code}\n`),
      );
      emit(
        cmd,
        { service, credentials: file },
        (r) => `Signed in to ${r.service}; approve and reject now go through it`,
      );
    });
  withExamples(command, [
    'stagecoach login --service https://approvals.example.com',
    'STAGECOACH_APPROVAL_URL=https://approvals.example.com stagecoach release approve acme/1.4 --user alice',
  ]);
}
