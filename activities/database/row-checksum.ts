import { createHash } from 'node:crypto';

const MASK_64 = (1n << 64n) - 1n;

/**
 * Order-independent checksum of a table's rows, for engines that cannot compute one in SQL
 * (SQLite): each row's MD5 contributes its first 64 bits to a sum modulo 2^64. Duplicate rows
 * add up instead of cancelling (as XOR would), so a lost duplicate still changes the sum.
 */
export class RowChecksum {
  private sum = 0n;
  rows = 0;

  add(values: readonly unknown[]): void {
    const digest = createHash('md5').update(serializeRow(values)).digest();
    this.sum = (this.sum + digest.readBigUInt64BE(0)) & MASK_64;
    this.rows += 1;
  }

  hex(): string {
    return this.sum.toString(16).padStart(16, '0');
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
