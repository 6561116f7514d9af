import type { Db } from '../database.ts';
import { contactZonesByIds } from '../contact-records/module.ts';
import type { SettingsService } from '../settings/module.ts';
import type { CapCheck, PolicyAnswer, PolicyStep } from './engine.model.ts';
import { capsFor, capWindowStart, decide } from './policy.ts';
import { sentCounts } from './policy.queries.ts';
import { contactTimeZone } from './time-zones.ts';

/**
 * Frequency caps and quiet hours for a batch of recipients (the engine asks before rendering):
 * the rules read once, the counts in one statement, the zones in one more, each only when a rule
 * needs it. The answer has an entry for every recipient; with several entries for one contact
 * the last wins (a batch sends one message, so a contact is in it once).
 */
export class PolicyService implements PolicyStep {
  constructor(
    private readonly db: Db,
    private readonly settings: SettingsService,
  ) {}

  async decide(recipients: { contactId: string; purpose: string }[], now: Date): Promise<Map<string, PolicyAnswer>> {
    const s = await this.settings.get();
    const rules = s.emailRules;
    const out = new Map<string, PolicyAnswer>();
    if (recipients.length === 0) return out;
    if (rules.frequencyCaps.length === 0 && !rules.quietHours) {
      for (const r of recipients) out.set(r.contactId, { ok: true });
      return out;
    }
    const ids = [...new Set(recipients.map((r) => r.contactId))];
    const capped = [...new Set(recipients.map((r) => r.purpose))].filter((p) => capsFor(rules, p).length > 0);
    // One count column per distinct window start; each cap reads its own.
    const starts = new Map<string, number>();
    for (const p of capped)
      for (const cap of capsFor(rules, p)) {
        const at = capWindowStart(cap, now).toISOString();
        if (!starts.has(at)) starts.set(at, starts.size);
      }
    const counts = await sentCounts(this.db.kysely, ids, capped, [...starts.keys()]);
    const zones = rules.quietHours
      ? new Map((await contactZonesByIds(this.db.kysely, ids)).map((c) => [c.id, c]))
      : new Map<string, { time_zone: string | null; country: string | null }>();
    for (const r of recipients) {
      const c = zones.get(r.contactId);
      const zone = contactTimeZone({ timeZone: c?.time_zone ?? null, country: c?.country ?? null, installation: s.timeZone });
      const n = counts.get(`${r.contactId}\u0000${r.purpose}`);
      const sent = capsFor(rules, r.purpose).map((cap) => n?.[starts.get(capWindowStart(cap, now).toISOString())!] ?? 0);
      out.set(r.contactId, decide(rules, { purpose: r.purpose, zone, sent }, now));
    }
    return out;
  }

  async capCheck(purpose: string): Promise<CapCheck | null> {
    const caps = capsFor((await this.settings.get()).emailRules, purpose);
    if (caps.length === 0) return null;
    return async (trx, contactIds, now) => {
      const over = new Set<string>();
      const counts = await sentCounts(
        trx,
        contactIds,
        [purpose],
        caps.map((cap) => capWindowStart(cap, now).toISOString()),
      );
      for (const id of contactIds) {
        const n = counts.get(`${id}\u0000${purpose}`);
        if (caps.some((cap, i) => (n?.[i] ?? 0) >= cap.max)) over.add(id);
      }
      return over;
    };
  }
}
