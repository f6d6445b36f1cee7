import type { ReceiptStore } from '../ports/receipt.store.port.js';

/** A ReceiptStore in a Set: a receipt is recorded once per provider and receipt id. */
export class InMemoryReceiptStore implements ReceiptStore {
  readonly #receipts = new Set<string>();

  async recordOnce(provider: string, receiptId: string, _at: Date): Promise<boolean> {
    // JSON of the pair: no separator a provider or receipt id could contain makes two pairs collide.
    const key = JSON.stringify([provider, receiptId]);
    if (this.#receipts.has(key)) return false;
    this.#receipts.add(key);
    return true;
  }
}
