import type { Command } from 'commander';
import { CLI_ACTOR } from '../modules/audit/audit.model.ts';
import { withServices } from './context.ts';

export function registerConsentCommands(program: Command): void {
  const consent = program.command('consent').description('the consent ledger');
  consent
    .command('verify')
    .description('check the whole ledger hash chain; exits non-zero naming the first bad entry')
    .action(async () => {
      const code = await withServices(async (s) => {
        const r = await s.ledger.verify();
        await s.audit.record({ actor: CLI_ACTOR, action: 'consent.verify', targetType: 'consent_ledger', outcome: r.ok ? 'ok' : 'failed' });
        if (r.ok) {
          process.stdout.write(`ledger ok: ${r.checked} entries verified (${r.stubs} erased stubs)\n`);
          return 0;
        }
        const p = r.problem!;
        process.stdout.write(`ledger BROKEN at seq ${p.seq}${p.id ? ` (entry ${p.id})` : ''}: ${p.problem.replace(/_/g, ' ')}; ${r.checked} entries before it verified\n`);
        return 2;
      });
      process.exitCode = code;
    });
}
