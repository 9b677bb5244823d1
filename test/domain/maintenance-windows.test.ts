import { describe, expect, it } from 'vitest';
import {
  localToInstant,
  nextOpenWindow,
  validateFreeze,
  validateMaintenanceWindow,
  type Freeze,
  type MaintenanceWindow,
} from '../../domain/maintenance-windows';

const fridayNight: MaintenanceWindow = {
  days: ['fri'],
  start: '22:00',
  durationMinutes: 360,
  timeZone: 'Europe/Berlin',
};
const at = (iso: string) => new Date(iso);
const iso = (date: Date | undefined) => date?.toISOString();

describe('nextOpenWindow', () => {
  it('finds the next Friday night in the window’s time zone (summer and winter offsets)', () => {
    // Wednesday 2026-07-01: Berlin is UTC+2, so 22:00 local is 20:00Z.
    const summer = nextOpenWindow(at('2026-07-01T10:00:00Z'), [fridayNight], [], 'acme');
    expect([iso(summer?.start), iso(summer?.end)]).toEqual(['2026-07-03T20:00:00.000Z', '2026-07-04T02:00:00.000Z']);
    // In winter Berlin is UTC+1.
    const winter = nextOpenWindow(at('2026-12-01T10:00:00Z'), [fridayNight], [], 'acme');
    expect(iso(winter?.start)).toBe('2026-12-04T21:00:00.000Z');
  });

  it('is open at once inside a window, until the window ends (also across midnight)', () => {
    const open = nextOpenWindow(at('2026-07-03T23:30:00Z'), [fridayNight], [], 'acme');
    expect([iso(open?.start), iso(open?.end)]).toEqual(['2026-07-03T23:30:00.000Z', '2026-07-04T02:00:00.000Z']);
  });

  it('handles the day the clocks change (New York, spring forward 2026-03-08)', () => {
    const sunday: MaintenanceWindow = {
      days: ['sun'],
      start: '05:00',
      durationMinutes: 60,
      timeZone: 'America/New_York',
    };
    // After the change New York is UTC-4: 05:00 local is 09:00Z.
    expect(iso(nextOpenWindow(at('2026-03-07T12:00:00Z'), [sunday], [], 'acme')?.start)).toBe(
      '2026-03-08T09:00:00.000Z',
    );
    // A wall time inside the skipped hour lands after the gap; a repeated one takes the first.
    expect(new Date(localToInstant(2026, 3, 8, 2, 30, 0, 'America/New_York')).toISOString()).toBe(
      '2026-03-08T07:30:00.000Z',
    );
    expect(new Date(localToInstant(2026, 11, 1, 1, 30, 0, 'America/New_York')).toISOString()).toBe(
      '2026-11-01T05:30:00.000Z',
    );
  });

  it('skips windows covered by a freeze of the tenant or a global one, not another tenant’s', () => {
    const freezes: Freeze[] = [
      { id: 'acme-audit', from: '2026-07-03T00:00:00Z', until: '2026-07-05T00:00:00Z', tenant: 'acme' },
      { id: 'year-end', from: '2026-07-10T00:00:00Z', until: '2026-07-11T03:00:00Z' },
    ];
    expect(iso(nextOpenWindow(at('2026-07-01T10:00:00Z'), [fridayNight], freezes, 'acme')?.start)).toBe(
      '2026-07-17T20:00:00.000Z',
    );
    expect(iso(nextOpenWindow(at('2026-07-01T10:00:00Z'), [fridayNight], freezes, 'globex')?.start)).toBe(
      '2026-07-03T20:00:00.000Z',
    );
  });

  it('opens in the part of a window after a freeze ends, and an override lifts a freeze', () => {
    const freezes: Freeze[] = [{ id: 'f', from: '2026-07-03T00:00:00Z', until: '2026-07-03T23:00:00Z' }];
    const open = nextOpenWindow(at('2026-07-01T10:00:00Z'), [fridayNight], freezes, 'acme');
    expect([iso(open?.start), iso(open?.end)]).toEqual(['2026-07-03T23:00:00.000Z', '2026-07-04T02:00:00.000Z']);
    expect(iso(nextOpenWindow(at('2026-07-01T10:00:00Z'), [fridayNight], freezes, 'acme', ['f'])?.start)).toBe(
      '2026-07-03T20:00:00.000Z',
    );
  });

  it('without windows is open any time outside freezes, and ends where the next freeze starts', () => {
    const freezes: Freeze[] = [
      { id: 'a', from: '2026-07-01T00:00:00Z', until: '2026-07-02T00:00:00Z' },
      { id: 'b', from: '2026-07-02T00:00:00Z', until: '2026-07-03T00:00:00Z' },
      { id: 'c', from: '2026-07-09T00:00:00Z', until: '2026-07-10T00:00:00Z' },
    ];
    const open = nextOpenWindow(at('2026-07-01T10:00:00Z'), [], freezes, 'acme');
    expect([iso(open?.start), iso(open?.end)]).toEqual(['2026-07-03T00:00:00.000Z', '2026-07-09T00:00:00.000Z']);
    expect(nextOpenWindow(at('2026-07-10T10:00:00Z'), [], freezes, 'acme')?.end).toBeUndefined();
  });

  it('gives up (undefined) when freezes cover everything', () => {
    const forever: Freeze[] = [{ id: 'x', from: '2026-01-01T00:00:00Z', until: '2099-01-01T00:00:00Z' }];
    expect(nextOpenWindow(at('2026-07-01T10:00:00Z'), [fridayNight], forever, 'acme')).toBeUndefined();
  });
});

describe('validation', () => {
  it('names each problem of a window', () => {
    expect(
      validateMaintenanceWindow(
        { days: ['fri', 'fun' as 'fri'], start: '25:00', durationMinutes: 0, timeZone: 'Mars/Olympus' },
        'acme window 1',
      ),
    ).toEqual([
      "acme window 1: 'fun' is not a weekday (sun, mon, tue, wed, thu, fri, sat)",
      "acme window 1: start '25:00' must be HH:MM or HH:MM:SS",
      'acme window 1: durationMinutes must be > 0 and at most a week',
      "acme window 1: 'Mars/Olympus' is not an IANA time zone",
    ]);
    expect(validateMaintenanceWindow(fridayNight)).toEqual([]);
  });

  it('names the problems of a freeze', () => {
    expect(validateFreeze({ id: 'q4', from: '2026-12-20', until: '2026-12-01' })).toEqual([
      "freeze 'q4': until must be after from",
    ]);
    expect(validateFreeze({ id: 'q4', from: 'soon', until: '2026-12-01' })).toEqual([
      "freeze 'q4': from 'soon' is not a date",
    ]);
  });
});
