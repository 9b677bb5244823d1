import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { Knex } from 'knex';
import { createActivities } from '../../../activities';
import type { InstanceRef } from '../../../domain/landscapes';
import type { PackageDocument } from '../../../domain/packages/package-types';
import { openControlDatabase } from '../../../store/control-database';
import { createTenantDatabase, tenantDatabasesOf, type EngineName, type TenantDatabase } from './tenant-fixtures';
import type { ApplyPackageInput, PackageReport } from '../../../contracts/packages';
/** Expected failures are asserted by the tests; the SDK's warning for each is noise. */
export const QUIET = new DefaultLogger('ERROR');

export const FIXED_NOW = new Date('2026-02-01T00:00:00.000Z');

/** A control database, tenant databases on one engine, and our real activities over them. */
export class PackageHarness {
  readonly workflowId = `release/acme/${randomUUID()}`;
  activities!: ReturnType<typeof createActivities>;
  controlDb!: Knex;
  private readonly scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'stagecoach-pkg-'));
  private readonly tenants = new Map<string, TenantDatabase>();
  private counter = 0;

  constructor(readonly engine: EngineName) {}

  async open(instances: InstanceRef[]): Promise<void> {
    this.controlDb = await openControlDatabase(path.join(this.scratch, 'control.db'));
    for (const instance of instances)
      this.tenants.set(instance.landscape, await createTenantDatabase(this.engine, `${instance.landscape}`));
    this.activities = createActivities({
      controlDb: this.controlDb,
      clock: { now: () => FIXED_NOW },
      tenantDatabases: tenantDatabasesOf(instances.map((i) => [i, this.tenants.get(i.landscape)!.knex])),
    });
  }

  knex(instance: InstanceRef): Knex {
    return this.tenants.get(instance.landscape)!.knex;
  }

  async close(): Promise<void> {
    for (const tenant of this.tenants.values()) await tenant.drop();
    await this.controlDb?.destroy();
    fs.rmSync(this.scratch, { recursive: true, force: true });
  }

  /** Writes the document as a package file and returns its reference. */
  file(document: PackageDocument | string): { path: string } {
    this.counter += 1;
    const file = path.join(this.scratch, `package-${this.counter}.json`);
    fs.writeFileSync(file, typeof document === 'string' ? document : JSON.stringify(document, null, 2));
    return { path: file };
  }

  previewPath(): string {
    return path.join(this.scratch, `preview-${this.counter}.json`);
  }

  /** Runs our real applyPackage activity in an activity context of this harness's workflow. */
  apply(input: ApplyPackageInput): Promise<PackageReport> {
    const env = new MockActivityEnvironment(
      { workflowExecution: { workflowId: this.workflowId, runId: 'run-1' } },
      { logger: QUIET },
    );
    return env.run(this.activities.applyPackage, input);
  }

  /** The failure applyPackage ends with (fails the test when it succeeds). */
  async applyFailure(input: ApplyPackageInput): Promise<{ type: string; message: string; nonRetryable: boolean }> {
    const outcome = await this.apply(input).then(
      (report) => ({ report }),
      (error: unknown) => ({ error: error as { type: string; message: string; nonRetryable: boolean } }),
    );
    if ('report' in outcome)
      throw new Error(`expected applyPackage to fail, it returned ${JSON.stringify(outcome.report)}`);
    return outcome.error;
  }
}
