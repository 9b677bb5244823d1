/**
 * JSON Merge Patch (RFC 7396): how an update (`U`) change describes a definition change.
 * `null` removes a key; objects merge recursively; anything else replaces.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    // defineProperty: a key such as "__proto__" stays data (the loader refuses them anyway).
    else
      Object.defineProperty(result, key, {
        value: applyMergePatch(result[key], value),
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return result;
}

/** The merge patch that turns `from` into `to` (used by exportPackage and compaction). */
export function diffMergePatch(from: unknown, to: unknown): unknown {
  if (!isPlainObject(from) || !isPlainObject(to)) return to;
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(from)) if (!(key in to)) patch[key] = null;
  for (const [key, value] of Object.entries(to)) {
    if (!(key in from)) patch[key] = value;
    else if (!sameJson(from[key], value)) patch[key] = diffMergePatch(from[key], value);
  }
  return patch;
}

/**
 * Two merge patches applied one after the other, as one patch; undefined when no single patch
 * says the same (the first removes or replaces a key the second then patches as an object).
 */
export function composeMergePatches(first: unknown, second: unknown): unknown {
  if (!isPlainObject(first) || !isPlainObject(second)) return second;
  const result: Record<string, unknown> = { ...first };
  for (const [key, value] of Object.entries(second)) {
    if (!isPlainObject(value) || !(key in first)) {
      result[key] = value;
      continue;
    }
    if (!isPlainObject(first[key])) return undefined;
    const composed = composeMergePatches(first[key], value);
    if (composed === undefined) return undefined;
    result[key] = composed;
  }
  return result;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** JSON with object keys sorted: equal content gives equal text (checksums, comparisons). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
