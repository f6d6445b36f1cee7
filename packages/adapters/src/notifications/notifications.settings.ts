import type { NotificationsSettings } from '@aura/application/notifications';
import { DEFAULT_CLINICAL_TERMS } from '@aura/domain/notifications';
import type { AuraConfig } from '../platform/config/config.js';

export function notificationsSettingsFrom(config: AuraConfig): NotificationsSettings {
  const forbiddenWords = config.NOTIFICATIONS_FORBIDDEN_WORDS.split(',')
    .map((word) => word.trim())
    .filter((word) => word.length > 0);
  const providerTimeoutMs = config.NOTIFICATIONS_PROVIDER_TIMEOUT_MS;
  return {
    contentPolicy: { forbiddenWords, clinicalTerms: DEFAULT_CLINICAL_TERMS },
    channels: {
      email: true,
      sms: config.NOTIFICATIONS_SMS_URL !== undefined,
      push: config.NOTIFICATIONS_PUSH_URL !== undefined,
    },
    maxAttempts: config.NOTIFICATIONS_MAX_ATTEMPTS,
    retryBackoffMs: config.NOTIFICATIONS_RETRY_BACKOFF_MS,
    // An attempt's claim outlives the provider call it covers, with room for the database around it.
    claimMs: providerTimeoutMs * 2 + 5_000,
    sweepIntervalMs: config.NOTIFICATIONS_SWEEP_INTERVAL_S * 1000,
    publicBaseUrl: config.PUBLIC_BASE_URL,
  };
}
