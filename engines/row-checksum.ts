const MASK_64 = (1n << 64n) - 1n;
/** Lane sums stay exact doubles while below 2^53: fold them into the BigInt well before. */
const FOLD_EVERY = 1 << 20;

/**
 * Order-independent checksum of a table's rows, for engines that cannot compute one in SQL
 * (SQLite): each row's 64-bit hash is added modulo 2^64. Duplicate rows add up instead of
 * cancelling (as XOR would), so a lost duplicate still changes the sum. The row hash is a fast
 * non-cryptographic one (two 32-bit multiply-xor lanes): it detects accidents, such as a wrong,
 * partial or damaged restore, not tampering (the backup file's SHA-256 covers that).
 */
export class RowChecksum {
  private sum = 0n;
  private high = 0;
  private low = 0;
  rows = 0;

  add(values: readonly unknown[]): void {
    const text = serializeRow(values);
    let h1 = 0xdeadbeef ^ text.length;
    let h2 = 0x41c6ce57 ^ text.length;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 2654435761);
      h2 = Math.imul(h2 ^ c, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    this.high += h2 >>> 0;
    this.low += h1 >>> 0;
    this.rows += 1;
    if (this.rows % FOLD_EVERY === 0) this.fold();
  }

  hex(): string {
    this.fold();
    return this.sum.toString(16).padStart(16, '0');
  }

  private fold(): void {
    this.sum = (this.sum + (BigInt(this.high) << 32n) + BigInt(this.low)) & MASK_64;
    this.high = 0;
    this.low = 0;
  }
}

/** Unambiguous text form of a row: typed prefixes keep 1, '1' and NULL apart. */
function serializeRow(values: readonly unknown[]): string {
  let text = '';
  for (const value of values) {
    if (value === null || value === undefined) text += '\u0000N';
    else if (Buffer.isBuffer(value)) text += `\u0000B${value.toString('hex')}`;
    else if (typeof value === 'string') text += `\u0000S${value}`;
    else text += `\u0000V${String(value)}`;
  }
  return text;
}
