// Proves the built packages work for an embedder: plain Node, no TypeScript, no source
// condition, only the packages' public exports (run after `npm run build`).
import { configFrom, createAura } from '@aura/adapters';
import { IntegrationEventRegistry } from '@aura/application';
import { domainError } from '@aura/domain';
import { uuidV7Arbitrary } from '@aura/domain/testing';

const aura = await createAura({ config: configFrom() });
try {
  const ready = await aura.readiness();
  if (ready.status !== 'up') throw new Error(`not ready: ${JSON.stringify(ready)}`);
  const registry = await aura.get(IntegrationEventRegistry);
  if (!(registry instanceof IntegrationEventRegistry)) throw new Error('container does not serve the application classes');
  if (domainError('x.y', 'm').type !== 'x.y' || typeof uuidV7Arbitrary !== 'function') throw new Error('domain exports broken');
  console.log(`embed smoke: createAura from dist OK (${aura.database.kind}, ${aura.modules.map((m) => m.name).join(', ')})`);
} finally {
  await aura.close();
}
