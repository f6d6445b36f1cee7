export type { DeadLetter, DeadLetterStatus } from './dead-letter.js';
export type { DeadLetterQuery } from './dead-letter-store.port.js';
export { DeadLetterStore } from './dead-letter-store.port.js';
export type { ListDeadLettersInput } from './list-dead-letters.query.js';
export { ListDeadLetters } from './list-dead-letters.query.js';
export type { ReplayDeadLetterError, ReplayDeadLetterInput } from './replay-dead-letter.command.js';
export { ReplayDeadLetter } from './replay-dead-letter.command.js';
