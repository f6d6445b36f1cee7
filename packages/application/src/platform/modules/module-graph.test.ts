import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { EventSubscription } from '../events/event-subscription.js';
import { defineIntegrationEvent } from '../events/integration-event.js';
import type { JobDefinition, ModuleDefinition } from './module-definition.js';
import { type ModuleGraphError, ModuleGraphInvalidError, validateModuleGraph } from './module-graph.js';

const UsersContract = Symbol.for('aura.test.UsersContract');
const BillingContract = Symbol.for('aura.test.BillingContract');
const Handler = Symbol.for('aura.test.Handler');
const Processor = Symbol.for('aura.test.Processor');

const userRegistered = defineIntegrationEvent({
  type: 'user.registered',
  version: 1,
  sourceModule: 'users',
  schema: z.object({ userId: z.string() }),
});

const subscription = (subscriber: string, eventType = 'user.registered'): EventSubscription => ({
  subscriber,
  eventType,
  versions: [1],
  handler: Handler,
});

const job = (queue: string): JobDefinition => ({ queue, processor: Processor });

const problemsOf = (definitions: readonly ModuleDefinition[]): ModuleGraphError[] =>
  validateModuleGraph(definitions)._unsafeUnwrapErr();

const typesOf = (definitions: readonly ModuleDefinition[]) => problemsOf(definitions).map((p) => p.type);

describe('validateModuleGraph', () => {
  it('accepts a valid graph and orders each module after its dependencies', () => {
    const ordered = validateModuleGraph([
      { name: 'notifications', dependsOn: ['users', 'therapy'], subscriptions: [subscription('notifications.welcome')] },
      { name: 'therapy', dependsOn: ['users'], requires: [UsersContract] },
      { name: 'users', provides: [UsersContract], events: [userRegistered], jobs: [job('users.cleanup')] },
    ])._unsafeUnwrap();
    expect(ordered.map((m) => m.name)).toEqual(['users', 'therapy', 'notifications']);
  });

  it('accepts an empty graph and modules that declare nothing', () => {
    expect(validateModuleGraph([])._unsafeUnwrap()).toEqual([]);
    expect(
      validateModuleGraph([{ name: 'a' }, { name: 'b' }])
        ._unsafeUnwrap()
        .map((m) => m.name),
    ).toEqual(['a', 'b']);
  });

  it('lets a module require a contract it provides itself', () => {
    expect(validateModuleGraph([{ name: 'users', provides: [UsersContract], requires: [UsersContract] }]).isOk()).toBe(true);
  });

  it('reports a module registered twice', () => {
    expect(problemsOf([{ name: 'users' }, { name: 'users' }])).toEqual([
      { type: 'platform.duplicate_module', message: 'module "users" is registered twice' },
    ]);
  });

  it('reports a dependency on a module that is not registered', () => {
    expect(problemsOf([{ name: 'therapy', dependsOn: ['users'] }])).toEqual([
      { type: 'platform.unknown_dependency', message: 'module "therapy" depends on "users", which is not registered' },
    ]);
  });

  it('reports a cycle with its path', () => {
    const problems = problemsOf([
      { name: 'a', dependsOn: ['b'] },
      { name: 'b', dependsOn: ['c'] },
      { name: 'c', dependsOn: ['a'] },
    ]);
    expect(problems).toEqual([
      { type: 'platform.dependency_cycle', message: 'modules depend on each other in a cycle: a → b → c → a' },
    ]);
  });

  it('reports only the modules on the cycle, not the path that led to it', () => {
    const [problem] = problemsOf([
      { name: 'entry', dependsOn: ['x'] },
      { name: 'x', dependsOn: ['y'] },
      { name: 'y', dependsOn: ['x'] },
    ]);
    expect(problem?.message).toBe('modules depend on each other in a cycle: x → y → x');
  });

  it('reports a module depending on itself as a cycle', () => {
    expect(problemsOf([{ name: 'a', dependsOn: ['a'] }])[0]?.message).toBe('modules depend on each other in a cycle: a → a');
  });

  it('reports a required contract that no module provides', () => {
    expect(problemsOf([{ name: 'therapy', requires: [UsersContract] }])).toEqual([
      {
        type: 'platform.missing_provider',
        message: 'module "therapy" requires aura.test.UsersContract, which no registered module provides',
      },
    ]);
  });

  it('names a token without a description by its string form', () => {
    const anonymous = Symbol();
    expect(problemsOf([{ name: 'therapy', requires: [anonymous] }])[0]?.message).toBe(
      'module "therapy" requires Symbol(), which no registered module provides',
    );
  });

  it('reports a required contract whose provider is not a declared dependency', () => {
    expect(
      problemsOf([
        { name: 'users', provides: [UsersContract] },
        { name: 'therapy', requires: [UsersContract] },
      ]),
    ).toEqual([
      {
        type: 'platform.undeclared_dependency',
        message: 'module "therapy" requires aura.test.UsersContract from "users" but does not declare a dependency on it',
      },
    ]);
  });

  it('reports a contract provided by two modules', () => {
    expect(
      problemsOf([
        { name: 'users', provides: [UsersContract] },
        { name: 'accounts', provides: [UsersContract] },
      ]),
    ).toEqual([
      {
        type: 'platform.duplicate_provider',
        message: 'aura.test.UsersContract is provided by both "users" and "accounts"',
      },
    ]);
  });

  it('reports a subscription to an event no module publishes', () => {
    expect(problemsOf([{ name: 'notifications', subscriptions: [subscription('notifications.welcome')] }])).toEqual([
      {
        type: 'platform.unknown_event_subscription',
        message:
          'subscriber "notifications.welcome" of module "notifications" listens to "user.registered", which no registered module publishes',
      },
    ]);
  });

  it('reports a subscriber name used twice, also across modules', () => {
    expect(
      problemsOf([
        { name: 'users', events: [userRegistered], subscriptions: [subscription('shared.welcome')] },
        { name: 'notifications', subscriptions: [subscription('shared.welcome')] },
      ]),
    ).toEqual([{ type: 'platform.duplicate_subscriber', message: 'subscriber "shared.welcome" is declared twice' }]);
  });

  it('reports a queue declared twice', () => {
    expect(
      problemsOf([
        { name: 'users', jobs: [job('shared.queue')] },
        { name: 'billing', jobs: [job('shared.queue')] },
      ]),
    ).toEqual([{ type: 'platform.duplicate_queue', message: 'queue "shared.queue" is declared by "users" and "billing"' }]);
  });

  it('reports every problem at once', () => {
    const types = typesOf([
      { name: 'users', provides: [UsersContract] },
      { name: 'users', provides: [UsersContract] },
      { name: 'accounts', provides: [UsersContract] },
      { name: 'billing', dependsOn: ['ghost', 'therapy'], requires: [BillingContract], jobs: [job('q'), job('q')] },
      {
        name: 'therapy',
        dependsOn: ['billing'],
        requires: [UsersContract],
        subscriptions: [subscription('t.s', 'nobody.publishes'), subscription('t.s', 'nobody.publishes')],
      },
    ]);
    expect(new Set(types)).toEqual(
      new Set([
        'platform.duplicate_module',
        'platform.duplicate_provider',
        'platform.unknown_dependency',
        'platform.missing_provider',
        'platform.undeclared_dependency',
        'platform.unknown_event_subscription',
        'platform.duplicate_subscriber',
        'platform.duplicate_queue',
        'platform.dependency_cycle',
      ]),
    );
  });

  it('orders every random acyclic graph so that each module comes after its dependencies', () => {
    // A DAG: module i may only depend on modules with a smaller index; the input order is shuffled.
    const dag = fc.integer({ min: 1, max: 12 }).chain((size) =>
      fc
        .tuple(
          fc.tuple(
            ...Array.from({ length: size }, (_, i) =>
              fc.subarray(
                Array.from({ length: i }, (_, j) => j),
                { minLength: 0 },
              ),
            ),
          ),
          fc.shuffledSubarray(
            Array.from({ length: size }, (_, i) => i),
            { minLength: size, maxLength: size },
          ),
        )
        .map(([dependencies, order]) =>
          order.map((i) => ({ name: `m${i}`, dependsOn: (dependencies[i] ?? []).map((j) => `m${j}`) })),
        ),
    );
    fc.assert(
      fc.property(dag, (definitions) => {
        const ordered = validateModuleGraph(definitions)._unsafeUnwrap();
        const position = new Map(ordered.map((m, index) => [m.name, index]));
        expect(ordered).toHaveLength(definitions.length);
        expect(new Set(ordered)).toEqual(new Set(definitions));
        for (const module of ordered) {
          for (const dependency of module.dependsOn ?? []) {
            expect(position.get(dependency)).toBeLessThan(position.get(module.name) ?? -1);
          }
        }
      }),
    );
  });

  it('finds a cycle in every graph where a back edge closes a dependency chain', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.nat(), (length, shift) => {
        // m0 → m1 → … → m(n-1) → m0, listed starting anywhere on the ring.
        const ring = Array.from({ length }, (_, i) => ({ name: `m${i}`, dependsOn: [`m${(i + 1) % length}`] }));
        const definitions = [...ring.slice(shift % length), ...ring.slice(0, shift % length)];
        const problems = problemsOf(definitions);
        expect(problems.map((p) => p.type)).toEqual(['platform.dependency_cycle']);
        const path = problems[0]?.message.split(': ')[1]?.split(' → ') ?? [];
        expect(path).toHaveLength(length + 1);
        expect(path[0]).toBe(path.at(-1));
        expect(new Set(path)).toEqual(new Set(ring.map((m) => m.name)));
      }),
    );
  });
});

describe('ModuleGraphInvalidError', () => {
  it('lists every problem in its message and keeps them', () => {
    const problems = problemsOf([{ name: 'a' }, { name: 'a', dependsOn: ['ghost'] }]);
    const error = new ModuleGraphInvalidError(problems);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ModuleGraphInvalidError');
    expect(error.problems).toBe(problems);
    expect(error.message).toBe(
      [
        'invalid module graph:',
        '  - module "a" is registered twice',
        '  - module "a" depends on "ghost", which is not registered',
      ].join('\n'),
    );
  });
});
