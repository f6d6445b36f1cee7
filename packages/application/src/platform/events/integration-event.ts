import { err, ok, type Result } from 'neverthrow';
import { z } from 'zod';

/** Who caused an event: carried from the HTTP request or job into every event it causes. */
export interface EventMetadata {
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly userId: string | null;
}

/** The envelope every integration event travels in (the seeds' format, camelCased). */
export interface IntegrationEvent<TData = unknown, TType extends string = string> {
  readonly eventId: string;
  readonly eventType: TType;
  readonly occurredAt: string;
  readonly sourceModule: string;
  readonly version: number;
  readonly data: TData;
  readonly metadata: EventMetadata;
}

export const integrationEventEnvelopeSchema = z.object({
  eventId: z.uuid(),
  eventType: z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/),
  occurredAt: z.iso.datetime({ offset: true }),
  sourceModule: z.string().min(1),
  version: z.number().int().positive(),
  data: z.unknown(),
  metadata: z.object({
    correlationId: z.string().min(1),
    causationId: z.string().nullable(),
    userId: z.string().nullable(),
  }),
});

/** One versioned integration event type: its wire name, owner and payload schema. */
export interface IntegrationEventDefinition<TType extends string = string, TData = unknown> {
  readonly type: TType;
  readonly version: number;
  readonly sourceModule: string;
  readonly schema: z.ZodType<TData>;
}

export function defineIntegrationEvent<TType extends string, TData>(
  definition: IntegrationEventDefinition<TType, TData>,
): IntegrationEventDefinition<TType, TData> {
  return definition;
}

export type IntegrationEventError =
  | { readonly type: 'platform.unknown_event_type'; readonly message: string }
  | { readonly type: 'platform.invalid_event'; readonly message: string; readonly issues: readonly string[] };

const key = (type: string, version: number) => `${type}@v${version}`;

function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.length > 0 ? `/${issue.path.join('/')}` : '/'}: ${issue.message}`);
}

/** Every integration event type the running modules publish, by type and version. */
export class IntegrationEventRegistry {
  readonly #definitions = new Map<string, IntegrationEventDefinition>();

  constructor(definitions: readonly IntegrationEventDefinition[] = []) {
    for (const definition of definitions) this.register(definition);
  }

  register(definition: IntegrationEventDefinition): void {
    const k = key(definition.type, definition.version);
    const existing = this.#definitions.get(k);
    if (existing !== undefined && existing !== definition) {
      throw new Error(`integration event ${k} is defined twice (by ${existing.sourceModule} and ${definition.sourceModule})`);
    }
    this.#definitions.set(k, definition);
  }

  has(type: string, version?: number): boolean {
    if (version !== undefined) return this.#definitions.has(key(type, version));
    return [...this.#definitions.values()].some((d) => d.type === type);
  }

  types(): string[] {
    return [...new Set([...this.#definitions.values()].map((d) => d.type))].sort();
  }

  /** Validates an event's data against the schema of its type and version. */
  validate(type: string, version: number, data: unknown): Result<unknown, IntegrationEventError> {
    const definition = this.#definitions.get(key(type, version));
    if (definition === undefined) {
      return err({ type: 'platform.unknown_event_type', message: `no integration event ${key(type, version)} is registered` });
    }
    const parsed = definition.schema.safeParse(data);
    return parsed.success
      ? ok(parsed.data)
      : err({
          type: 'platform.invalid_event',
          message: `${key(type, version)} data is invalid`,
          issues: describeIssues(parsed.error),
        });
  }

  /** Parses a whole envelope (as read from the outbox or a queue) and validates its data. */
  parse(envelope: unknown): Result<IntegrationEvent, IntegrationEventError> {
    const parsed = integrationEventEnvelopeSchema.safeParse(envelope);
    if (!parsed.success) {
      return err({
        type: 'platform.invalid_event',
        message: 'not an integration event envelope',
        issues: describeIssues(parsed.error),
      });
    }
    const event = parsed.data;
    return this.validate(event.eventType, event.version, event.data).map((data) => ({ ...event, data }));
  }
}
