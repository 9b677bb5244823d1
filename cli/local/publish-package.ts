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
 * docs/packages.md "Content stored once": the package files a command names, each checked, then published into the
 * control database (opened once for all of them); the workflow gets their hashes, never a path on this machine's disk.
 */
export async function publishPackageFiles(controlDbUrl: string, files: string[]): Promise<PublishedPackage[]> {
  const checked = files.map((file) => ({ file, text: readPackageText(file) }));
  const documents = checked.map(({ file, text }) => ({ text, document: loadPackage(text, file) }));
  const knex = await openControlDatabase(controlDbUrl);
  try {
    const store = new PackageStore(knex);
    const published: PublishedPackage[] = [];
    for (const { text, document } of documents) {
      const hash = sha256(text);
      await store.put({
        sha256: hash,
        packageId: document.id,
        packageVersion: document.version,
        content: text,
        storedAt: new Date().toISOString(),
      });
      published.push({ sha256: hash, packageId: document.id, version: document.version });
    }
    return published;
  } finally {
    await knex.destroy();
  }
}

/** Refused before reading, as validate refuses it: a file past the limit may not even fit in a string. */
function readPackageText(file: string): string {
  const size = fs.statSync(file).size;
  if (size > MAX_PACKAGE_BYTES)
    throw new PackageLoadError(file, [{ path: '$', reason: `file is ${size} bytes, more than ${MAX_PACKAGE_BYTES}` }]);
  return fs.readFileSync(file, 'utf8');
}
