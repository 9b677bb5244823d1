import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createReleaseSettingsActivities,
  type ReleaseActivityDependencies,
} from '../../activities/releases/release-activities';
import { generateSigningKey } from '../../client/decision-signing';
import { InventoryError } from '../../inventory/inventory';
import { parseInventory } from '../../inventory/load-inventory';

// docs/approvals-locks-windows.md "Signed decisions": the inventory names the keys; every release gate carries them.
const withKeys = (keys: string) => `version: 1
roles:
  customer-approvers: [alice, bob]
release:
  releaseManagers: [rita]
  gates:
    uat-push: { role: customer-approvers }
    production-push: { approvers: [carol] }
    go-live: { approvers: [carol] }
approvals:
  trustedKeys:
${keys}
tenants:
  acme:
    schema: sample-itsm
    instances:
      production: { database: { engine: sqlite, file: p.db }, backupLocation: b, emailDomain: acme.example.com }
      staging: { database: { engine: sqlite, file: s.db }, backupLocation: b, emailDomain: acme-stg.example.com }
      uat: { database: { engine: sqlite, file: u.db }, backupLocation: b, emailDomain: acme-uat.example.com }
`;

const service = generateSigningKey();
const alice = generateSigningKey();
const pemBlock = (pem: string) => `|\n${pem.trim().replace(/^/gm, '        ')}`;

function problemsOf(text: string): string[] {
  try {
    parseInventory(text, '/etc/stagecoach/stagecoach.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(InventoryError);
    return (error as InventoryError).problems;
  }
  throw new Error('expected the inventory to be refused');
}

describe('trusted keys', () => {
  it('takes a PEM or hex public key, and every release gate carries the keys', async () => {
    const inventory = parseInventory(
      withKeys(
        [
          '    - id: approval-service',
          `      publicKey: ${pemBlock(service.publicKeyPem)}`,
          "      signsFor: ['*']",
          `    - { id: alice-laptop, publicKey: ${alice.publicKeyHex.toUpperCase()}, signsFor: [alice] }`,
        ].join('\n'),
      ),
      '/etc/stagecoach/stagecoach.yaml',
    );
    expect(inventory.trustedKeys).toEqual([
      { id: 'approval-service', publicKey: service.publicKeyHex, signsFor: ['*'] },
      { id: 'alice-laptop', publicKey: alice.publicKeyHex, signsFor: ['alice'] },
    ]);
    const activities = createReleaseSettingsActivities({ inventory: () => inventory } as ReleaseActivityDependencies);
    const settings = await activities.resolveReleaseSettings({
      tenant: 'acme',
      version: '2.0',
      startedBy: 'rita',
      variant: 'standard',
    });
    for (const gate of Object.values(settings.gates)) expect(gate.trustedKeys).toEqual(inventory.trustedKeys);

    // docs/approvals-locks-windows.md "Who may act": only a release manager of the inventory starts a release,
    // whatever the release's own overrides say.
    const start = (startedBy: string) =>
      activities.resolveReleaseSettings({
        tenant: 'acme',
        version: '2.0',
        startedBy,
        variant: 'standard',
        overrides: { releaseManagers: [startedBy] },
      });
    await expect(start('mallory')).rejects.toThrow(
      'mallory may not start a release of acme: not a release manager of it (release.releaseManagers: rita) and no role release-manager (or admin)',
    );
  });

  it('refuses an RSA key, garbage and two keys under one id, naming the key path and line', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'pem', type: 'spki' });
    const problems = problemsOf(
      withKeys(
        [
          '    - id: old-rsa',
          `      publicKey: ${pemBlock(rsa.toString())}`,
          '      signsFor: [alice]',
          `    - { id: typo, publicKey: ${alice.publicKeyHex.slice(2)}, signsFor: [alice] }`,
        ].join('\n'),
      ),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^approvals\.trustedKeys\.0\.publicKey: must be an Ed25519 public key \(PEM or 64 hex digits\) \(line 13, column 7\)$/,
      ),
      expect.stringMatching(/^approvals\.trustedKeys\.1\.publicKey: must be an Ed25519 public key/),
    ]);
    const twice = `    - { id: k, publicKey: ${alice.publicKeyHex}, signsFor: [alice] }\n`.repeat(2);
    expect(problemsOf(withKeys(twice))).toEqual([
      expect.stringContaining('approvals.trustedKeys: key ids must be unique'),
    ]);
  });
});
