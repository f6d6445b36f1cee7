export type { JobDefinition, JobProcessor, ModuleDefinition } from './module-definition.js';
export type { ModuleGraphError } from './module-graph.js';
export { ModuleGraphInvalidError, validateModuleGraph } from './module-graph.js';
