import { randomUUID } from 'node:crypto';
import { Command, Option } from 'commander';
import type { ApprovalStatus, DecideResult, StagecoachClient } from '../../client';
import type { DecisionKind, ResolutionKind } from '../../domain/gates';
import { clientAction, type ClientCall, commandGroup, emit, withExamples } from '../context';
import { withListingOptions, type ListingOptions } from '../listing-options';
import { CliError, usageError } from '../errors';
import { EXIT } from '../exit-codes';
import { collect, parsePositiveInteger } from '../parse';
import { renderApprovalStatus, renderListing } from '../render/approval-text';
import {
  decideThroughServiceIfSignedIn,
  type ServiceOptions,
  signerFrom,
  type SigningOptions,
  trustedKeysOfInventory,
  withServiceOption,
  withSigningOptions,
} from '../signing';
import { registerKeygen, registerVerify } from './approval-signing';
import { registerServe } from './approval-service';

interface RequestOptions {
  id?: string;
  gate: string;
  approver: string[];
  required: number;
  timeout: number;
  onTimeout: 'reject' | 'escalate' | 'remind';
  subject: string;
  requestedBy: string;
  tenant?: string;
  instance?: string;
  version?: string;
  phase?: string;
}

interface DecideOptions extends SigningOptions, ServiceOptions {
  gate?: string;
  user?: string;
  comment?: string;
}

export function registerApprovalCommands(program: Command): void {
  commandGroup(program, 'approval', 'a standalone approval gate: request one, decide on it, follow it', [
    registerRequest,
    (group) => registerDecision(group, 'approve'),
    (group) => registerDecision(group, 'reject'),
    (group) => registerResolution(group, 'resolve'),
    (group) => registerResolution(group, 'cancel'),
    registerStatus,
    registerWait,
    registerList,
    registerVerify,
    registerKeygen,
    registerServe,
  ]).alias('approvals');
}

function registerRequest(group: Command): void {
  const command = group
    .command('request')
    .description('open an approval gate and print its workflow id')
    .requiredOption('--gate <name>', 'gate name, e.g. uat-push')
    .requiredOption('--approver <users>', 'who may decide (repeat or comma-separate)', collect)
    .requiredOption('--subject <text>', 'what is being approved')
    .requiredOption('--requested-by <user>', 'who asks (may not approve it)')
    .option('--id <workflowId>', 'workflow id (default approval/<tenant>/<gate>/<random>)')
    .option('--required <n>', 'approvals needed', parsePositiveInteger, 1)
    .option('--timeout <seconds>', 'how long the approvers have', parsePositiveInteger, 86_400)
    .addOption(
      new Option('--on-timeout <action>', 'what a timeout does')
        .choices(['reject', 'escalate', 'remind'])
        .default('reject'),
    )
    .option('--tenant <name>', 'search attribute StagecoachTenant')
    .option('--instance <name>', 'search attribute StagecoachInstance')
    .option('--version <version>', 'search attribute StagecoachVersion')
    .option('--phase <phase>', 'search attribute StagecoachPhase')
    .action(clientAction(requestApproval));
  withExamples(command, [
    'stagecoach approval request --gate uat-push --approver alice,bob --required 2 --subject "acme 1.4 to UAT" --requested-by rita --tenant acme',
    'stagecoach approval request --id approval/acme/1.4 --gate go-live --approver carol --subject "acme 1.4 go-live" --requested-by rita --json',
  ]);
}

async function requestApproval({ client, options, print }: ClientCall<RequestOptions>): Promise<void> {
  const workflowId = options.id ?? `approval/${options.tenant ?? 'adhoc'}/${options.gate}/${randomUUID().slice(0, 8)}`;
  const gate = {
    name: options.gate,
    approvers: options.approver,
    requiredApprovals: options.required,
    timeoutSeconds: options.timeout,
    onTimeout: options.onTimeout,
    ...trustedKeysOfInventory(),
  };
  const handle = await client.approvals.request(
    workflowId,
    { subject: options.subject, requestedBy: options.requestedBy, gate },
    { tenant: options.tenant, instance: options.instance, version: options.version, phase: options.phase },
  );
  print(
    { workflowId, runId: handle.firstExecutionRunId },
    () =>
      `Requested approval ${workflowId} (gate ${gate.name}: ${gate.requiredApprovals} of ${gate.approvers.join(', ')})`,
  );
}

/** `<workflowId>` and the options of a decision or resolution: `--gate`, `--user` (or STAGECOACH_USER), `--comment`. */
function gateRequest(group: Command, name: string, help: { description: string; user: string; comment: string }) {
  return group
    .command(name)
    .argument('<workflowId>', 'the approval workflow')
    .description(help.description)
    .option(
      '--gate <name>',
      `${name === 'approve' || name === 'reject' ? 'gate to decide on' : 'the gate'} (default: the gate the workflow waits for)`,
    )
    .addOption(new Option('--user <user>', help.user).env('STAGECOACH_USER'))
    .option('--comment <text>', help.comment);
}

function registerDecision(group: Command, decision: DecisionKind): void {
  const command = withSigningOptions(
    gateRequest(group, decision, {
      description: `${decision} a gate; exits 4 when the decision does not count (and says why)`,
      user: 'who decides',
      comment: 'recorded with the decision',
    }),
  );
  withServiceOption(command).action(async (workflowId: string, options: DecideOptions, cmd: Command) => {
    const viaService = await decideThroughServiceIfSignedIn(options, workflowId, decision);
    if (viaService)
      return emit(
        cmd,
        viaService,
        (a) =>
          `${a.user} ${decision === 'approve' ? 'approved' : 'rejected'} gate ${a.gate} through the approval service; approvals still needed: ${a.approvalsStillNeeded}`,
      );
    return directDecision(workflowId, options, cmd);
  });
  const directDecision = clientAction(
    async ({ client, options, print }: ClientCall<DecideOptions>, workflowId: string) => {
      if (!options.user) throw usageError(`${decision} needs --user (or STAGECOACH_USER)`);
      const signer = signerFrom(options);
      const gate = options.gate ?? (await gateWaitedFor(client, workflowId));
      const request = { gate, user: options.user, comment: options.comment };
      const answer = await client.approvals.decide(workflowId, decision, request, signer);
      print<DecideResult & { workflowId: string; decision: DecisionKind }>(
        { workflowId, decision, ...answer },
        (a) =>
          `${options.user} ${decision === 'approve' ? 'approved' : 'rejected'} gate ${a.gate}; approvals still needed: ${a.approvalsStillNeeded}`,
      );
    },
  );
  withExamples(command, [
    `stagecoach approval ${decision} approval/acme/1.4 --user alice --comment "${decision === 'approve' ? 'looks good' : 'not yet'}"`,
    `STAGECOACH_USER=bob stagecoach approval ${decision} approval/acme/1.4 --gate uat-push --json`,
  ]);
}

async function gateWaitedFor(client: StagecoachClient, workflowId: string): Promise<string> {
  const status = await client.approvals.status(workflowId);
  const gate = status.waitingFor?.replace(/^(gate|resolution):/, '');
  if (!gate)
    throw new CliError(
      EXIT.refused,
      `${workflowId} waits for no gate (it is ${status.gate.outcome ?? 'decided'}); pass --gate to record a decision anyway`,
    );
  return gate;
}

const resolutionHelp = {
  resolve: 'ask the approvers again after a gate was rejected twice (release managers only)',
  cancel: 'give up an open gate (release managers only)',
};

function registerResolution(group: Command, kind: ResolutionKind): void {
  const command = gateRequest(group, kind, {
    description: `${resolutionHelp[kind]}; exits 4 when it does not count`,
    user: 'the release manager',
    comment: 'recorded with it',
  }).action(
    clientAction(async ({ client, options, print }: ClientCall<DecideOptions>, workflowId: string) => {
      if (!options.user) throw usageError(`${kind} needs --user (or STAGECOACH_USER)`);
      const gate = options.gate ?? (await gateWaitedFor(client, workflowId));
      const recorded = await client.approvals.sendResolution(workflowId, kind, {
        gate,
        user: options.user,
        comment: options.comment,
      });
      print({ workflowId, ...recorded }, () => `${options.user}: ${kind} of gate ${gate} recorded`);
    }),
  );
  withExamples(command, [
    `stagecoach approval ${kind} approval/acme/1.4 --user rita --comment "${kind === 'resolve' ? 'package fixed' : 'release dropped'}"`,
  ]);
}

function registerStatus(group: Command): void {
  const command = group
    .command('status')
    .argument('<workflowId>', 'the approval workflow')
    .description('where the gate stands: decisions, who is still to decide, what it waits for')
    .action(
      clientAction(async ({ client, print }, workflowId: string) => {
        const [progress, approval] = await Promise.all([
          client.describe(workflowId),
          client.approvals.status(workflowId),
        ]);
        print<{ workflowId: string; status: string; approval: ApprovalStatus }>(
          { workflowId, status: progress.status, approval },
          (value) => renderApprovalStatus(value.workflowId, value.status, value.approval),
        );
      }),
    );
  withExamples(command, [
    'stagecoach approval status approval/acme/1.4',
    'stagecoach approval status approval/acme/1.4 --json | jq .approval.waitingFor',
  ]);
}

function registerWait(group: Command): void {
  const command = group
    .command('wait')
    .argument('<workflowId>', 'the approval workflow')
    .description('wait until the gate is decided: exit 0 approved, 4 rejected or timed out, 5 failed')
    .action(
      clientAction(async ({ client, print }, workflowId: string) => {
        const result = await client.approvals.result(workflowId);
        print({ workflowId, ...result }, (r) => `${workflowId}: ${r.outcome}`);
        if (result.outcome !== 'approved')
          throw new CliError(EXIT.refused, `${workflowId}: gate ${result.outcome}`, true);
      }),
    );
  withExamples(command, ['stagecoach approval wait approval/acme/1.4 && echo approved']);
}

function registerList(group: Command): void {
  const command = withListingOptions(
    group.command('list').description('approval workflows, newest first, filtered by search attributes'),
  ).action(
    clientAction(async ({ client, options, print }: ClientCall<ListingOptions>) => {
      const { limit, ...filter } = options;
      print(await client.list({ ...filter, type: 'approval' }, limit), renderListing);
    }),
  );
  withExamples(command, [
    'stagecoach approval list --open --waiting-for gate:uat-push',
    'stagecoach approval list --tenant acme --json',
  ]);
}
