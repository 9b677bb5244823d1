import { describe, expect, it } from 'vitest';
import {
  parseDuration,
  resolveReleaseSettings,
  SEED_RELEASE_DEFAULTS,
  type ReleaseSettingsSpec,
} from '../../domain/release-settings';
import { releaseInputProblems } from '../../domain/releases';

/** Settings from the inventory, the tenant and the release input, lowest precedence first. */
const LAYERS: { name: string; spec: ReleaseSettingsSpec }[] = [
  {
    name: 'release',
    spec: {
      releaseManagers: ['rita'],
      gates: { 'uat-push': { role: 'approvers', timeout: '2d' } },
      freezes: [{ id: 'g', from: '2026-12-20T00:00:00Z', until: '2027-01-04T00:00:00Z' }],
    },
  },
  {
    name: 'tenants.acme.release',
    spec: {
      gates: { 'uat-push': { requiredApprovals: 2 } },
      freezes: [{ id: 't', from: '2026-06-01T00:00:00Z', until: '2026-06-02T00:00:00Z' }],
    },
  },
  {
    name: 'input.settings',
    spec: {
      phaseDurations: { configure: 30 },
      maintenanceWindows: [{ days: ['fri'], start: '22:00', duration: '6h', timeZone: 'Europe/Berlin' }],
    },
  },
];

describe('release settings', () => {
  it('parses durations in seconds or with units, and names a bad one', () => {
    expect(parseDuration(90, 'x')).toBe(90);
    expect(parseDuration('3w', 'x')).toBe(21 * 86_400);
    expect(parseDuration('1.5h', 'x')).toBe(5400);
    expect(() => parseDuration('soon', 'release.autoLockAfterGoLive')).toThrow(
      "release.autoLockAfterGoLive: 'soon' is not a duration",
    );
  });

  it('takes seed defaults, then the inventory, the tenant and the input, and resolves roles', () => {
    const { settings, problems } = resolveReleaseSettings(LAYERS, { approvers: ['carol', 'dave'] }, 'acme');
    expect(problems).toEqual([]);
    expect(settings.gates['uat-push']).toMatchObject({
      role: { name: 'approvers', members: ['carol', 'dave'] },
      requiredApprovals: 2,
      timeoutSeconds: 172_800,
    });
    expect(settings.gates['go-live'].timeoutSeconds).toBe(SEED_RELEASE_DEFAULTS.gate.timeoutSeconds);
    expect(settings.phaseSeconds).toMatchObject({ configure: 30, baseline: 5 * 86_400 });
    expect(settings.maintenanceWindows).toEqual([
      { days: ['fri'], start: '22:00', durationMinutes: 360, timeZone: 'Europe/Berlin' },
    ]);
    expect(settings.freezes.map((f) => [f.id, f.tenant])).toEqual([
      ['g', undefined],
      ['t', 'acme'],
    ]);
    expect(settings.autoLockAfterGoLiveSeconds).toBe(10 * 86_400);
  });

  it('collects every problem with where it came from', () => {
    const { problems } = resolveReleaseSettings(
      [{ name: 'release', spec: { gates: { 'go-live': { role: 'nobody', timeout: 'later' } } } }],
      {},
      'acme',
    );
    expect(problems).toEqual([
      "release.gates.go-live.role: no role 'nobody' in the inventory's roles",
      "release.gates.go-live.timeout: 'later' is not a duration (seconds, or e.g. 30s, 15m, 4h, 5d, 3w)",
    ]);
  });

  it('names each bad field of a release input', () => {
    expect(
      releaseInputProblems({ tenant: 'Acme', version: '', startedBy: ' ', variant: 'initialProvisioning' }),
    ).toEqual([
      "tenant 'Acme' must be lower-case letters, digits and dashes",
      "version '' must be letters, digits, dots, dashes or underscores",
      'startedBy must name the release manager who starts the release',
      'initialProvisioning needs templatePackage (the template production 0.0 is created from)',
      "initialProvisioning needs goLiveDate as an ISO date, not 'undefined'",
    ]);
  });
});
