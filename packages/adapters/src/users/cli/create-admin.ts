/**
 * `npm run users:create-admin -- --email admin@example.com --name "Ada Admin"`: creates an
 * administrator account, active and verified, through the CreateAdministrator use case.
 * The password comes from AURA_ADMIN_PASSWORD, from standard input when it is piped, or
 * from a prompt that does not echo. In embedded mode (PGlite), run it while the server is
 * stopped: the database files belong to one process at a time.
 */
import { parseArgs } from 'node:util';
import { CreateAdministrator } from '@aura/application/users';
import { auraModules } from '../../modules.js';
import { ConfigError, loadConfig } from '../../platform/config/config.js';
import { createAura } from '../../platform/create-aura.js';

const USAGE =
  'usage: npm run users:create-admin -- --email <address> --name <display name> [--time-zone <IANA>] [--locale <tag>]\n' +
  '       the password is read from AURA_ADMIN_PASSWORD, from piped standard input, or asked for';

async function readPassword(): Promise<string> {
  const fromEnv = process.env.AURA_ADMIN_PASSWORD;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    let text = '';
    for await (const chunk of stdin) text += String(chunk);
    return text.replace(/\r?\n$/, '');
  }
  process.stdout.write('Password (not shown): ');
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let typed = '';
    const onData = (chars: string) => {
      for (const char of chars) {
        if (char === '\r' || char === '\n') {
          stdin.setRawMode(false);
          stdin.off('data', onData);
          stdin.pause();
          process.stdout.write('\n');
          resolve(typed);
          return;
        }
        if (char === '\u0003') {
          stdin.setRawMode(false);
          reject(new Error('cancelled'));
          return;
        }
        typed = char === '\u007f' ? typed.slice(0, -1) : typed + char;
      }
    };
    stdin.on('data', onData);
    stdin.resume();
  });
}

const { values } = parseArgs({
  options: {
    email: { type: 'string' },
    name: { type: 'string' },
    'time-zone': { type: 'string' },
    locale: { type: 'string' },
  },
});

try {
  if (values.email === undefined || values.name === undefined) {
    console.error(USAGE);
    process.exit(2);
  }
  const config = loadConfig();
  const password = await readPassword();
  const aura = await createAura({ config: { ...config, LOG_LEVEL: 'warn' }, modules: auraModules });
  try {
    const create = await aura.get(CreateAdministrator);
    const result = await create.execute({
      email: values.email,
      displayName: values.name,
      password,
      timeZone: values['time-zone'],
      locale: values.locale,
    });
    if (result.isErr()) {
      const field = typeof result.error.details?.field === 'string' ? `${result.error.details.field}: ` : '';
      console.error(`${result.error.type}: ${field}${result.error.message}`);
      process.exitCode = 1;
    } else {
      console.log(`created administrator ${result.value.email} (${result.value.id}); log in at POST /api/auth/login`);
    }
  } finally {
    await aura.close();
  }
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exitCode = 1;
}
