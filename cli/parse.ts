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

/**
 * A date and time with its zone (`2026-12-05T22:00:00Z`, `…+01:00`): without one, whether 22:00 is the caller's, the
 * worker's or UTC would be a guess, and a Friday-night window missed by an hour is a real incident.
 */
export function parseInstant(value: string): string {
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(value.trim()))
    throw new InvalidArgumentError(`'${value}' has no time zone: end it with Z or an offset such as +01:00`);
  const instant = Date.parse(value);
  if (Number.isNaN(instant)) throw new InvalidArgumentError(`'${value}' is not an ISO 8601 date and time`);
  return new Date(instant).toISOString();
}
