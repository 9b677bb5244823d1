import type { Knex } from 'knex';
import { insertOnce } from './unique-violation';

interface PackageRow {
  sha256: string;
  package_id: string;
  package_version: string;
  content: string;
  stored_at: string;
}

/**
 * Package documents by the SHA-256 of their text, so workflows carry `{ sha256 }` instead of the
 * content (payloads stay small). Storing the same text twice is a no-op.
 */
export class PackageStore {
  constructor(private readonly knex: Knex) {}

  async put(entry: {
    sha256: string;
    packageId: string;
    packageVersion: string;
    content: string;
    storedAt: string;
  }): Promise<void> {
    await insertOnce(
      this.knex<PackageRow>('packages').insert({
        sha256: entry.sha256,
        package_id: entry.packageId,
        package_version: entry.packageVersion,
        content: entry.content,
        stored_at: entry.storedAt,
      }),
    );
  }

  async get(sha256: string): Promise<string | undefined> {
    const row = await this.knex<PackageRow>('packages').where({ sha256 }).first('content');
    return row?.content;
  }
}
