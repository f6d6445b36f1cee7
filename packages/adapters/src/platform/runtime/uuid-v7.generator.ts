import { randomFillSync } from 'node:crypto';
import type { IdGenerator } from '@aura/application/platform';
import type { Uuid } from '@aura/domain/platform';

/**
 * RFC 9562 UUIDv7: 48-bit Unix milliseconds, then random bits. Ids generated in one process
 * are strictly increasing (a 12-bit sequence in `rand_a` orders ids of the same millisecond),
 * which keeps B-tree inserts at the right edge and makes ids a usable cursor.
 */
export class UuidV7Generator implements IdGenerator {
  #lastMs = -1;
  #sequence = 0;
  readonly #bytes = new Uint8Array(16);

  constructor(private readonly now: () => number = Date.now) {}

  next(): Uuid {
    let ms = this.now();
    if (ms <= this.#lastMs) {
      ms = this.#lastMs;
      this.#sequence += 1;
      if (this.#sequence > 0xfff) {
        // Sequence exhausted within one millisecond: borrow the next millisecond.
        ms += 1;
        this.#sequence = 0;
      }
    } else {
      this.#sequence = 0;
    }
    this.#lastMs = ms;
    const b = randomFillSync(this.#bytes);
    b[0] = Math.floor(ms / 2 ** 40) & 0xff;
    b[1] = Math.floor(ms / 2 ** 32) & 0xff;
    b[2] = (ms >>> 24) & 0xff;
    b[3] = (ms >>> 16) & 0xff;
    b[4] = (ms >>> 8) & 0xff;
    b[5] = ms & 0xff;
    b[6] = 0x70 | ((this.#sequence >>> 8) & 0x0f);
    b[7] = this.#sequence & 0xff;
    b[8] = 0x80 | ((b[8] ?? 0) & 0x3f);
    const hex = Buffer.from(b).toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}` as Uuid;
  }
}
