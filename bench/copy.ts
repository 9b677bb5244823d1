// `npm run bench:copy`: the copyBackupFile activity (one pass: read, hash, write) on a 2 GiB
// file vs `cp` followed by `sha256sum` (two passes). Target ratio ours/baseline ≤ 1.0.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createActivities } from '../activities';
import { BackupCatalog } from '../store/backup-catalog';
import { benchFixture, machine, seconds } from './bench-fixture';

const GiB = 1024 ** 3;
const SIZE = Number(process.env.BENCH_COPY_BYTES ?? 2 * GiB);
const BLOCK = 16 * 1024 * 1024;
const ROUNDS = 3;

async function main(): Promise<void> {
  const fixture = await benchFixture('copy', {
    production: { engine: 'sqlite', file: 'production.db' },
    uat: { engine: 'sqlite', file: 'uat.db' },
  });
  try {
    const source = path.join(fixture.dir, 'backups', 'production', 'bench-production.db');
    fs.mkdirSync(path.dirname(source), { recursive: true });
    const sha256 = writeFile(source);
    const catalog = new BackupCatalog(fixture.controlDb);
    const activities = createActivities({ controlDb: fixture.controlDb, tenantDatabases: fixture.tenantDatabases });
    const baselineTarget = path.join(fixture.dir, 'cp-target.db');
    const ours: number[] = [];
    const baseline: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const entry = await catalog.record({
        path: source,
        engine: 'sqlite',
        sizeBytes: SIZE,
        sha256,
        fingerprints: [],
        tenant: 'bench',
        landscape: 'production',
        workflowId: 'bench',
        createdAt: new Date().toISOString(),
      });
      const copied = path.join(fixture.dir, 'backups', 'uat', 'bench-production.db');
      fs.rmSync(copied, { force: true });
      await fixture.controlDb('backup_catalog').where({ path: copied }).delete();
      let started = process.hrtime.bigint();
      const result = await activities.copyBackupFile({
        backupId: entry.id,
        target: { tenant: 'bench', landscape: 'uat' },
        workflowId: `bench-${round}`,
      });
      ours.push(seconds(started));
      if (result.sha256 !== sha256) throw new Error('copy hash differs');

      fs.rmSync(baselineTarget, { force: true });
      started = process.hrtime.bigint();
      execFileSync('cp', [source, baselineTarget]);
      const line = execFileSync('sha256sum', [baselineTarget], { encoding: 'utf8' });
      baseline.push(seconds(started));
      if (!line.startsWith(sha256)) throw new Error('sha256sum differs');
      console.log(
        `round ${round + 1}: copyBackupFile ${ours[round].toFixed(2)} s, cp + sha256sum ${baseline[round].toFixed(2)} s`,
      );
    }
    const best = (xs: number[]) => Math.min(...xs);
    const ratio = best(ours) / best(baseline);
    console.log(`machine: ${machine()}`);
    console.log(
      `file: ${(SIZE / GiB).toFixed(2)} GiB; best of ${ROUNDS}: ours ${best(ours).toFixed(2)} s (${(SIZE / 1024 ** 2 / best(ours)).toFixed(0)} MiB/s), cp + sha256sum ${best(baseline).toFixed(2)} s`,
    );
    console.log(
      JSON.stringify({
        bench: 'copy',
        ours: +best(ours).toFixed(3),
        baseline: +best(baseline).toFixed(3),
        ratio: +ratio.toFixed(3),
        target: 1.0,
      }),
    );
  } finally {
    await fixture.close();
  }
}

/** Distinct random-looking blocks, hashed while written. */
function writeFile(file: string): string {
  const hash = createHash('sha256');
  const block = randomBytes(BLOCK);
  const fd = fs.openSync(file, 'w');
  for (let written = 0, i = 0; written < SIZE; written += BLOCK, i++) {
    block.writeUInt32BE(i, 0);
    const part = block.subarray(0, Math.min(BLOCK, SIZE - written));
    hash.update(part);
    fs.writeSync(fd, part);
  }
  fs.closeSync(fd);
  return hash.digest('hex');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
