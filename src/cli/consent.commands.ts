import type { Command } from 'commander';
import { CLI_ACTOR } from '../modules/audit/audit.model.ts';
import { formatAnchor, parseAnchor, type Anchor, type ChainProblem } from '../modules/consent/ledger.chain.ts';
import type { VerifyResult } from '../modules/consent/ledger.service.ts';
import type { Services } from '../services.ts';
import { EXIT, fail, withServices } from './context.ts';

const NO_KEY = 'no ledger key is configured (ASSENT_LEDGER_KEY, ASSENT_LEDGER_KEY_FILE or ASSENT_SECRET)';

function anchorOption(value: string | undefined): Anchor | null {
  if (value === undefined) return null;
  const a = parseAnchor(value);
  if (!a) fail(`--head takes SEQ:HASH as verify prints it (the hash is 64 hex digits), got "${value.slice(0, 80)}"`, EXIT.usage);
  return a;
}

function describe(p: ChainProblem): string {
  const what = p.problem.replace(/_/g, ' ');
  if (p.problem === 'notice_altered')
    return `notice altered: the text of notice ${p.id} no longer matches its hash${p.seq ? ` (first cited by seq ${p.seq})` : ''}`;
  if (p.problem === 'notice_missing') return `notice missing: seq ${p.seq} cites a notice that is gone`;
  if (p.problem === 'head_key_missing') return `head key missing: the head carries a MAC but ${NO_KEY} in this process`;
  if (p.problem === 'head_unauthenticated')
    return (
      `head unauthenticated: a ledger key is configured but the head at seq ${p.seq} has no MAC (removed, or written by a process ` +
      `without the key); after investigating, \`assent consent seal\``
    );
  if (p.problem === 'head_mac_mismatch')
    return `head mac mismatch: the head at seq ${p.seq} is not the one the key vouched for (entries removed and the head rewritten?)`;
  if (p.problem === 'anchor_missing')
    return `anchor missing: the ledger no longer reaches seq ${p.seq} (entries removed, or rolled back to an older copy)`;
  if (p.problem === 'anchor_mismatch') return `anchor mismatch: entry seq ${p.seq} is not the one the anchor recorded`;
  return `at seq ${p.seq}${p.id ? ` (entry ${p.id})` : ''}: ${what}`;
}

function headLine(r: VerifyResult, s: Services): string {
  const how = r.authenticated
    ? `authenticated with the ledger key from ${s.ledgerKey.source}`
    : s.ledgerKey.source
      ? 'not authenticated'
      : `NOT authenticated: ${NO_KEY}`;
  return `head ${formatAnchor(r.head)} (${how})\n`;
}

export function registerConsentCommands(program: Command): void {
  const consent = program.command('consent').description('the consent ledger');
  consent
    .command('verify')
    .description(
      'check the whole ledger: hash chain, erasure stubs, notice texts and the head; exits non-zero naming the first problem. ' +
        'Prints the head as SEQ:HASH: keep it elsewhere (a daily log) and pass it back with --head to catch a rollback',
    )
    .option('--head <SEQ:HASH>', 'a head recorded earlier, elsewhere: the ledger must still contain it')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { head?: string; json?: boolean }) => {
      const anchor = anchorOption(opts.head);
      const code = await withServices(async (s) => {
        const r = await s.ledger.verify({ anchor });
        // The head it saw, as the target: an audit log shipped elsewhere then anchors it too.
        await s.audit.record({
          actor: CLI_ACTOR,
          action: 'consent.verify',
          targetType: 'consent_ledger',
          targetId: formatAnchor(r.head),
          outcome: r.ok ? 'ok' : 'failed',
        });
        if (opts.json) {
          const out = { ...r, head: formatAnchor(r.head), anchor: anchor ? formatAnchor(anchor) : null, keySource: s.ledgerKey.source };
          process.stdout.write(`${JSON.stringify(out)}\n`);
          return r.ok ? EXIT.ok : EXIT.runtime;
        }
        if (!r.ok) {
          process.stdout.write(`ledger BROKEN ${describe(r.problem!)}; ${r.checked} entries before it verified\n`);
          return EXIT.runtime;
        }
        process.stdout.write(
          `ledger ok: ${r.checked} entries verified (${r.stubs} erased stubs, covered by ${r.erasures} erasure records), ` +
            `${r.notices} notices\n`,
        );
        process.stdout.write(headLine(r, s));
        if (anchor) process.stdout.write(`anchor ${formatAnchor(anchor)} found in the chain\n`);
        return 0;
      });
      process.exitCode = code;
    });

  consent
    .command('seal')
    .description(
      'authenticate the head as it stands with the ledger key, when the rest of the ledger verifies: once after configuring a key, ' +
        'or after investigating a head reported unauthenticated',
    )
    .option('--head <SEQ:HASH>', 'a head recorded earlier, elsewhere: sealing refuses unless the ledger still contains it')
    .action(async (opts: { head?: string }) => {
      const anchor = anchorOption(opts.head);
      const code = await withServices(async (s) => {
        const r = await s.ledger.seal({ anchor });
        await s.audit.record({
          actor: CLI_ACTOR,
          action: 'consent.seal',
          targetType: 'consent_ledger',
          targetId: formatAnchor(r.verify.head),
          outcome: r.sealed ? 'ok' : 'failed',
        });
        if (r.reason === 'no_key') {
          process.stdout.write(`not sealed: ${NO_KEY}\n`);
          return 1;
        }
        if (r.reason === 'broken') {
          process.stdout.write(`not sealed: ledger BROKEN ${describe(r.verify.problem!)}\n`);
          return EXIT.runtime;
        }
        if (r.reason === 'moved') {
          process.stdout.write('not sealed: the ledger changed while it was verified; run again\n');
          return 1;
        }
        process.stdout.write(`sealed: ${r.verify.checked} entries verified\n${headLine(r.verify, s)}`);
        return 0;
      });
      process.exitCode = code;
    });
}
