import type { TemplateDefinition } from '@aura/application/notifications';

/** The docs/notifications.md table row of a built-in template (a test keeps the docs in step with the code). */
export function templateRow(template: TemplateDefinition): string {
  const variables = Object.keys(template.variables.shape)
    .map((name) => {
      const marks = [template.discreet?.includes(name) ? 'discreet' : '', template.dateTimes?.includes(name) ? 'instant' : '']
        .filter(Boolean)
        .join(', ');
      return marks === '' ? `\`${name}\`` : `\`${name}\` (${marks})`;
    })
    .join(', ');
  const languages = Object.keys(template.texts).join(', ');
  return `| \`${template.key}\` | ${template.category} | ${template.channels.join(', ')} | ${variables} | ${languages} |`;
}
