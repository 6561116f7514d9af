// What the administration flows need beyond harness.ts: a message no API route can write (a
// subject holding markup) put into the outbox, as a hostile relay-less installation might keep.
import { connect } from '../../src/db/connect.ts';
import { newId } from '../../src/lib/ids.ts';
import type { ConsoleServer } from './harness.ts';

/** A message kept in the server's outbox, written to its database as the mail module would. */
export async function keepInOutbox(
  server: ConsoleServer,
  m: { to: string; subject: string; text: string | null; html: string | null },
): Promise<string> {
  const db = connect(server.databaseUrl);
  const id = newId();
  try {
    await db.kysely
      .insertInto('outbox')
      .values({
        id,
        contact_id: null,
        to_address: m.to,
        from_address: 'assent@example.com',
        subject: m.subject,
        text_body: m.text,
        html_body: m.html,
        headers: '{}',
        purpose: 'transactional',
        created_at: new Date().toISOString(),
      })
      .execute();
  } finally {
    await db.close();
  }
  return id;
}
