import { z } from 'zod';
import { appointmentTemplates } from './appointment.templates.js';
import { defineTemplate, type TemplateDefinition } from './template.js';

const name = z.string().min(1).max(200);
const url = z.url({ protocol: /^https?$/ });
const instant = z.iso.datetime({ offset: true });

const accountCode = z.strictObject({ displayName: name, code: z.string().min(1).max(512), url, expiresAt: instant });

/** Sent by the users module (through its AccountMessenger port) when an address must be confirmed. */
export const emailVerificationTemplate = defineTemplate({
  key: 'account.email-verification',
  category: 'security',
  channels: ['email'],
  variables: accountCode,
  dateTimes: ['expiresAt'],
  texts: {
    en: {
      email: {
        subject: 'Confirm your email address',
        text: [
          'Hello {{displayName}},',
          '',
          'Welcome to Aura. Please confirm that this is your email address.',
          '',
          'Your code: {{code}}',
          '',
          'Send it to POST {{url}} with the JSON body {"token": "<your code>"}.',
          '',
          'The code works once and expires on {{expiresAt}}.',
          'If you did not create an account, ignore this email.',
          '',
          '— Aura',
        ].join('\n'),
      },
    },
    pt: {
      email: {
        subject: 'Confirme o seu endereço de e-mail',
        text: [
          'Olá {{displayName}},',
          '',
          'Bem-vindo(a) à Aura. Confirme que este endereço de e-mail é seu.',
          '',
          'Your code: {{code}}',
          '',
          'Envie-o para POST {{url}} com o corpo JSON {"token": "<o seu código>"}.',
          '',
          'O código funciona uma vez e expira em {{expiresAt}}.',
          'Se não criou uma conta, ignore este e-mail.',
          '',
          '— Aura',
        ].join('\n'),
      },
    },
  },
});

/** Sent by the users module when someone asks to reset a password. */
export const passwordResetTemplate = defineTemplate({
  key: 'account.password-reset',
  category: 'security',
  channels: ['email'],
  variables: accountCode,
  dateTimes: ['expiresAt'],
  texts: {
    en: {
      email: {
        subject: 'Reset your password',
        text: [
          'Hello {{displayName}},',
          '',
          'Someone (hopefully you) asked to reset the password of your Aura account.',
          '',
          'Your code: {{code}}',
          '',
          'Send it to POST {{url}} with the JSON body {"token": "<your code>", "newPassword": "<your new password>"}.',
          '',
          'The code works once and expires on {{expiresAt}}.',
          'If you did not ask for this, ignore this email: your password stays as it is.',
          '',
          '— Aura',
        ].join('\n'),
      },
    },
    pt: {
      email: {
        subject: 'Redefina a sua palavra-passe',
        text: [
          'Olá {{displayName}},',
          '',
          'Alguém (esperamos que tenha sido você) pediu para redefinir a palavra-passe da sua conta Aura.',
          '',
          'Your code: {{code}}',
          '',
          'Envie-o para POST {{url}} com o corpo JSON {"token": "<o seu código>", "newPassword": "<a nova palavra-passe>"}.',
          '',
          'O código funciona uma vez e expira em {{expiresAt}}.',
          'Se não pediu isto, ignore este e-mail: a sua palavra-passe fica como está.',
          '',
          '— Aura',
        ].join('\n'),
      },
    },
  },
});

/**
 * `user.registered` → a welcome. It asks for nothing (the verification email does that, and an
 * administrator created by an operator has nothing to confirm) and links to nothing a mail
 * client cannot open: preferences are changed in the app (the API needs a token).
 */
export const welcomeTemplate = defineTemplate({
  key: 'user.welcome',
  category: 'transactional',
  channels: ['email'],
  variables: z.strictObject({ displayName: name }),
  texts: {
    en: {
      email: {
        subject: 'Welcome to Aura',
        text: [
          'Hello {{displayName}},',
          '',
          'Welcome to Aura.',
          '',
          'You choose what we send you, on which channel and when: change it any time under notification settings in the app.',
          '',
          '— Aura',
        ].join('\n'),
      },
    },
    pt: {
      email: {
        subject: 'Bem-vindo(a) à Aura',
        text: [
          'Olá {{displayName}},',
          '',
          'Bem-vindo(a) à Aura.',
          '',
          'Escolha o que lhe enviamos, por que canal e quando: mude-o quando quiser nas definições de notificação da aplicação.',
          '',
          '— Aura',
        ].join('\n'),
      },
    },
  },
});

/**
 * An appointment reminder (the therapy module's session reminders use it). The SMS and push
 * texts say "your appointment" and nothing more: who it is with and what it is about stay in
 * the email and the app.
 */
export const appointmentReminderTemplate = defineTemplate({
  key: 'appointment.reminder',
  category: 'reminder',
  channels: ['email', 'sms', 'push'],
  variables: z.strictObject({ displayName: name, startsAt: instant, withName: name, url }),
  dateTimes: ['startsAt'],
  discreet: ['startsAt', 'url'],
  texts: {
    en: {
      email: {
        subject: 'Reminder: your appointment on {{startsAt}}',
        text: [
          'Hello {{displayName}},',
          '',
          'This is a reminder of your appointment with {{withName}} on {{startsAt}}.',
          '',
          'Details and how to join: {{url}}',
          '',
          '— Aura',
        ].join('\n'),
      },
      sms: { text: 'Aura: reminder of your appointment on {{startsAt}}. Details: {{url}}' },
      push: { text: 'Reminder: your appointment on {{startsAt}}.' },
    },
    pt: {
      email: {
        subject: 'Lembrete: a sua consulta em {{startsAt}}',
        text: [
          'Olá {{displayName}},',
          '',
          'Lembramos a sua consulta com {{withName}} em {{startsAt}}.',
          '',
          'Detalhes e como participar: {{url}}',
          '',
          '— Aura',
        ].join('\n'),
      },
      sms: { text: 'Aura: lembrete da sua consulta em {{startsAt}}. Detalhes: {{url}}' },
      push: { text: 'Lembrete: a sua consulta em {{startsAt}}.' },
    },
  },
});

/** Every template the module ships; modules add theirs to this list (a handler and a template). */
export const builtInTemplates: readonly TemplateDefinition[] = [
  emailVerificationTemplate,
  passwordResetTemplate,
  welcomeTemplate,
  appointmentReminderTemplate,
  ...appointmentTemplates,
];
