import type { Command } from 'commander';
import { CLI_ACTOR } from '../modules/audit/audit.model.ts';
import { ROLES } from '../modules/users/users.model.ts';
import { EXIT, withServices, fail, printJson } from './context.ts';
import { formatOption, jsonOption } from './options.ts';
import { recordsFacts } from './records.facts.ts';
import { Option } from 'commander';

const roleOption = () => new Option('--role <role>', 'role').choices([...ROLES]).makeOptionMandatory();

export function registerAdminCommands(program: Command): void {
  program
    .command('datamap')
    .description('print the data map (JSON) or the records-of-processing report (Markdown)')
    .addOption(formatOption())
    .action(async (opts: { format: 'json' | 'md' }) => {
      await withServices(async (s) => {
        const problems = await s.datamap.validate();
        if (problems.length) fail(`the data map is inconsistent:\n  ${problems.join('\n  ')}`);
        process.stdout.write(
          opts.format === 'md' ? await s.datamap.markdown(await recordsFacts(s)) : `${JSON.stringify(await s.datamap.getMap(), null, 2)}\n`,
        );
      });
    });

  const users = program.command('users').description('staff users');
  users
    .command('create')
    .description('create a staff user (prints a generated password when none is given)')
    .requiredOption('--email <email>', 'login email')
    .addOption(roleOption())
    .option('--password <password>', 'password (at least 12 characters); generated when omitted')
    .option('--name <name>', 'display name')
    .action(async (opts: { email: string; role: string; password?: string; name?: string }) => {
      const { generatePassword } = await import('../modules/users/users.service.ts');
      await withServices(async (s) => {
        const password = opts.password ?? generatePassword();
        const user = await s.users.createUser({ email: opts.email, role: opts.role, password, name: opts.name ?? null });
        await s.audit.record({ actor: CLI_ACTOR, action: 'user.create', targetType: 'user', targetId: user.id, outcome: 'ok' });
        process.stdout.write(`created user ${user.id} (${user.role})\n`);
        if (!opts.password) process.stdout.write(`password: ${password}\n`);
      });
    });
  users
    .command('list')
    .description('list staff users: tab-separated id, role, active or disabled, email')
    .addOption(jsonOption())
    .action(async (opts: { json?: boolean }) => {
      await withServices(async (s) => {
        const list = await s.users.listUsers(10_000);
        if (opts.json)
          return printJson(
            list.map((u) => ({
              id: u.id,
              email: u.email,
              name: u.name,
              role: u.role,
              disabled: u.disabled,
              createdAt: u.createdAt,
              lastLoginAt: u.lastLoginAt,
            })),
          );
        for (const u of list) process.stdout.write(`${u.id}\t${u.role}\t${u.disabled ? 'disabled' : 'active'}\t${u.email}\n`);
      });
    });

  users
    .command('unlock <email>')
    .description("clear an address's login throttle (its delays after failed logins), for a user locked out by an attack")
    .action(async (email: string) => {
      const { isValidEmail, normaliseEmail } = await import('../lib/email.ts');
      if (!isValidEmail(normaliseEmail(email))) fail(`not an email address: ${JSON.stringify(email)}`, EXIT.usage);
      await withServices(async (s) => {
        const { removed, userId } = await s.users.unlock(email);
        await s.audit.record({ actor: CLI_ACTOR, action: 'user.unlock', targetType: 'user', targetId: userId, outcome: 'ok' });
        process.stdout.write(
          removed === 0
            ? `no login throttle held for ${email}; nothing to clear\n`
            : `cleared the login throttle of ${email}: ${removed} ${removed === 1 ? 'entry' : 'entries'} removed\n`,
        );
      });
    });

  const keys = program.command('keys').description('API keys');
  keys
    .command('create')
    .description('create an API key; the key is printed alone on the last line, once')
    .requiredOption('--name <name>', 'what the key is for')
    .addOption(roleOption())
    .action(async (opts: { name: string; role: string }) => {
      await withServices(async (s) => {
        const { key, secret } = await s.users.createKey({ name: opts.name, role: opts.role });
        await s.audit.record({ actor: CLI_ACTOR, action: 'key.create', targetType: 'api_key', targetId: key.id, outcome: 'ok' });
        process.stderr.write(`created API key ${key.id} (${key.role}); it is shown once:\n`);
        process.stdout.write(`${secret}\n`);
      });
    });
  keys
    .command('list')
    .description('list API keys (never their secrets): tab-separated id, role, active or revoked, name')
    .addOption(jsonOption())
    .action(async (opts: { json?: boolean }) => {
      await withServices(async (s) => {
        const list = await s.users.listKeys(10_000);
        if (opts.json)
          return printJson(
            list.map((k) => ({
              id: k.id,
              name: k.name,
              role: k.role,
              prefix: k.prefix,
              createdBy: k.createdBy,
              createdAt: k.createdAt,
              revokedAt: k.revokedAt,
            })),
          );
        for (const k of list) process.stdout.write(`${k.id}\t${k.role}\t${k.revokedAt ? 'revoked' : 'active'}\t${k.name}\n`);
      });
    });
  keys
    .command('revoke <id>')
    .description('revoke an API key')
    .action(async (id: string) => {
      await withServices(async (s) => {
        await s.users.revokeKey(id);
        await s.audit.record({ actor: CLI_ACTOR, action: 'key.revoke', targetType: 'api_key', targetId: id, outcome: 'ok' });
        process.stdout.write(`revoked ${id}\n`);
      });
    });
}
