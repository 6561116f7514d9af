import { useConsentLevels } from '../../api/consent';
import { purposeWords } from '../../ui/email/words';
import type { RequiredConsent } from './types';

/**
 * The journey's required consent in the installation's words: a level by its name ("Marketing"),
 * or a purpose ("Profiling purpose"), with the picker's options (levels, then purposes).
 */
export function useRequirement() {
  const { data } = useConsentLevels();
  const levelName = (n: number) => data?.consentLevels.find((l) => l.level === n)?.name ?? `Level ${n}`;
  const words = (rc: RequiredConsent | null | undefined): string => {
    if (rc === null || rc === undefined) return '—';
    return typeof rc === 'number' ? levelName(rc) : `${purposeWords(rc)} purpose`;
  };
  /** What a purpose needs now: "Marketing (level 4)". */
  const purposeNeeds = (purpose: string): string => {
    const n = data?.purposes[purpose];
    return n === undefined ? 'an unknown level' : `${levelName(n)} (level ${n})`;
  };
  const options = [
    {
      group: 'A consent level',
      items: (data?.consentLevels ?? []).map((l) => ({ value: `level:${l.level}`, label: `${l.name} (level ${l.level})` })),
    },
    {
      group: 'A purpose (follows the settings if its level changes)',
      items: Object.entries(data?.purposes ?? {})
        .filter(([p]) => p !== 'requested')
        .map(([p, n]) => ({ value: `purpose:${p}`, label: `${purposeWords(p)} purpose (level ${n} now)` })),
    },
  ];
  const toValue = (rc: RequiredConsent): string => (typeof rc === 'number' ? `level:${rc}` : `purpose:${rc}`);
  const fromValue = (v: string): RequiredConsent => (v.startsWith('level:') ? Number(v.slice(6)) : v.slice(8));
  return { words, options, toValue, fromValue, purposeNeeds, loaded: !!data };
}
