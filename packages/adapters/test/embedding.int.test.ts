/**
 * How a team embeds Aura in its own Node app: only the packages' public exports, its own
 * module declared next to Aura's, use cases called directly, no HTTP.
 */
import { type Aura, type AuraModule, configFrom, createAura } from '@aura/adapters';
import {
  defineIntegrationEvent,
  IdGenerator,
  type IntegrationEvent,
  type IntegrationEventHandler,
  Outbox,
  UnitOfWork,
} from '@aura/application';
import { AggregateRoot, type DomainEvent } from '@aura/domain';
import { ContainerModule, inject, injectable } from 'inversify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';

const greeted = defineIntegrationEvent({
  type: 'greeter.greeted',
  version: 1,
  sourceModule: 'greeter',
  schema: z.object({ name: z.string() }),
});

class Greeting extends AggregateRoot<string, DomainEvent<'greeter.greeted', { name: string }>> {
  static say(id: string, name: string) {
    const greeting = new Greeting(id);
    greeting.record({ type: 'greeter.greeted', version: 1, aggregateId: id, occurredAt: new Date(), data: { name } });
    return greeting;
  }
}

@injectable()
class Greet {
  constructor(
    @inject(UnitOfWork) private readonly uow: UnitOfWork,
    @inject(Outbox) private readonly outbox: Outbox,
    @inject(IdGenerator) private readonly ids: IdGenerator,
  ) {}
  execute(name: string) {
    return this.uow.transaction(() => this.outbox.append('greeter', Greeting.say(this.ids.next(), name).pullEvents()));
  }
}

const heard: string[] = [];
@injectable()
class Listener implements IntegrationEventHandler<{ name: string }> {
  async handle(event: IntegrationEvent<{ name: string }>) {
    heard.push(event.data.name);
  }
}

const greeterModule: AuraModule = {
  name: 'greeter',
  events: [greeted],
  subscriptions: [{ subscriber: 'greeter.listen', eventType: 'greeter.greeted', versions: [1], handler: Listener }],
  containerModule: new ContainerModule(({ bind }) => {
    bind(Greet).toSelf();
    bind(Listener).toSelf();
  }),
};

let aura: Aura;
beforeAll(async () => {
  aura = await createAura({ config: configFrom({ OUTBOX_POLL_INTERVAL_MS: '20' }), modules: [greeterModule] });
  await aura.startWorker();
});
afterAll(() => aura.close());

it('runs an embedder’s own module through the outbox, with nothing but the public API', async () => {
  await (await aura.get(Greet)).execute('Ada');
  for (let i = 0; i < 200 && heard.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  expect(heard).toEqual(['Ada']);
  expect((await aura.readiness()).checks['module:greeter']).toEqual({ status: 'up' });
});
