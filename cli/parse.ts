import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError } from 'commander';
import { LANDSCAPES, type InstanceRef, type Landscape } from '../domain/landscapes';
import { CliError, usageError } from './errors';
import { EXIT } from './exit-codes';

/** Argument parsers for commander: a bad value is a usage error naming what was expected. */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new InvalidArgumentError('expected a port number 1–65535');
  return port;
}

export function parsePositiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return number;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  ];
}

/** `acme/production` → the instance; anything else is a usage error naming the landscapes. */
export function parseInstance(value: string): InstanceRef {
  const [tenant, landscape] = value.split('/');
  if (!tenant || !(LANDSCAPES as readonly string[]).includes(landscape)) {
    throw usageError(`'${value}' is not <tenant>/<landscape> (landscape one of ${LANDSCAPES.join(', ')})`);
  }
  return { tenant, landscape: landscape as Landscape };
}

/** The absolute path of a file that exists; otherwise exit 3 naming it (not a raw ENOENT). */
export function existingFile(file: string, what: string): string {
  const resolved = path.resolve(file);
  if (!fs.statSync(resolved, { throwIfNoEntry: false })?.isFile())
    throw new CliError(EXIT.notFound, `${what} ${resolved} does not exist`);
  return resolved;
}
