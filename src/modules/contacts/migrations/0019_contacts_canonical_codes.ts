import { sql, type Kysely } from 'kysely';

/*
 * Country and language codes are stored in their canonical case from issue 12 on (country
 * upper case, language tags as BCP 47 writes them: `pt-BR`, `zh-Hant-TW`); the API and imports
 * accept any case. The stored ones passed stricter checks (country already upper case, a
 * language's first subtag lower case), but a region or script could be in any case: `pt-br`.
 * Canonicalised here, so a filter on the canonical form finds them. Inlined, not imported
 * (migrations are frozen): the same rule as canonicalLanguage in contacts.model.ts.
 */
function canonicalLanguage(tag: string): string {
  return tag
    .split('-')
    .map((sub, i) =>
      i === 0
        ? sub.toLowerCase()
        : sub.length === 2 && /^[A-Za-z]{2}$/.test(sub)
          ? sub.toUpperCase()
          : sub.length === 4 && /^[A-Za-z]{4}$/.test(sub)
            ? sub[0]!.toUpperCase() + sub.slice(1).toLowerCase()
            : sub.toLowerCase(),
    )
    .join('-');
}

export async function up(db: Kysely<any>): Promise<void> {
  await sql`update contacts set country = upper(country) where country is not null and country <> upper(country)`.execute(db);
  const tags = (await sql<{ language: string }>`select distinct language from contacts where language is not null`.execute(db)).rows;
  for (const { language } of tags) {
    const canonical = canonicalLanguage(language);
    if (canonical !== language) await sql`update contacts set language = ${canonical} where language = ${language}`.execute(db);
  }
}

export async function down(): Promise<void> {
  // The case stored before cannot be recovered, and the canonical one is as valid.
}
