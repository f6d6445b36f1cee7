import type { CalendarEntry, CalendarRenderer } from '@aura/application/therapy';
import ical, { ICalEventStatus } from 'ical-generator';
import { injectable } from 'inversify';

/** iCalendar (RFC 5545) through ical-generator: times in UTC, one VEVENT per entry, confirmed. */
@injectable()
export class IcalCalendarRenderer implements CalendarRenderer {
  render(calendar: { readonly name: string; readonly entries: readonly CalendarEntry[] }): string {
    const document = ical({ name: calendar.name, prodId: { company: 'Aura', product: 'Aura', language: 'EN' } });
    for (const entry of calendar.entries) {
      document.createEvent({
        id: entry.uid,
        sequence: entry.sequence,
        start: entry.start,
        end: entry.end,
        stamp: entry.updatedAt,
        lastModified: entry.updatedAt,
        summary: entry.summary,
        description: entry.description,
        location: entry.location,
        url: entry.url,
        status: ICalEventStatus.CONFIRMED,
      });
    }
    return document.toString();
  }
}
