import type { Core, PortalSection } from '../module.ts';
import type { EventLog } from '../events/module.ts';
import type { JourneysService } from '../journeys/module.ts';
import type { FilterConditions } from '../segments/module.ts';
import { type ScoreExplainer, scoringPortalSection } from './portal.section.ts';
import { SalesReadyTasks } from './sales-ready.tasks.ts';
import { scoreCondition } from './score.condition.ts';

/**
 * The uses of scores (issue 17 point 5), wired when the module is made: the segment language's
 * `score` condition (segments' extension point, so journeys' condition tiles have it too) and the
 * owner's task when a lead becomes sales-ready (a consumer of the event log), and the privacy
 * portal's section. `explainer`: the engine's `ScoringService` (its `explain`), so the portal and
 * the API give the same explanation.
 */
export function wireScoreUses(
  core: Core,
  deps: { filterConditions: FilterConditions; events: EventLog; journeys: JourneysService },
  explainer: ScoreExplainer,
): { salesReadyTasks: SalesReadyTasks; scoringPortal: PortalSection } {
  deps.filterConditions.register(scoreCondition(core.db));
  const salesReadyTasks = new SalesReadyTasks(core.db, deps.journeys);
  deps.events.consume('scoring.sales-ready-tasks', (evs) => salesReadyTasks.onEvents(evs));
  return { salesReadyTasks, scoringPortal: scoringPortalSection(core.db, explainer) };
}
