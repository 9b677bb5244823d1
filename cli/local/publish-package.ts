import fs from 'node:fs';
import { sha256 } from '../../activities/packages/package-source';
import { loadPackage, MAX_PACKAGE_BYTES, PackageLoadError } from '../../domain/packages/load-package';
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
  // Refused before reading, as validate refuses it: a file past the limit may not even fit in a string.
  const size = fs.statSync(file).size;
  if (size > MAX_PACKAGE_BYTES)
    throw new PackageLoadError(file, [{ path: '$', reason: `file is ${size} bytes, more than ${MAX_PACKAGE_BYTES}` }]);
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

/**
 * docs/packages.md "Content stored once": the package files a command names, published into the control database;
 * the workflow gets their hashes, never a path on this machine's disk (a worker elsewhere could not read it).
 */
export async function publishedRefs(controlDbUrl: string, files: string[]): Promise<{ sha256: string }[]> {
  const refs: { sha256: string }[] = [];
  for (const file of files) refs.push({ sha256: (await publishPackageFile(controlDbUrl, file)).sha256 });
  return refs;
}
