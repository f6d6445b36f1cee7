export type { NotificationEventSink } from './in-memory-notification.repository.js';
export { InMemoryNotificationRepository } from './in-memory-notification.repository.js';
export { InMemoryPreferencesRepository } from './in-memory-preferences.repository.js';
export { InMemoryReceiptStore } from './in-memory-receipt.store.js';
