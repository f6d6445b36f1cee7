export type { EventSubscription, IntegrationEventHandler } from './event-subscription.js';
export { eventQueueName } from './event-subscription.js';
export type {
  EventMetadata,
  IntegrationEvent,
  IntegrationEventDefinition,
  IntegrationEventError,
} from './integration-event.js';
export { defineIntegrationEvent, IntegrationEventRegistry, integrationEventEnvelopeSchema } from './integration-event.js';
