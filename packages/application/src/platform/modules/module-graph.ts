import { err, ok, type Result } from 'neverthrow';
import type { ModuleDefinition } from './module-definition.js';

export interface ModuleGraphError {
  readonly type:
    | 'platform.duplicate_module'
    | 'platform.unknown_dependency'
    | 'platform.dependency_cycle'
    | 'platform.missing_provider'
    | 'platform.undeclared_dependency'
    | 'platform.duplicate_provider'
    | 'platform.unknown_event_subscription'
    | 'platform.duplicate_subscriber'
    | 'platform.duplicate_queue';
  readonly message: string;
}

/** Thrown at start-up with every problem of the module graph in its message. */
export class ModuleGraphInvalidError extends Error {
  override readonly name = 'ModuleGraphInvalidError';
  constructor(readonly problems: readonly ModuleGraphError[]) {
    super(`invalid module graph:\n${problems.map((p) => `  - ${p.message}`).join('\n')}`);
  }
}

const tokenName = (token: symbol) => token.description ?? token.toString();

function findCycle(modules: ReadonlyMap<string, ModuleDefinition>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'visiting');
    path.push(name);
    for (const dependency of modules.get(name)?.dependsOn ?? []) {
      if (!modules.has(dependency)) continue;
      const cycle = visit(dependency);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of modules.keys()) {
    const cycle = visit(name);
    if (cycle) return cycle;
  }
  return undefined;
}

function topologicalOrder(modules: ReadonlyMap<string, ModuleDefinition>): ModuleDefinition[] {
  const ordered: ModuleDefinition[] = [];
  const seen = new Set<string>();
  const visit = (definition: ModuleDefinition) => {
    if (seen.has(definition.name)) return;
    seen.add(definition.name);
    for (const dependency of definition.dependsOn ?? []) {
      const target = modules.get(dependency);
      if (target) visit(target);
    }
    ordered.push(definition);
  };
  for (const definition of modules.values()) visit(definition);
  return ordered;
}

/**
 * Checks the registered modules form a valid graph: unique names, known and acyclic
 * dependencies, every required contract provided by a declared dependency, every
 * subscription naming a published event, unique subscribers and queues. On success returns
 * the modules ordered so that each comes after everything it depends on.
 */
export function validateModuleGraph(definitions: readonly ModuleDefinition[]): Result<ModuleDefinition[], ModuleGraphError[]> {
  const problems: ModuleGraphError[] = [];
  const modules = new Map<string, ModuleDefinition>();
  for (const definition of definitions) {
    if (modules.has(definition.name)) {
      problems.push({ type: 'platform.duplicate_module', message: `module "${definition.name}" is registered twice` });
    }
    modules.set(definition.name, definition);
  }

  const providers = new Map<symbol, string>();
  for (const definition of modules.values()) {
    for (const token of definition.provides ?? []) {
      const other = providers.get(token);
      if (other !== undefined) {
        problems.push({
          type: 'platform.duplicate_provider',
          message: `${tokenName(token)} is provided by both "${other}" and "${definition.name}"`,
        });
      }
      providers.set(token, definition.name);
    }
  }

  const published = new Set<string>();
  for (const definition of modules.values()) for (const event of definition.events ?? []) published.add(event.type);

  const subscribers = new Set<string>();
  const queues = new Map<string, string>();
  for (const definition of modules.values()) {
    for (const dependency of definition.dependsOn ?? []) {
      if (!modules.has(dependency)) {
        problems.push({
          type: 'platform.unknown_dependency',
          message: `module "${definition.name}" depends on "${dependency}", which is not registered`,
        });
      }
    }
    for (const token of definition.requires ?? []) {
      const provider = providers.get(token);
      if (provider === undefined) {
        problems.push({
          type: 'platform.missing_provider',
          message: `module "${definition.name}" requires ${tokenName(token)}, which no registered module provides`,
        });
      } else if (provider !== definition.name && !(definition.dependsOn ?? []).includes(provider)) {
        problems.push({
          type: 'platform.undeclared_dependency',
          message: `module "${definition.name}" requires ${tokenName(token)} from "${provider}" but does not declare a dependency on it`,
        });
      }
    }
    for (const subscription of definition.subscriptions ?? []) {
      if (!published.has(subscription.eventType)) {
        problems.push({
          type: 'platform.unknown_event_subscription',
          message: `subscriber "${subscription.subscriber}" of module "${definition.name}" listens to "${subscription.eventType}", which no registered module publishes`,
        });
      }
      if (subscribers.has(subscription.subscriber)) {
        problems.push({
          type: 'platform.duplicate_subscriber',
          message: `subscriber "${subscription.subscriber}" is declared twice`,
        });
      }
      subscribers.add(subscription.subscriber);
    }
    for (const job of definition.jobs ?? []) {
      const owner = queues.get(job.queue);
      if (owner !== undefined) {
        problems.push({
          type: 'platform.duplicate_queue',
          message: `queue "${job.queue}" is declared by "${owner}" and "${definition.name}"`,
        });
      }
      queues.set(job.queue, definition.name);
    }
  }

  const cycle = findCycle(modules);
  if (cycle) {
    problems.push({
      type: 'platform.dependency_cycle',
      message: `modules depend on each other in a cycle: ${cycle.join(' → ')}`,
    });
  }

  return problems.length > 0 ? err(problems) : ok(topologicalOrder(modules));
}
