import { err, ok, type Result } from 'neverthrow';
import { bypassesPreferences, CATEGORIES, type Category, CHANNELS, type Channel, type Priority } from './kinds.js';
import type { InvalidQuietHours, InvalidRecipient } from './notification.errors.js';
import { parseQuietHours, type QuietHours } from './quiet-hours.js';
import { parseDeviceToken, parsePhoneNumber } from './recipient.js';

/** Categories a person may opt out of: `security` always goes out. */
export const OPTIONAL_CATEGORIES = CATEGORIES.filter((category) => category !== 'security') as readonly Exclude<
  Category,
  'security'
>[];
export type OptionalCategory = (typeof OPTIONAL_CATEGORIES)[number];

/** Channel × category → wanted or not. Absent pairs are wanted (opt-out, not opt-in). */
export type ChannelChoices = Readonly<Record<Channel, Readonly<Record<OptionalCategory, boolean>>>>;

/**
 * What one person wants: which channel and category they hear about, when not to be
 * disturbed, and where their SMS and push messages go.
 */
export interface NotificationPreferences {
  readonly userId: string;
  readonly channels: ChannelChoices;
  readonly quietHours: QuietHours | null;
  /** E.164; where SMS to this person go. */
  readonly phoneNumber: string | null;
  /** The push provider's token for this person's device. */
  readonly pushToken: string | null;
  readonly updatedAt: Date | null;
}

function everything(wanted: boolean): ChannelChoices {
  const categories = Object.fromEntries(OPTIONAL_CATEGORIES.map((category) => [category, wanted])) as Record<
    OptionalCategory,
    boolean
  >;
  return Object.fromEntries(CHANNELS.map((channel) => [channel, { ...categories }])) as unknown as ChannelChoices;
}

/** Someone who never said anything: every channel and category wanted, no quiet hours. */
export function defaultPreferences(userId: string): NotificationPreferences {
  return { userId, channels: everything(true), quietHours: null, phoneNumber: null, pushToken: null, updatedAt: null };
}

export interface PreferencesInput {
  /** Partial: channels and categories not named keep their current choice. */
  readonly channels?:
    | { readonly [C in Channel]?: { readonly [K in OptionalCategory]?: boolean | undefined } | undefined }
    | undefined;
  readonly quietHours?: { readonly start: string; readonly end: string } | null | undefined;
  readonly phoneNumber?: string | null | undefined;
  readonly pushToken?: string | null | undefined;
}

/** Applies a change to someone's preferences, validating the quiet hours and addresses. */
export function changePreferences(
  current: NotificationPreferences,
  input: PreferencesInput,
  at: Date,
): Result<NotificationPreferences, InvalidQuietHours | InvalidRecipient> {
  const channels = Object.fromEntries(
    CHANNELS.map((channel) => {
      const changes = Object.entries(input.channels?.[channel] ?? {}).filter(([, wanted]) => wanted !== undefined);
      return [channel, { ...current.channels[channel], ...Object.fromEntries(changes) }];
    }),
  ) as unknown as ChannelChoices;
  let quietHours = current.quietHours;
  if (input.quietHours !== undefined) {
    if (input.quietHours === null) quietHours = null;
    else {
      const parsed = parseQuietHours(input.quietHours);
      if (parsed.isErr()) return err(parsed.error);
      quietHours = parsed.value;
    }
  }
  let phoneNumber = current.phoneNumber;
  if (input.phoneNumber !== undefined) {
    if (input.phoneNumber === null) phoneNumber = null;
    else {
      const parsed = parsePhoneNumber(input.phoneNumber, 'phoneNumber');
      if (parsed.isErr()) return err(parsed.error);
      phoneNumber = parsed.value;
    }
  }
  let pushToken = current.pushToken;
  if (input.pushToken !== undefined) {
    if (input.pushToken === null) pushToken = null;
    else {
      const parsed = parseDeviceToken(input.pushToken, 'pushToken');
      if (parsed.isErr()) return err(parsed.error);
      pushToken = parsed.value;
    }
  }
  return ok({ userId: current.userId, channels, quietHours, phoneNumber, pushToken, updatedAt: at });
}

/** Whether this person wants to hear about `category` on `channel`; security and critical messages always go. */
export function wants(preferences: NotificationPreferences, channel: Channel, category: Category, priority: Priority): boolean {
  if (bypassesPreferences(category, priority)) return true;
  return preferences.channels[channel][category as OptionalCategory];
}
