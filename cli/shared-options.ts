import { Option } from 'commander';
import { WORKER_ENV } from '../worker/settings';

/** Who does it (`--user`, or another flag such as `--submitter`): required, STAGECOACH_USER when not given. */
export function userOption(description: string, flags = '--user <user>'): Option {
  return new Option(flags, description).env('STAGECOACH_USER').makeOptionMandatory();
}

/** The control database's URL; STAGECOACH_CONTROL_DB (the worker's setting) when not given. */
export function controlDbOption(
  description = 'SQLite file, postgres://… or mssql://… (default .stagecoach/control.db)',
): Option {
  return new Option('--control-db <url>', description).env(WORKER_ENV.controlDb);
}
