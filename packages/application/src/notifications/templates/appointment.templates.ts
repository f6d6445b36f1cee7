import { z } from 'zod';
import { defineTemplate } from './template.js';

const name = z.string().min(1).max(200);
const url = z.url({ protocol: /^https?$/ });
const instant = z.iso.datetime({ offset: true });
const variables = z.strictObject({ displayName: name, startsAt: instant, withName: name, url });

/**
 * The therapy module's appointment messages (its reminders use `appointment.reminder`). SMS and
 * push say "your appointment", a time and a link; who it is with stays in the email and the app.
 */
export const appointmentConfirmedTemplate = defineTemplate({
  key: 'appointment.confirmed',
  category: 'transactional',
  channels: ['email', 'sms', 'push'],
  variables,
  dateTimes: ['startsAt'],
  discreet: ['startsAt', 'url'],
  texts: {
    en: {
      email: {
        subject: 'Appointment confirmed: {{startsAt}}',
        text: [
          'Hello {{displayName}},',
          '',
          'Your appointment with {{withName}} on {{startsAt}} is confirmed.',
          '',
          'Details, and how to move or cancel it: {{url}}',
          '',
          '— Aura',
        ].join('\n'),
      },
      sms: { text: 'Aura: your appointment on {{startsAt}} is confirmed. Details: {{url}}' },
      push: { text: 'Your appointment on {{startsAt}} is confirmed.' },
    },
    pt: {
      email: {
        subject: 'Consulta confirmada: {{startsAt}}',
        text: [
          'Olá {{displayName}},',
          '',
          'A sua consulta com {{withName}} em {{startsAt}} está confirmada.',
          '',
          'Detalhes, e como a mudar ou cancelar: {{url}}',
          '',
          '— Aura',
        ].join('\n'),
      },
      sms: { text: 'Aura: a sua consulta em {{startsAt}} está confirmada. Detalhes: {{url}}' },
      push: { text: 'A sua consulta em {{startsAt}} está confirmada.' },
    },
  },
});

/** To the therapist: someone booked an appointment with them. */
export const appointmentBookedTemplate = defineTemplate({
  key: 'appointment.booked',
  category: 'transactional',
  channels: ['email', 'sms', 'push'],
  variables,
  dateTimes: ['startsAt'],
  discreet: ['startsAt', 'url'],
  texts: {
    en: {
      email: {
        subject: 'New appointment: {{startsAt}}',
        text: [
          'Hello {{displayName}},',
          '',
          '{{withName}} booked an appointment with you on {{startsAt}}.',
          '',
          'Details: {{url}}',
          '',
          '— Aura',
        ].join('\n'),
      },
      sms: { text: 'Aura: a new appointment on {{startsAt}}. Details: {{url}}' },
      push: { text: 'A new appointment on {{startsAt}}.' },
    },
    pt: {
      email: {
        subject: 'Nova consulta: {{startsAt}}',
        text: [
          'Olá {{displayName}},',
          '',
          '{{withName}} marcou uma consulta consigo em {{startsAt}}.',
          '',
          'Detalhes: {{url}}',
          '',
          '— Aura',
        ].join('\n'),
      },
      sms: { text: 'Aura: uma nova consulta em {{startsAt}}. Detalhes: {{url}}' },
      push: { text: 'Uma nova consulta em {{startsAt}}.' },
    },
  },
});

export const appointmentRescheduledTemplate = defineTemplate({
  key: 'appointment.rescheduled',
  category: 'transactional',
  channels: ['email', 'sms', 'push'],
  variables: variables.extend({ previousStartsAt: instant }),
  dateTimes: ['startsAt', 'previousStartsAt'],
  discreet: ['startsAt', 'previousStartsAt', 'url'],
  texts: {
    en: {
      email: {
        subject: 'Appointment moved to {{startsAt}}',
        text: [
          'Hello {{displayName}},',
          '',
          'Your appointment with {{withName}} on {{previousStartsAt}} was moved to {{startsAt}}.',
          '',
          'Details: {{url}}',
          '',
          '— Aura',
        ].join('\n'),
      },
      sms: { text: 'Aura: your appointment on {{previousStartsAt}} moved to {{startsAt}}. Details: {{url}}' },
      push: { text: 'Your appointment moved to {{startsAt}}.' },
    },
    pt: {
      email: {
        subject: 'Consulta remarcada para {{startsAt}}',
        text: [
          'Olá {{displayName}},',
          '',
          'A sua consulta com {{withName}} em {{previousStartsAt}} passou para {{startsAt}}.',
          '',
          'Detalhes: {{url}}',
          '',
          '— Aura',
        ].join('\n'),
      },
      sms: { text: 'Aura: a sua consulta em {{previousStartsAt}} passou para {{startsAt}}. Detalhes: {{url}}' },
      push: { text: 'A sua consulta passou para {{startsAt}}.' },
    },
  },
});

export const appointmentCancelledTemplate = defineTemplate({
  key: 'appointment.cancelled',
  category: 'transactional',
  channels: ['email', 'sms', 'push'],
  variables,
  dateTimes: ['startsAt'],
  discreet: ['startsAt', 'url'],
  texts: {
    en: {
      email: {
        subject: 'Appointment cancelled: {{startsAt}}',
        text: [
          'Hello {{displayName}},',
          '',
          'Your appointment with {{withName}} on {{startsAt}} was cancelled.',
          '',
          'Details: {{url}}',
          '',
          '— Aura',
        ].join('\n'),
      },
      sms: { text: 'Aura: your appointment on {{startsAt}} was cancelled. Details: {{url}}' },
      push: { text: 'Your appointment on {{startsAt}} was cancelled.' },
    },
    pt: {
      email: {
        subject: 'Consulta cancelada: {{startsAt}}',
        text: [
          'Olá {{displayName}},',
          '',
          'A sua consulta com {{withName}} em {{startsAt}} foi cancelada.',
          '',
          'Detalhes: {{url}}',
          '',
          '— Aura',
        ].join('\n'),
      },
      sms: { text: 'Aura: a sua consulta em {{startsAt}} foi cancelada. Detalhes: {{url}}' },
      push: { text: 'A sua consulta em {{startsAt}} foi cancelada.' },
    },
  },
});

/** The appointment templates, added to the built-in catalogue. */
export const appointmentTemplates = [
  appointmentConfirmedTemplate,
  appointmentBookedTemplate,
  appointmentRescheduledTemplate,
  appointmentCancelledTemplate,
];
