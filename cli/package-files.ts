import { Option } from 'commander';
import { PackageLoadError } from '../domain/packages/load-package';
import { WORKER_ENV, workerSettingsFromEnv } from '../worker/settings';
import { publishPackageFiles as publish } from './local/publish-package';
import { CliError } from './errors';
import { EXIT } from './exit-codes';
import { existingFile } from './parse';

/** The control database the worker uses, where a command publishes the package files it names. */
export const controlDbOption = () =>
  new Option('--control-db <url>', 'control database the worker uses (package files are published there)').env(
    WORKER_ENV.controlDb,
  );

/**
 * docs/packages.md "Content stored once": each file is checked, then published by SHA-256; the workflow carries the
 * hash. A file the loader refuses exits 4 with the loader's message, as `package validate` does; nothing is sent.
 */
export async function publishPackageFiles(
  controlDb: string | undefined,
  files: string[],
): Promise<{ sha256: string }[]> {
  const resolved = files.map((file) => existingFile(file, 'package file'));
  try {
    const published = await publish(controlDb ?? workerSettingsFromEnv().controlDbUrl, resolved);
    return published.map(({ sha256 }) => ({ sha256 }));
  } catch (error) {
    if (error instanceof PackageLoadError) throw new CliError(EXIT.refused, error.message);
    throw error;
  }
}
