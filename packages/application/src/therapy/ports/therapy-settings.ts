/** The therapy module's configuration, as its use cases need it. */
export interface TherapySettings {
  /** Reminders go this many minutes before a session (24 h and 1 h by default). */
  readonly reminderOffsetsMinutes: readonly number[];
  /** Longest range one slot search may ask for. */
  readonly maxSlotRangeDays: number;
  /** Links in messages and calendar entries: this plus `/<session id>` (the client app's page). */
  readonly appointmentUrl: string;
  /** Public address of the API (the calendar feed URL). */
  readonly publicBaseUrl: string;
  /** The calendar feed holds sessions from this many days back … */
  readonly calendarPastDays: number;
  /** … to this many days ahead. */
  readonly calendarFutureDays: number;
}
export const TherapySettings = Symbol.for('aura.therapy.TherapySettings');
