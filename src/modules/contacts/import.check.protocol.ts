import type { ErrorCode } from '../../lib/errors.ts';
import type { CheckOptions, Valid } from './import.check.ts';
import type { CustomField } from './custom-fields.model.ts';
import type { RejectedRow } from './import.model.ts';

/** What the checking thread (import.check.worker.ts) is started with: plain data. */
export interface CheckerInput {
  fields: CustomField[];
  today: string;
  now: string;
  opts: CheckOptions;
  /** Valid rows per batch. */
  size: number;
}

/** To the checking thread: the file's text a piece at a time, its end, and each batch taken. */
export type ToChecker = { kind: 'text'; text: string } | { kind: 'end' } | { kind: 'taken' };

/**
 * From the checking thread: the header's cells, batches in line order, each piece of text read
 * (so the importing thread sends the next: a file is never held whole), the end; or the file
 * refused whole (the AppError to throw), or a failure.
 */
export type FromChecker =
  | { kind: 'header'; cells: string[] }
  | { kind: 'batch'; rows: Valid[]; rejects: RejectedRow[] }
  | { kind: 'read' }
  | { kind: 'end' }
  | { kind: 'refused'; code: ErrorCode; message: string; details: unknown }
  | { kind: 'failed'; message: string };
