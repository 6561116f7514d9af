import { formatDay, t, tOr } from '../../i18n/catalogue.ts';
import type { Db } from '../database.ts';
import type { PortalPart, PortalSection } from '../module.ts';
import { leadsOfContacts } from './score-uses.queries.ts';
import type { LeadScoreExplanation, RuleExplanation } from './scoring.model.ts';

export type { LeadScoreExplanation, RuleExplanation } from './scoring.model.ts';

/**
 * What the portal section needs of the scoring engine: `ScoringService.explain` has this shape
 * (scoring contract), computed live so that the page and the API agree.
 */
export interface ScoreExplainer {
  explain(leadId: string): Promise<LeadScoreExplanation[]>;
}

/** A rule that gave points, in plain words: what it looks at, what it gave, over which period, fading how. */
function ruleWords(lang: string, r: RuleExplanation): string {
  const parts = [
    r.kind === 'condition'
      ? t(lang, 'portal.scoring.ruleCondition', { rule: r.name, points: r.points })
      : t(lang, 'portal.scoring.ruleBehaviour', { rule: r.name, points: r.points, counted: r.counted ?? 0, atLeast: r.atLeast ?? 1 }),
  ];
  if (r.window) parts.push(t(lang, 'portal.scoring.window', { days: r.window.withinDays }));
  if (r.decayDays !== null && r.latestAt)
    parts.push(
      t(lang, 'portal.scoring.decay', { days: r.decayDays, latest: formatDay(lang, r.latestAt.slice(0, 10)), rulePoints: r.rulePoints }),
    );
  return parts.join(' ');
}

/** One lead's entry under one model, as lines. */
export function explanationLines(lang: string, x: LeadScoreExplanation): string[] {
  if (x.score === null)
    return [
      t(lang, 'portal.scoring.notScored', {
        reason: tOr(lang, `portal.scoring.reason.${x.reason}`, t(lang, 'portal.scoring.reason.other')),
      }),
    ];
  const lines = [
    t(lang, 'portal.scoring.score', { score: x.score }),
    x.grade ? t(lang, 'portal.scoring.grade', { grade: x.grade }) : t(lang, 'portal.scoring.noGrade'),
    t(lang, x.salesReady ? 'portal.scoring.salesReady' : 'portal.scoring.notSalesReady'),
    ...x.rules.map((r) => ruleWords(lang, r)),
  ];
  if (x.rules.length) lines.push(t(lang, 'portal.scoring.sum'));
  if (x.computedAt) lines.push(t(lang, 'portal.scoring.computedAt', { at: formatDay(lang, x.computedAt.slice(0, 10)) }));
  return lines;
}

/**
 * The privacy portal's "How we score you" (issue 17 point 4; GDPR Art. 22 and 15(1)(h)): per lead
 * and model the score, grade and each rule that gave points in plain words, or why the person is
 * not scored (the gate's reason). Shown only to a person with leads.
 */
export function scoringPortalSection(db: Db, explainer: ScoreExplainer): PortalSection {
  return {
    key: 'scoring',
    read: async (contactIds, lang): Promise<PortalPart | null> => {
      const leads = await leadsOfContacts(db.kysely, contactIds);
      if (leads.length === 0) return null;
      const items = [];
      for (const lead of leads)
        for (const x of await explainer.explain(lead.id))
          items.push({
            heading: t(lang, 'portal.scoring.item', { lead: lead.title, model: x.modelName }),
            lines: explanationLines(lang, x),
          });
      return {
        heading: t(lang, 'portal.scoring.heading'),
        intro: t(lang, items.length ? 'portal.scoring.intro' : 'portal.scoring.none'),
        items,
      };
    },
  };
}
