import type { TherapySettings } from '@aura/application/therapy';
import type { AuraConfig } from '../platform/config/config.js';

export function therapySettingsFrom(config: AuraConfig): TherapySettings {
  return {
    reminderOffsetsMinutes: config.THERAPY_REMINDER_OFFSETS_MINUTES,
    maxSlotRangeDays: config.THERAPY_SLOT_RANGE_MAX_DAYS,
    appointmentUrl: config.THERAPY_APPOINTMENT_URL,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    calendarPastDays: config.THERAPY_CALENDAR_PAST_DAYS,
    calendarFutureDays: config.THERAPY_CALENDAR_FUTURE_DAYS,
  };
}
