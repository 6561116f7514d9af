import { once } from 'node:events';
import { createReadStream, createWriteStream, rmSync, statSync, type WriteStream } from 'node:fs';
import type { Command } from 'commander';
import { csvLine } from '../lib/csv.ts';
import { decodeText } from '../lib/text-encoding.ts';
import { CLI_ACTOR } from '../modules/audit/audit.model.ts';
import type { ImportResult, RejectedRow } from '../modules/contacts/import.model.ts';
import { fail, refuseDatabaseFile, withServices } from './context.ts';

/** `people.csv` → `people.rejected.csv` beside it. */
const rejectedPath = (file: string) => `${file.replace(/\.csv$/i, '')}.rejected.csv`;

/** The file's bytes in chunks; the progress bar follows the bytes read, which the import consumes as it goes. */
async function* readBytes(file: string, onBytes: (n: number) => void): AsyncGenerator<Buffer> {
  let bytes = 0;
  for await (const buf of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    bytes += buf.length;
    onBytes(bytes);
    yield buf;
  }
}

/** Rejected rows go to a file created on the first one, readable by its owner only: it holds personal data. */
function rejectsWriter(path: string) {
  let out: WriteStream | null = null;
  return {
    write(row: RejectedRow, header: string[]) {
      if (!out) {
        out = createWriteStream(path, { mode: 0o600 });
        out.write(csvLine([...header, 'reason']));
      }
      out.write(csvLine([...row.cells, row.reason]));
    },
    async close(): Promise<boolean> {
      if (!out) return false;
      out.end();
      await once(out, 'finish');
      return true;
    },
  };
}

function summary(r: ImportResult): string {
  const lines = [
    `created ${r.created}, updated ${r.updated}, rejected ${r.rejected.length}${r.dryRun ? ' (dry run: nothing was written)' : ''}`,
  ];
  if (r.ignoredColumns.length) lines.push(`ignored columns: ${r.ignoredColumns.join(', ')}`);
  for (const x of r.rejected) lines.push(`line ${x.line}: ${x.reason}`);
  return `${lines.join('\n')}\n`;
}

async function importContacts(file: string, opts: { map?: string; dryRun?: boolean; charset?: string }): Promise<void> {
  await refuseDatabaseFile(file);
  await refuseDatabaseFile(rejectedPath(file));
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) fail(`cannot read ${file}: not a file`);
    size = st.size;
  } catch (e) {
    fail(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const { default: cliProgress } = await import('cli-progress');
  await withServices(async (s) => {
    const dryRun = opts.dryRun === true;
    const target = rejectedPath(file);
    const rejects = rejectsWriter(target);
    const bar = process.stderr.isTTY
      ? new cliProgress.SingleBar(
          { stream: process.stderr, format: 'importing [{bar}] {percentage}% | {eta_formatted} left', hideCursor: true },
          cliProgress.Presets.shades_classic,
        )
      : null;
    bar?.start(size, 0);
    let result: ImportResult;
    try {
      result = await s.imports.importCsv(
        // The encoding is detected (or named by --charset); one the importer cannot read refuses the file.
        decodeText(
          readBytes(file, (n) => bar?.update(n)),
          opts.charset,
        ),
        {
          actor: CLI_ACTOR,
          mayChangeConsent: true,
          dryRun,
          ...(opts.map ? { map: opts.map } : {}),
          ...(dryRun ? {} : { onReject: (row, header) => rejects.write(row, header) }),
        },
      );
    } catch (e) {
      bar?.stop();
      await rejects.close();
      await s.audit.record({ actor: CLI_ACTOR, action: 'contact.import', targetType: 'import', outcome: 'failed' });
      throw e;
    }
    bar?.stop();
    const wrote = await rejects.close();
    // A real run leaves FILE.rejected.csv describing this run only: an older one would mislead.
    if (!dryRun && !wrote) rmSync(target, { force: true });
    await s.audit.record({ actor: CLI_ACTOR, action: 'contact.import', targetType: 'import', outcome: 'ok' });
    process.stdout.write(summary(result));
    if (wrote) process.stdout.write(`rejected rows written to ${target}\n`);
  });
}

async function exportContacts(opts: { out?: string; segment?: string }): Promise<void> {
  if (opts.out) await refuseDatabaseFile(opts.out);
  await withServices(async (s) => {
    // A segment's export is audited against the segment, so the log says whose data left.
    const target = opts.segment === undefined ? { targetType: 'contact' } : { targetType: 'segment', targetId: opts.segment };
    const out = opts.out ? createWriteStream(opts.out, { mode: 0o600 }) : process.stdout;
    try {
      for await (const chunk of s.exports.csv(opts.segment === undefined ? {} : { segmentId: opts.segment }))
        if (!out.write(chunk)) await once(out, 'drain');
      if (opts.out) {
        out.end();
        await once(out, 'finish');
      }
    } catch (e) {
      await s.audit.record({ actor: CLI_ACTOR, action: 'contact.export', ...target, outcome: 'failed' });
      throw e;
    }
    await s.audit.record({ actor: CLI_ACTOR, action: 'contact.export', ...target, outcome: 'ok' });
    if (opts.out) process.stderr.write(`contacts exported to ${opts.out}\n`);
  });
}

export function registerImportCommands(program: Command): void {
  program
    .command('import')
    .description('bring data in from files')
    .command('contacts <file>')
    .description(
      'import contacts from CSV: upsert by email, a consentLevel column is recorded in the consent ledger (source import); ' +
        'an empty cell leaves a field unchanged; bad rows are reported by line and written to FILE.rejected.csv; ' +
        'exits 0 when the file was processed, rejects or not',
    )
    .option('--map <mapping>', 'column mapping col=field,… (col=- ignores a column)')
    .option('--dry-run', 'check and count only; write nothing')
    .option(
      '--charset <encoding>',
      "the file's encoding when detection gets it wrong: utf-8, utf-16le, utf-16be, windows-1252 (detected otherwise; comma, " +
        'semicolon or tab separators are detected too)',
    )
    .action(async (file: string, opts: { map?: string; dryRun?: boolean; charset?: string }) => importContacts(file, opts));

  program
    .command('export')
    .description('take data out as files')
    .command('contacts')
    .description(
      "export contacts as CSV (custom fields and consent level included), all of them or a segment's members; it holds personal data",
    )
    .option('--segment <id>', 'only the members of this segment (a dynamic one is evaluated as the export reads)')
    .option('--out <file>', 'write to this file (created readable by its owner only) instead of stdout')
    .action(async (opts: { out?: string; segment?: string }) => exportContacts(opts));
}
