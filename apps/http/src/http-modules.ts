import { notificationsHttpModule } from './notifications/notifications.router.js';
import type { HttpModule } from './platform/http-module.js';
import { therapyHttpModule } from './therapy/therapy.router.js';
import { usersHttpModule } from './users/users.router.js';

/** The business modules' HTTP surfaces, mounted by `npm start` and `npm run start:http`. */
export const httpModules: readonly HttpModule[] = [usersHttpModule, notificationsHttpModule, therapyHttpModule];
