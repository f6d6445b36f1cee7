import { notificationsModule } from './notifications/notifications.module.js';
import type { AuraModule } from './platform/aura-module.js';
import { therapyModule } from './therapy/therapy.module.js';
import { usersModule } from './users/users.module.js';

/**
 * The business modules the runtimes install, in any order (start-up orders them by their
 * dependencies). Adding a module is one line here and one in apps/http/src/http-modules.ts.
 */
export const auraModules: readonly AuraModule[] = [usersModule, notificationsModule, therapyModule];
