/** The only source of "now" for use cases: the domain takes time as an argument. */
export interface Clock {
  now(): Date;
}
export const Clock = Symbol.for('aura.platform.Clock');
