import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PatchLogStore } from '../../store/patch-log-store';
import { fingerprint } from '../support/packages/fingerprint';
import { CORPUS, EXPECTED } from '../support/packages/malformed-corpus';
import { createReleaseFixture, type ReleaseFixture } from '../support/release/release-fixture';
import { runCli } from '../support/run-cli';
import type { TemporalTestContext } from '../support/temporal';

// docs/packages.md "Limits": every hostile file of the corpus through the real binary's three entry points, each
// refused with exit 4 and the loader's own message, no stack trace, and the target unchanged.
let fixture: ReleaseFixture;
let ctx: TemporalTestContext;
let tenant: string;

beforeAll(async () => {
  fixture = await createReleaseFixture('sqlite', [{ label: 'corpus' }]);
  ctx = await fixture.startWorker();
  tenant = fixture.tenant('corpus');
});

afterAll(async () => {
  await fixture?.cleanup();
});

const local = (...args: string[]) =>
  runCli([...args, '--inventory', fixture.inventoryFile, '--control-db', fixture.controlDbFile]);
const viaWorker = (...args: string[]) =>
  runCli(['--address', ctx.address, '--task-queue', ctx.taskQueue, ...args], {
    STAGECOACH_CONTROL_DB: fixture.controlDbFile,
  });

/** validate, preview and apply of one file: [entry point, run] pairs. */
async function entryPoints(file: string) {
  const target = `${tenant}/uat`;
  return Promise.all([
    runCli(['package', 'validate', file]).then((run) => ['validate', run] as const),
    local(
      'package',
      'preview',
      file,
      '--target',
      target,
      '--out',
      path.join(fixture.dir, `${path.basename(file)}.preview`),
    ).then((run) => ['preview', run] as const),
    viaWorker('package', 'apply', file, '--target', target).then((run) => ['apply', run] as const),
  ]);
}

it('every file of the hostile corpus is refused alike by validate, preview and apply; the target never changes', async () => {
  const files = fs.readdirSync(CORPUS).filter((f) => f.endsWith('.json'));
  expect(files.length).toBeGreaterThanOrEqual(30);
  const target = fixture.open(tenant, 'uat');
  const before = await fingerprint(target);
  const outcomes: string[] = [];
  for (const name of files) {
    const file = path.join(CORPUS, name);
    for (const [entry, run] of await entryPoints(file)) {
      const fine =
        run.code === 4 &&
        run.stderr.includes(`package ${file} is invalid: `) &&
        run.stderr.includes(EXPECTED[name]) &&
        !/Activity task failed|\n\s+at /.test(run.stderr) &&
        // clear-text-secret.json: the refusal names the path, never the value.
        !run.stderr.includes('hunter2');
      if (!fine) outcomes.push(`${name} via ${entry}: exit ${run.code}, ${run.stderr.trim().slice(0, 300)}`);
    }
    expect(await fingerprint(target), `${name} changed the target`).toEqual(before);
  }
  // All failures at once: one line per file and entry point that did not refuse as it should.
  expect(outcomes).toEqual([]);
  expect(await new PatchLogStore(fixture.controlDb).listForInstance(`${tenant}/uat`)).toEqual([]);
}, 600_000);
