import fs from 'node:fs/promises';
import path from 'node:path';
import type { PackagePreview } from '../../domain/packages/preview';

/** Written whole or not at all (temporary file, then rename), so a reader never sees half. */
export async function writePreviewFile(file: string, preview: PackagePreview): Promise<string> {
  const target = path.resolve(file);
  await fs.mkdir(path.dirname(target), { recursive: true });
  const temporary = `${target}.${process.pid}.tmp`;
  await fs.writeFile(temporary, `${JSON.stringify(preview, null, 2)}\n`);
  await fs.rename(temporary, target);
  return target;
}
