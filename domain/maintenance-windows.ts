/**
 * Maintenance windows and freezes of docs/approvals-locks-windows.md, as pure functions. Zone math uses
 * `Intl.DateTimeFormat`, which the workflow sandbox provides (test/domain checks the zones we
 * rely on), so workflows compute the next window themselves, deterministically.
 */

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A recurring weekly window in the tenant's time zone, e.g. Fridays 22:00 for 6 hours. */
export interface MaintenanceWindow {
  days: Weekday[];
  /** Local wall-clock start, `HH:MM` or `HH:MM:SS`. */
  start: string;
  /** Fractions are allowed (tests use windows seconds long). At most a week. */
  durationMinutes: number;
  /** IANA zone, e.g. `Europe/Berlin`. */
  timeZone: string;
}

/** A dated period with no production pushes: global, or for one tenant. */
export interface Freeze {
  id: string;
  /** ISO instants; `until` is exclusive. */
  from: string;
  until: string;
  /** Absent for a global freeze. */
  tenant?: string;
  reason?: string;
}

export interface OpenWindow {
  start: Date;
  /** Absent when nothing closes it (no windows configured and no later freeze). */
  end?: Date;
}

const DAY_MS = 86_400_000;
const MAX_HORIZON_DAYS = 3 * 366;

/**
 * The earliest moment at or after `now` inside one of `windows` and outside every freeze that
 * applies to `tenant` (global or its own) and is not overridden. No windows means any time.
 * Undefined when freezes cover everything within three years.
 */
export function nextOpenWindow(
  now: Date,
  windows: MaintenanceWindow[],
  freezes: Freeze[],
  tenant: string,
  overriddenFreezeIds: string[] = [],
): OpenWindow | undefined {
  const blocking = freezes
    .filter((f) => (f.tenant === undefined || f.tenant === tenant) && !overriddenFreezeIds.includes(f.id))
    .map((f) => ({ from: Date.parse(f.from), until: Date.parse(f.until) }))
    .sort((a, b) => a.from - b.from);
  const t = now.getTime();
  if (windows.length === 0) return outsideFreezes(t, Infinity, blocking);
  const lastFreeze = Math.max(t, ...blocking.map((f) => f.until));
  const horizonDays = Math.min(MAX_HORIZON_DAYS, Math.ceil((lastFreeze - t) / DAY_MS) + 15);
  for (const occurrence of occurrences(t, windows, horizonDays)) {
    if (occurrence.end <= t) continue;
    const open = outsideFreezes(Math.max(occurrence.start, t), occurrence.end, blocking);
    if (open) return open;
  }
  return undefined;
}

/** The first part of [start, end) that no freeze covers. */
function outsideFreezes(
  start: number,
  end: number,
  freezes: { from: number; until: number }[],
): OpenWindow | undefined {
  let cursor = start;
  for (const freeze of freezes) {
    if (freeze.until <= cursor || freeze.from >= end) continue;
    if (freeze.from > cursor) break;
    cursor = freeze.until;
    if (cursor >= end) return undefined;
  }
  const next = freezes.find((f) => f.from >= cursor && f.from < end);
  const stop = Math.min(end, next?.from ?? Infinity);
  return { start: new Date(cursor), end: Number.isFinite(stop) ? new Date(stop) : undefined };
}

/** Window occurrences from a week before `now` for `horizonDays`, sorted by start. */
function occurrences(now: number, windows: MaintenanceWindow[], horizonDays: number): { start: number; end: number }[] {
  const result: { start: number; end: number }[] = [];
  for (const window of windows) {
    const [hour, minute, second] = parseClock(window.start);
    const today = localParts(now, window.timeZone);
    for (let offset = -8; offset <= horizonDays; offset++) {
      const day = new Date(Date.UTC(today.year, today.month - 1, today.day + offset));
      if (!window.days.includes(WEEKDAYS[day.getUTCDay()])) continue;
      const start = localToInstant(
        day.getUTCFullYear(),
        day.getUTCMonth() + 1,
        day.getUTCDate(),
        hour,
        minute,
        second,
        window.timeZone,
      );
      result.push({ start, end: start + window.durationMinutes * 60_000 });
    }
  }
  return result.sort((a, b) => a.start - b.start);
}

function parseClock(clock: string): [number, number, number] {
  const match = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(clock);
  if (!match) throw new Error(`maintenance window start '${clock}' must be HH:MM or HH:MM:SS`);
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** Wall-clock fields of `instant` in `timeZone`. */
export function localParts(instant: number, timeZone: string): LocalParts {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const parts = Object.fromEntries(format.formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

function offsetAt(instant: number, timeZone: string): number {
  const p = localParts(instant, timeZone);
  const whole = instant - (((instant % 1000) + 1000) % 1000);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - whole;
}

/**
 * The instant a wall-clock time happens in `timeZone`. Tries the offsets in force a day before
 * and a day after: a time that happens twice (fall back) takes the first; a time skipped by
 * spring-forward lands just after the gap.
 */
export function localToInstant(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  timeZone: string,
): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const candidates = [wall - offsetAt(wall - DAY_MS, timeZone), wall - offsetAt(wall + DAY_MS, timeZone)];
  const exact = candidates.filter((instant) => instant + offsetAt(instant, timeZone) === wall);
  return exact.length > 0 ? Math.min(...exact) : Math.max(...candidates);
}

/** Problems that make a window unusable, each naming the field. */
export function validateMaintenanceWindow(window: MaintenanceWindow, where = 'maintenance window'): string[] {
  const problems: string[] = [];
  if (!Array.isArray(window.days) || window.days.length === 0)
    problems.push(`${where}: days must list at least one weekday`);
  for (const day of window.days ?? []) {
    if (!WEEKDAYS.includes(day)) problems.push(`${where}: '${day}' is not a weekday (${WEEKDAYS.join(', ')})`);
  }
  const clock = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(window.start ?? '');
  if (!clock || Number(clock[1]) > 23 || Number(clock[2]) > 59 || Number(clock[3] ?? 0) > 59) {
    problems.push(`${where}: start '${window.start}' must be HH:MM or HH:MM:SS`);
  }
  if (!(window.durationMinutes > 0 && window.durationMinutes <= 7 * 24 * 60)) {
    problems.push(`${where}: durationMinutes must be > 0 and at most a week`);
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: window.timeZone });
  } catch {
    problems.push(`${where}: '${window.timeZone}' is not an IANA time zone`);
  }
  return problems;
}

export function validateFreeze(freeze: Freeze): string[] {
  const where = `freeze '${freeze.id}'`;
  const problems: string[] = [];
  if (!freeze.id?.trim()) problems.push('a freeze needs an id');
  const from = Date.parse(freeze.from);
  const until = Date.parse(freeze.until);
  if (Number.isNaN(from)) problems.push(`${where}: from '${freeze.from}' is not a date`);
  if (Number.isNaN(until)) problems.push(`${where}: until '${freeze.until}' is not a date`);
  if (!Number.isNaN(from) && !Number.isNaN(until) && until <= from) problems.push(`${where}: until must be after from`);
  return problems;
}
