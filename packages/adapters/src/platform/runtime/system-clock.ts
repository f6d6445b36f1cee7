import type { Clock } from '@aura/application/platform';

export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
}
