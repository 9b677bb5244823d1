import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { loadPackage, MAX_PACKAGE_BYTES, PackageLoadError } from '../../domain/packages/load-package';
import { canonicalJson } from '../../domain/packages/merge-patch';
import { describePackageRef, type PackageDocument, type PackageRef } from '../../domain/packages/package-types';
import type { PackageStore } from '../../store/package-store';

export interface LoadedPackage {
  document: PackageDocument;
  /** SHA-256 of the canonical JSON: reformatting a file does not change it, any edit does. */
  checksum: string;
  source: string;
}

/** Reads and checks the package a reference points at; a bad package is a non-retryable failure. */
export async function loadPackageRef(ref: PackageRef, packages: PackageStore): Promise<LoadedPackage> {
  const source = describePackageRef(ref);
  const text = await readText(ref, packages, source);
  try {
    const document = loadPackage(text, source);
    return { document, checksum: checksumOf(document), source };
  } catch (error) {
    if (error instanceof PackageLoadError)
      throw ApplicationFailure.nonRetryable(error.message, 'PackageInvalid', error.problems);
    throw error;
  }
}

async function readText(ref: PackageRef, packages: PackageStore, source: string): Promise<string> {
  if ('sha256' in ref) {
    const text = await packages.get(ref.sha256);
    if (text === undefined)
      throw ApplicationFailure.nonRetryable(
        `package ${source} is not in the control database's packages table`,
        'PackageNotFound',
      );
    return text;
  }
  const file = path.resolve(ref.path);
  const stat = await fs.stat(file).catch(() => undefined);
  if (!stat?.isFile()) throw ApplicationFailure.nonRetryable(`package file ${file} does not exist`, 'PackageNotFound');
  if (stat.size > MAX_PACKAGE_BYTES) {
    throw ApplicationFailure.nonRetryable(
      `package file ${file} is ${stat.size} bytes, more than ${MAX_PACKAGE_BYTES}`,
      'PackageInvalid',
    );
  }
  return fs.readFile(file, 'utf8');
}

export function checksumOf(document: PackageDocument): string {
  return sha256(canonicalJson(document));
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
