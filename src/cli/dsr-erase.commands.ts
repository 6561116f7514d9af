import type { Command } from 'commander';
import { CLI_ACTOR } from '../modules/audit/audit.model.ts';
import type { ErasureResult } from '../modules/dsr/erasure/erasure.model.ts';
import { EXIT, withServices } from './context.ts';

/** Exit code when the erasure committed but is not complete: the residue scan found traces (see the tasks printed). */
const RESIDUE_EXIT = EXIT.residue;

function report(r: ErasureResult, suppressed: boolean): string {
  const receipt = r.receipts[0]!;
  const lines = [`erased: receipt ${receipt.id} at ${receipt.at}`, `contacts: ${r.contacts}`];
  const tables = Object.entries(r.tables).sort(([a], [b]) => (a < b ? -1 : 1));
  lines.push(tables.length ? 'rows per table:' : 'no rows held for that address');
  for (const [t, n] of tables) lines.push(`  ${t}\t${n}`);
  lines.push(suppressed ? 'the address is suppressed: creating or importing it again is refused' : 'the address is not suppressed');
  lines.push(r.residue.length ? `RESIDUE found in: ${r.residue.join(', ')}` : 'residue scan: clean');
  // receipt.storage: whether the person's bytes are out of the database's live files.
  const st = receipt.storage;
  if (st)
    lines.push(
      st.status === 'pending'
        ? 'storage purge pending: the relations that held the person are rewritten by the background worker within the purge window ' +
            '(see the receipt later)'
        : `storage ${st.status} at ${st.purgedAt}: ${st.verification}`,
    );
  if (!r.complete) lines.push('NOT COMPLETE: identifiers of the person remain; the tasks below are for the privacy officer');
  for (const t of r.tasks) lines.push(`  task ${t.id}\t${t.kind}\t${t.location}${t.rowId ? `\trow ${t.rowId}` : ''}`);
  return `${lines.join('\n')}\n`;
}

/** `assent dsr erase EMAIL`: the operator's erasure, through the same engine as the API. */
export function registerDsrEraseCommand(dsr: Command): void {
  dsr
    .command('erase')
    .description(
      `erase everything held about a person (one transaction, following the data map), then scan for residue; prints the receipt; ` +
        `exits ${RESIDUE_EXIT} when residue is found`,
    )
    .argument('<email>', "the person's email address")
    .option('--no-suppress', 'do not keep the keyed hash that refuses re-creating the address (overrides the setting)')
    .action(async (email: string, opts: { suppress: boolean }) => {
      const code = await withServices(async (s) => {
        // Commander's default for a --no- flag is true; only an explicit --no-suppress overrides the setting.
        const suppress = opts.suppress === false ? false : (await s.settings.get()).suppressErasedAddresses;
        const r = await s.erasure.erase({ emails: [email] }, { actor: CLI_ACTOR, suppress });
        process.stdout.write(report(r, await s.suppressions.isSuppressed(email)));
        return r.residue.length ? RESIDUE_EXIT : 0;
      });
      process.exitCode = code;
    });
}
