import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiFailure, api, call } from '../../api/client';
import type { paths } from '../../api/schema';
import { errorMessage } from '../../ui/states';

export type SettingsView = paths['/api/v1/settings']['get']['responses'][200]['content']['application/json']['data'];
export type SettingsPatch = NonNullable<paths['/api/v1/settings']['patch']['requestBody']>['content']['application/json'];

export const SETTINGS_KEY = ['settings'] as const;

export function useSettings() {
  return useQuery({ queryKey: SETTINGS_KEY, queryFn: async () => (await call(api.GET('/api/v1/settings'))).data });
}

/** Field errors of a refused save, by the API's JSON pointer ("/smtp/port"), and what to say above them. */
export interface SaveProblem {
  fields: Record<string, string>;
  message: string;
}

/** The server's messages start in lower case (they are written to follow a colon); here one starts a sentence. */
const sentence = (m: string) => m.charAt(0).toUpperCase() + m.slice(1);

function problemOf(e: unknown): SaveProblem {
  const fields: Record<string, string> = {};
  if (e instanceof ApiFailure && e.code === 'validation_failed' && Array.isArray(e.details))
    for (const d of e.details as { path?: string; message?: string }[]) if (d.path) fields[d.path] ??= d.message ?? 'not valid';
  const message = Object.keys(fields).length
    ? 'Nothing was saved: correct the fields marked below and save again.'
    : `Nothing was saved. ${sentence(errorMessage(e))}`;
  return { fields, message };
}

/**
 * Saves one section's part of the settings (PATCH sends only what changes). The answer is every
 * setting as now stored; the consent vocabulary other screens show is read again.
 */
export function useSaveSettings() {
  const queries = useQueryClient();
  const [problem, setProblem] = useState<SaveProblem | null>(null);
  const [saved, setSaved] = useState(false);
  const mutation = useMutation({
    mutationFn: async (patch: SettingsPatch) => (await call(api.PATCH('/api/v1/settings', { body: patch }))).data,
    onMutate: () => {
      setProblem(null);
      setSaved(false);
    },
    onSuccess: (data) => {
      queries.setQueryData(SETTINGS_KEY, data);
      void queries.invalidateQueries({ queryKey: ['consent-levels'] });
      setSaved(true);
    },
    onError: (e) => setProblem(problemOf(e)),
  });
  /** The error for the field at `path`, or for any field under it. */
  const fieldError = (path: string): string | undefined => {
    if (!problem) return undefined;
    const own = problem.fields[path];
    if (own) return own;
    const under = Object.entries(problem.fields).find(([p]) => p.startsWith(`${path}/`));
    return under?.[1];
  };
  return { save: mutation.mutateAsync, pending: mutation.isPending, problem, saved, fieldError };
}

/** An alert's title in the text colour: the light variants' coloured titles fall short of contrast on their tint. */
export const READABLE_TITLE = { title: { color: 'var(--mantine-color-text)' } } as const;
