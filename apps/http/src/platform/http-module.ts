import type { Aura } from '@aura/adapters/platform';
import type { HttpApi } from './http-api.js';

/** A module's HTTP surface: routes declared on the shared api (so they are validated and documented). */
export interface HttpModule {
  /** The installed module this surface belongs to (start-up fails if it is not installed). */
  readonly module: string;
  register(api: HttpApi, aura: Aura): void;
}
