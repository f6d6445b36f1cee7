import type { Uuid } from '@aura/domain';

/** Generates identities (UUIDv7: time-ordered, index-friendly). */
export interface IdGenerator {
  next(): Uuid;
}
export const IdGenerator = Symbol.for('aura.platform.IdGenerator');
