import fs from 'node:fs';
import { sha256 } from '../../activities/packages/package-source';
import { loadPackage } from '../../domain/packages/load-package';
import { openControlDatabase } from '../../store/control-database';
import { PackageStore } from '../../store/package-store';

export interface PublishedPackage {
  sha256: string;
  packageId: string;
  version: string;
}

/**
 * Publishes a package file into the control database's packages table, where deployments
 * find it by SHA-256 (workflows carry the hash, never the content). The file is checked first
 * (schema and semantic rules): PackageLoadError names every problem. Publishing twice is a no-op.
 */
export async function publishPackageFile(controlDbUrl: string, file: string): Promise<PublishedPackage> {
  const text = fs.readFileSync(file, 'utf8');
  const document = loadPackage(text, file);
  const hash = sha256(text);
  const knex = await openControlDatabase(controlDbUrl);
  try {
    await new PackageStore(knex).put({
      sha256: hash,
      packageId: document.id,
      packageVersion: document.version,
      content: text,
      storedAt: new Date().toISOString(),
    });
  } finally {
    await knex.destroy();
  }
  return { sha256: hash, packageId: document.id, version: document.version };
}
