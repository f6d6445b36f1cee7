import { DEFAULT_CLINICAL_TERMS, DEFAULT_CONTENT_POLICY, findTerm } from '@aura/domain/notifications';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appointmentTemplates } from './appointment.templates.js';
import {
  appointmentReminderTemplate,
  builtInTemplates,
  emailVerificationTemplate,
  passwordResetTemplate,
  welcomeTemplate,
} from './built-in.templates.js';
import { TemplateCatalog, type TemplateDefinition } from './template.js';

const catalog = new TemplateCatalog(builtInTemplates, DEFAULT_CONTENT_POLICY);
const LOCALES = ['en', 'en-US', 'pt', 'pt-BR', 'pt-PT', 'de', 'fr-CA', 'ja'];
const TIME_ZONES = ['UTC', 'America/Sao_Paulo', 'Europe/Lisbon', 'Asia/Kolkata', 'Pacific/Chatham'];

const samples: Readonly<Record<string, Record<string, string>>> = {
  'account.email-verification': {
    displayName: 'Ana Souza',
    code: 'CODE-1234',
    url: 'https://aura.example.org/api/auth/verify-email',
    expiresAt: '2026-11-23T08:00:00Z',
  },
  'account.password-reset': {
    displayName: 'Ana Souza',
    code: 'CODE-5678',
    url: 'https://aura.example.org/api/auth/password-reset/confirm',
    expiresAt: '2026-11-22T09:00:00Z',
  },
  'user.welcome': { displayName: 'Ana Souza' },
  'appointment.reminder': {
    displayName: 'Ana Souza',
    startsAt: '2026-12-01T15:00:00Z',
    withName: 'Dr. Bia Lima',
    url: 'https://aura.example.org/appointments/1',
  },
  ...Object.fromEntries(
    ['appointment.confirmed', 'appointment.booked', 'appointment.cancelled'].map((key) => [
      key,
      {
        displayName: 'Ana Souza',
        startsAt: '2026-12-01T15:00:00Z',
        withName: 'Dr. Bia Lima',
        url: 'https://aura.example.org/appointments/1',
      },
    ]),
  ),
  'appointment.rescheduled': {
    displayName: 'Ana Souza',
    startsAt: '2026-12-01T15:00:00Z',
    previousStartsAt: '2026-11-30T15:00:00Z',
    withName: 'Dr. Bia Lima',
    url: 'https://aura.example.org/appointments/1',
  },
};

describe('the built-in templates', () => {
  it('are the module’s four and the appointment ones, each in a catalog with the default policy', () => {
    expect(builtInTemplates).toEqual([
      emailVerificationTemplate,
      passwordResetTemplate,
      welcomeTemplate,
      appointmentReminderTemplate,
      ...appointmentTemplates,
    ]);
    expect(catalog.keys()).toEqual(Object.keys(samples).sort());
    expect(builtInTemplates.map((t) => [t.key, t.category])).toEqual([
      ['account.email-verification', 'security'],
      ['account.password-reset', 'security'],
      ['user.welcome', 'transactional'],
      ['appointment.reminder', 'reminder'],
      ['appointment.confirmed', 'transactional'],
      ['appointment.booked', 'transactional'],
      ['appointment.rescheduled', 'transactional'],
      ['appointment.cancelled', 'transactional'],
    ]);
  });

  const cases = builtInTemplates.flatMap((template) =>
    template.channels.flatMap((channel) => LOCALES.map((locale) => [template.key, channel, locale] as const)),
  );
  it.each(cases)('%s renders on %s in %s, every variable filled', (key, channel, locale) => {
    const rendered = catalog
      .render({ key, channel, locale, timeZone: 'America/Sao_Paulo', variables: samples[key] })
      ._unsafeUnwrap();
    expect(rendered.locale).toBe(locale.startsWith('pt') ? 'pt' : 'en');
    expect(rendered.message).not.toMatch(/\{\{|\}\}/);
    if (catalog.get(key)?.dateTimes !== undefined) expect(rendered.message).toContain('(America/Sao_Paulo)');
    if (channel === 'email') {
      expect(rendered.subject?.trim()).not.toBe('');
      expect(rendered.html).toMatch(/^<p>/);
      expect(rendered.message).toContain(samples[key]?.displayName);
    } else {
      expect(rendered.subject).toBeNull();
      expect(rendered.html).toBeNull();
    }
  });

  it.each([emailVerificationTemplate, passwordResetTemplate])('$key says "Your code: <code>" in every language', (template) => {
    for (const locale of Object.keys(template.texts)) {
      const rendered = catalog.render({
        key: template.key,
        channel: 'email',
        locale,
        timeZone: 'UTC',
        variables: { ...samples[template.key], code: 'X7-Q2-ZZ' },
      });
      expect(rendered._unsafeUnwrap().message.split('\n')).toContain('Your code: X7-Q2-ZZ');
    }
  });

  it('put what a reminder is about in its email, never in its SMS or push', () => {
    const render = (channel: 'email' | 'sms' | 'push') =>
      catalog
        .render({
          key: 'appointment.reminder',
          channel,
          locale: 'en',
          timeZone: 'UTC',
          variables: samples['appointment.reminder'],
        })
        ._unsafeUnwrap().message;
    expect(render('email')).toContain('Dr. Bia Lima');
    expect(render('sms')).not.toContain('Dr. Bia Lima');
    expect(render('push')).not.toContain('Dr. Bia Lima');
    expect(render('push')).not.toContain('Ana');
  });
});

describe('the privacy rule', () => {
  const clinical = fc.constantFrom(...DEFAULT_CLINICAL_TERMS, 'depression therapy', 'Anxiety & Panic Clinic', 'PHQ-9 score: 21');
  const anything = fc.oneof(
    fc.string({ minLength: 1, maxLength: 200 }),
    clinical,
    fc.tuple(fc.string({ maxLength: 40 }), clinical, fc.string({ maxLength: 40 })).map(([a, term, b]) => `${a} ${term} ${b}`),
  );
  const instant = fc
    .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
    .map((date) => date.toISOString());
  // Discreet variables carry what the sender puts there: a link must not name care either (the
  // content check refuses such an SMS at send time: see send-notification.command.test.ts).
  const link = fc
    .webUrl({ withQueryParameters: true, withFragments: true })
    .filter((url) => findTerm(url, DEFAULT_CLINICAL_TERMS) === undefined);

  const variablesOf = (template: TemplateDefinition): fc.Arbitrary<Record<string, string>> =>
    fc.record(
      Object.fromEntries(
        Object.keys(template.variables.shape).map((name) => [
          name,
          template.dateTimes?.includes(name) ? instant : name === 'url' ? link : anything,
        ]),
      ),
    );

  const discreetChannels = builtInTemplates.flatMap((template) =>
    template.channels.filter((channel) => channel !== 'email').map((channel) => [template, channel] as const),
  );

  it('has templates with SMS and push texts to check', () => {
    expect(discreetChannels.map(([template, channel]) => `${template.key}/${channel}`)).toEqual([
      'appointment.reminder/sms',
      'appointment.reminder/push',
      ...appointmentTemplates.flatMap((t) => [`${t.key}/sms`, `${t.key}/push`]),
    ]);
  });

  it.each(discreetChannels.map(([template, channel]) => [template.key, channel, template] as const))(
    '%s on %s never carries a clinical term, whatever the variables say',
    (_key, channel, template) => {
      fc.assert(
        fc.property(
          variablesOf(template),
          fc.constantFrom(...LOCALES),
          fc.constantFrom(...TIME_ZONES),
          (variables, locale, timeZone) => {
            const rendered = catalog.render({ key: template.key, channel, locale, timeZone, variables })._unsafeUnwrap();
            expect(findTerm(rendered.message, DEFAULT_CLINICAL_TERMS)).toBeUndefined();
            expect(rendered.subject).toBeNull();
          },
        ),
        {
          numRuns: 300,
          examples: [
            [
              {
                displayName: 'depression therapy',
                startsAt: '2026-12-01T15:00:00Z',
                withName: 'depression therapy',
                url: 'https://a.org/x',
                ...(template.key === 'appointment.rescheduled' ? { previousStartsAt: '2026-11-30T15:00:00Z' } : {}),
              },
              'pt-BR',
              'UTC',
            ],
          ],
        },
      );
    },
  );
});
