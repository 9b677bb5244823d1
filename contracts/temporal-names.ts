/** The one task queue the worker polls and the client starts workflows on. */
export const TASK_QUEUE = 'stagecoach';

export const DEFAULT_NAMESPACE = 'default';

/**
 * Custom search attributes the Web UI filters on. Names are wire names: renaming one
 * orphans the values that running workflows already carry.
 */
export const SEARCH_ATTRIBUTES = {
  tenant: 'StagecoachTenant',
  instance: 'StagecoachInstance',
  version: 'StagecoachVersion',
  phase: 'StagecoachPhase',
  waitingFor: 'StagecoachWaitingFor',
} as const;

export type SearchAttributeName = (typeof SEARCH_ATTRIBUTES)[keyof typeof SEARCH_ATTRIBUTES];

/** All of ours are Keyword: exact-match filters in the Web UI and `temporal workflow list`. */
export const SEARCH_ATTRIBUTE_TYPE = 'Keyword';
