import { useQuery } from '@tanstack/react-query';
import { api, call } from './client';

/** The installation's consent vocabulary: level names, purposes, the data protection switch. */
export function useConsentLevels() {
  return useQuery({
    queryKey: ['consent-levels'],
    queryFn: async () => (await call(api.GET('/api/v1/settings/consent-levels'))).data,
    staleTime: 5 * 60_000,
  });
}

/** A level's name as this installation calls it ("Level 3" until the names have loaded). */
export function useLevelName(): (level: number | null | undefined) => string {
  const { data } = useConsentLevels();
  return (level) => {
    if (level === null || level === undefined) return 'No level';
    return data?.consentLevels.find((l) => l.level === level)?.name ?? `Level ${level}`;
  };
}
