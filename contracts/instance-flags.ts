import type { InstanceFlag } from '../domain/instance-flags';
export interface FlagChange {
  flag: InstanceFlag;
  value: boolean;
  /** The value before; undefined when the row did not exist. Lets a caller undo the change. */
  previous?: boolean;
  changed: boolean;
}
