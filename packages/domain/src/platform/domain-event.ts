/**
 * Something that happened to an aggregate. `type` is the wire name from the events
 * catalogue (`user.registered`, `therapy_session.scheduled`), `version` its schema version.
 * `data` holds primitives only: it is persisted to the outbox and crosses module borders.
 */
export interface DomainEvent<TType extends string = string, TData = unknown> {
  readonly type: TType;
  readonly version: number;
  readonly aggregateId: string;
  readonly occurredAt: Date;
  readonly data: TData;
}
