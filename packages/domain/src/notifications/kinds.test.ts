import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { categoryArbitrary, priorityArbitrary } from '../testing/index.js';
import { bypassesPreferences, CATEGORIES, CHANNELS, NOTIFICATION_STATUSES, PRIORITIES } from './kinds.js';

describe('notification kinds', () => {
  it('lists the channels, categories, priorities and statuses', () => {
    expect(CHANNELS).toEqual(['email', 'sms', 'push']);
    expect(CATEGORIES).toEqual(['security', 'transactional', 'reminder', 'announcement']);
    expect(PRIORITIES).toEqual(['normal', 'critical']);
    expect(NOTIFICATION_STATUSES).toEqual(['pending', 'sent', 'delivered', 'failed', 'cancelled']);
  });

  it('lets security and critical notifications bypass preferences, nothing else', () => {
    fc.assert(
      fc.property(categoryArbitrary, priorityArbitrary, (category, priority) => {
        expect(bypassesPreferences(category, priority)).toBe(category === 'security' || priority === 'critical');
      }),
    );
    expect(bypassesPreferences('security', 'normal')).toBe(true);
    expect(bypassesPreferences('announcement', 'critical')).toBe(true);
    expect(bypassesPreferences('reminder', 'normal')).toBe(false);
  });
});
