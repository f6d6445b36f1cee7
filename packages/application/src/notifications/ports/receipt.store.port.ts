/**
 * Delivery receipts already applied, by provider and the provider's receipt id: a replayed or
 * redelivered webhook is recognised and changes nothing.
 */
export interface ReceiptStore {
  /** Records the receipt; false when it was recorded before (a replay). Runs in the caller's unit of work. */
  recordOnce(provider: string, receiptId: string, at: Date): Promise<boolean>;
}
export const ReceiptStore = Symbol.for('aura.notifications.ReceiptStore');
