import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { type JSONPath, visit } from 'jsonc-parser';
import packageSchema from '../../schemas/package.schema.json';
import type { PackageDocument } from './package-types';
import { pathOf } from './change-data-checks';
import { semanticProblems } from './semantic-checks';

/** One thing wrong with a package document: where (a JSON path such as `$.subPackages[0]`) and why. */
export interface LoadProblem {
  path: string;
  reason: string;
}

/** A package document that cannot be used; the message names the source, the path and the reason. */
export class PackageLoadError extends Error {
  override readonly name = 'PackageLoadError';
  constructor(
    readonly source: string,
    readonly problems: LoadProblem[],
  ) {
    const shown = problems.slice(0, 5).map((p) => `${p.path}: ${p.reason}`);
    const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
    super(`package ${source} is invalid: ${shown.join('; ')}${more}`);
  }
}

/** Packages are big but bounded: a document beyond this is refused before parsing. */
export const MAX_PACKAGE_BYTES = 256 * 1024 * 1024;

/**
 * docs/packages.md "Limits": schema validation and the semantic checks recurse, so a hostile depth (master packages
 * or predicates nested thousands deep) is refused first, by a walk without recursion.
 */
export const MAX_DOCUMENT_DEPTH = 128;

/** The path of the first object or array nested deeper than MAX_DOCUMENT_DEPTH, if any. */
function firstTooDeep(root: unknown): string | undefined {
  const values: unknown[] = [root];
  const depths: number[] = [1];
  const parents: number[] = [-1];
  const keys: string[] = [''];
  for (let next = 0; next < values.length; next += 1) {
    if (depths[next] > MAX_DOCUMENT_DEPTH) return `$${pathOf(next, parents, keys, values)}`;
    const value = values[next];
    if (value === null || typeof value !== 'object') continue;
    for (const [key, child] of Object.entries(value)) {
      if (child === null || typeof child !== 'object') continue;
      values.push(child);
      depths.push(depths[next] + 1);
      parents.push(next);
      keys.push(key);
    }
  }
  return undefined;
}

let compiled: ValidateFunction | undefined;
function schemaValidator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(
    packageSchema,
  );
  return compiled;
}

/** Parses and checks a package document; throws PackageLoadError listing every problem found. */
export function loadPackage(text: string, source: string): PackageDocument {
  if (text.length > MAX_PACKAGE_BYTES) {
    throw new PackageLoadError(source, [{ path: '$', reason: `document is larger than ${MAX_PACKAGE_BYTES} bytes` }]);
  }
  const parsed = parseJson(text, source);
  const tooDeep = firstTooDeep(parsed);
  if (tooDeep !== undefined) {
    throw new PackageLoadError(source, [
      { path: tooDeep, reason: `the document is nested deeper than ${MAX_DOCUMENT_DEPTH} levels` },
    ]);
  }
  // After the depth check: the scanner recurses, and now the depth is bounded.
  const ambiguous = ambiguousJson(text);
  if (ambiguous.length > 0) throw new PackageLoadError(source, ambiguous);
  const validate = schemaValidator();
  if (!validate(parsed)) {
    throw new PackageLoadError(source, schemaProblems(validate.errors ?? [], parsed));
  }
  const document = parsed as PackageDocument;
  const problems = semanticProblems(document);
  if (problems.length > 0) throw new PackageLoadError(source, problems);
  return document;
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    const where = position ? ` at ${lineAndColumn(text, Number(position[1]))}` : '';
    throw new PackageLoadError(source, [{ path: '$', reason: `not valid JSON${where}: ${message}` }]);
  }
}

/** At most this many ambiguities are collected: a hostile file could hold millions. */
const MAX_AMBIGUITIES = 20;

/**
 * docs/packages.md "Limits": what JSON.parse accepts silently but would change the package's meaning: a key twice in
 * one object (the last would win, the first silently lost) and a number JavaScript cannot hold exactly (an integer
 * beyond 2^53 rounds, 1e400 becomes Infinity). Each is refused, naming its path and line.
 */
function ambiguousJson(text: string): LoadProblem[] {
  const problems: LoadProblem[] = [];
  const keys: Set<string>[] = [];
  const add = (path: JSONPath, line: number, reason: string) => {
    if (problems.length < MAX_AMBIGUITIES)
      problems.push({ path: pathText(path), reason: `${reason} (line ${line + 1})` });
  };
  visit(
    text,
    {
      onObjectBegin: () => void keys.push(new Set()),
      onObjectEnd: () => void keys.pop(),
      onObjectProperty: (property, _offset, _length, line, _column, path) => {
        const seen = keys[keys.length - 1];
        if (seen.has(property)) add([...path(), property], line, `the key "${property}" appears twice in this object`);
        seen.add(property);
      },
      onLiteralValue: (value, offset, length, line, _column, path) => {
        if (typeof value !== 'number') return;
        const raw = text.slice(offset, offset + length);
        if (!Number.isFinite(value)) add(path(), line, `the number ${raw} is too large to hold`);
        else if (/^-?\d+$/.test(raw) && !Number.isSafeInteger(value))
          add(path(), line, `the integer ${raw} is beyond 2^53 and would be rounded to ${value}`);
      },
    },
    { disallowComments: true, allowTrailingComma: false },
  );
  return problems;
}

/** `['subPackages', 0, 'id']` → `$.subPackages[0].id`, as jsonPath writes them. */
function pathText(path: JSONPath): string {
  return jsonPath(
    path.length === 0 ? '' : `/${path.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`,
  );
}

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  return `line ${line} column ${position - before.lastIndexOf('\n')}`;
}

/** `/transactionSets/0/changes/3` → `$.transactionSets[0].changes[3]`. */
export function jsonPath(pointer: string): string {
  if (pointer === '') return '$';
  return (
    '$' +
    pointer
      .split('/')
      .slice(1)
      .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'))
      .map((part) =>
        /^\d+$/.test(part) ? `[${part}]` : /^[A-Za-z_$][\w$]*$/.test(part) ? `.${part}` : `[${JSON.stringify(part)}]`,
      )
      .join('')
  );
}

const PATTERN_REASONS: Record<string, string> = {
  [packageSchema.definitions.guid.pattern]: 'must be a GUID (8-4-4-4-12 hexadecimal digits)',
  [packageSchema.definitions.identifier.pattern]:
    'must be an identifier: a letter, then letters, digits or underscores (at most 63)',
  [packageSchema.definitions.entityName.pattern]:
    'must be a name of letters, digits, spaces and . _ # ( ) / & + - (no quotes, semicolons or control characters)',
  [packageSchema.definitions.packageId.pattern]: 'must be a package id: letters, digits, . _ - (at most 100)',
  [packageSchema.definitions.version.pattern]: 'must be a version: letters, digits, . + - (at most 64)',
};

function schemaProblems(errors: ErrorObject[], document: unknown): LoadProblem[] {
  // `if`/`oneOf` wrappers repeat what their inner errors already say.
  const useful = errors.filter(
    (e) => e.keyword !== 'if' && !(e.keyword === 'oneOf' && errors.length > 1 && hasInner(e, errors)),
  );
  const seen = new Set<string>();
  const problems: LoadProblem[] = [];
  for (const error of useful.length > 0 ? useful : errors) {
    const problem = { path: jsonPath(error.instancePath), reason: reasonFor(error, document) };
    const key = `${problem.path}|${problem.reason}`;
    if (!seen.has(key)) problems.push(problem);
    seen.add(key);
  }
  return problems;
}

function hasInner(error: ErrorObject, all: ErrorObject[]): boolean {
  return all.some(
    (other) => other !== error && other.instancePath.startsWith(error.instancePath) && other.keyword !== 'oneOf',
  );
}

function reasonFor(error: ErrorObject, document: unknown): string {
  const value = valueAt(document, error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `missing required property "${String(params.missingProperty)}"`;
    case 'additionalProperties':
      return `unknown property "${String(params.additionalProperty)}"`;
    case 'enum':
      return `must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')}, got ${shown(value)}`;
    case 'const':
      return `must be ${JSON.stringify(params.allowedValue)}, got ${shown(value)}`;
    case 'type':
      return `must be ${String(params.type)}, got ${typeName(value)}`;
    case 'pattern':
      return `${PATTERN_REASONS[String(params.pattern)] ?? `must match ${String(params.pattern)}`}, got ${shown(value)}`;
    case 'maxLength':
      return `must be at most ${String(params.limit)} characters, got ${(value as string).length}`;
    case 'minimum':
      return `must be >= ${String(params.limit)}, got ${shown(value)}`;
    case 'oneOf':
      return 'must have exactly one of "package" (inline) or "ref" (id of a package in this document)';
    default:
      return error.message ?? error.keyword;
  }
}

function valueAt(document: unknown, pointer: string): unknown {
  let current = document;
  for (const part of pointer.split('/').slice(1)) {
    current = (current as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return current;
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && Number.isInteger(value)) return `integer ${value}`;
  return typeof value === 'object' ? 'object' : `${typeof value} ${shown(value)}`;
}
