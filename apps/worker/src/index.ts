export type { WorkerProcess } from './worker.js';
export { startWorkerProcess } from './worker.js';
