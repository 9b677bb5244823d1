import { Command } from 'commander';
import temporalClient from '@temporalio/client/package.json';
import stagecoach from '../../package.json';
import { emit, withExamples } from '../context';

export interface InstalledVersions {
  stagecoach: string;
  temporalSdk: string;
  node: string;
}

/** `stagecoach version`: what is installed, as an operator reports it in a ticket; no server needed. */
export function registerVersionCommand(program: Command): void {
  const command = program
    .command('version')
    .description('the Stagecoach version and the Temporal SDK and Node.js it runs on; no server needed')
    .action((_options: unknown, cmd: Command) =>
      emit<InstalledVersions>(
        cmd,
        { stagecoach: stagecoach.version, temporalSdk: temporalClient.version, node: process.versions.node },
        (v) => `stagecoach ${v.stagecoach} (Temporal TypeScript SDK ${v.temporalSdk}, Node.js ${v.node})`,
      ),
    );
  withExamples(command, ['stagecoach version', 'stagecoach version --json']);
}
