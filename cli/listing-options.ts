import type { Command } from 'commander';
import { parsePositiveInteger } from './parse';

/** Search-attribute filters shared by every `list` command. */
export interface ListingOptions {
  tenant?: string;
  phase?: string;
  waitingFor?: string;
  open?: boolean;
  limit: number;
}

export function withListingOptions(command: Command): Command {
  return command
    .option('--tenant <name>', 'StagecoachTenant')
    .option('--phase <phase>', 'StagecoachPhase, e.g. configure')
    .option('--waiting-for <what>', 'StagecoachWaitingFor, e.g. gate:uat-push')
    .option('--open', 'only running ones')
    .option('--limit <n>', 'at most this many', parsePositiveInteger, 50);
}
