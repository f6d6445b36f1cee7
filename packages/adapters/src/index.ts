/**
 * @aura/adapters: real implementations of Aura's ports and `createAura()`, which wires them.
 * Business modules register here as their issues land (see `modules.ts`).
 */
export * from './modules.js';
export * from './platform/index.js';
