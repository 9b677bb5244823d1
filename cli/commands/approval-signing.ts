import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { generateSigningKey } from '../../client/decision-signing';
import type { DecisionVerification } from '../../client/decision-audit';
import { clientAction, emit, withExamples } from '../context';
import { CliError, usageError } from '../errors';
import { EXIT } from '../exit-codes';

/** `approval verify`: an auditor's re-check of every decision, from the history alone. */
export function registerVerify(group: Command): void {
  const command = group
    .command('verify')
    .argument('<workflowId>', 'a release, mass deployment or approval workflow')
    .description(
      "re-verify every gate decision's signature from the workflow's history; exits 4 when a counted decision does not verify",
    )
    .action(
      clientAction(async ({ client, print }, workflowId: string) => {
        const report = await client.approvals.verify(workflowId);
        print(report, renderVerification);
        if (report.problems.length > 0) throw new CliError(EXIT.refused, report.problems.join('; '), true);
      }),
    );
  withExamples(command, [
    'stagecoach approval verify release/acme/1.4',
    'stagecoach approval verify release/acme/1.4 --json | jq ".decisions[] | select(.counted)"',
  ]);
}

function renderVerification(report: DecisionVerification): string {
  const keys = report.trustedKeys.map((k) => k.id).join(', ') || 'none (decisions are not authenticated)';
  const lines = [`${report.workflowId}: trusted keys ${keys}`];
  for (const d of report.decisions) {
    const counted = d.counted === undefined ? 'not recorded yet' : d.counted ? 'counted' : 'not counted';
    const signature = d.signatureValid ? `signed by ${d.signedBy}, verified` : `NOT VERIFIED: ${d.signatureProblem}`;
    lines.push(`  #${d.eventId} ${d.gate} round ${d.round ?? '?'} ${d.user} ${d.decision}: ${counted}; ${signature}`);
  }
  if (report.decisions.length === 0) lines.push('  no decisions');
  lines.push(report.problems.length ? `${report.problems.length} problem(s)` : 'every counted decision verifies');
  return lines.join('\n');
}

/** `approval keygen`: a key pair for an approver or the approval service. */
export function registerKeygen(group: Command): void {
  const command = group
    .command('keygen')
    .description('make an Ed25519 key pair: the private key to a file (mode 600), the public key for the inventory')
    .requiredOption('--out <file>', 'where the private key (PEM) goes; refused if it exists')
    .option('--id <id>', 'the key id to print in the inventory snippet', 'my-key')
    .option('--signs-for <users>', "who it may sign for, comma-separated ('*' for the approval service)", 'me')
    .action((options: { out: string; id: string; signsFor: string }, cmd: Command) => {
      const file = path.resolve(options.out);
      if (fs.existsSync(file)) throw usageError(`${file} exists; a signing key is never overwritten`);
      const key = generateSigningKey();
      fs.writeFileSync(file, key.privateKeyPem, { mode: 0o600, flag: 'wx' });
      const signsFor = options.signsFor.split(',').map((s) => s.trim());
      emit(cmd, { privateKeyFile: file, id: options.id, publicKey: key.publicKeyHex, signsFor }, (k) =>
        [
          `Private key written to ${k.privateKeyFile} (keep it there; only signatures leave this machine).`,
          'Add to the inventory (stagecoach.yaml):',
          'approvals:',
          '  trustedKeys:',
          `    - id: ${k.id}`,
          `      publicKey: ${k.publicKey}`,
          `      signsFor: [${k.signsFor.map((s) => (s === '*' ? "'*'" : s)).join(', ')}]`,
        ].join('\n'),
      );
    });
  withExamples(command, [
    'stagecoach approval keygen --out ~/.stagecoach/alice.pem --id alice-laptop --signs-for alice',
  ]);
}
