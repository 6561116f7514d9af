import { useQuery } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import type { paths } from '../../api/schema';

type ImportAnswer = paths['/api/v1/imports']['post']['responses'];
/** A dry run's or small import's report, as POST /api/v1/imports answers it in the request. */
export type ImportReport = ImportAnswer[200]['content']['application/json']['data'];
type Job = paths['/api/v1/jobs/{id}']['get']['responses'][200]['content']['application/json']['data'];

/** An import job's result (the route's counts, `rejected` a number); during the run, the counts so far. */
export interface JobCounts {
  created?: number;
  updated?: number;
  rejected?: number;
  dryRun?: boolean;
  ignoredColumns?: string[];
}

/**
 * Sends the file with its mapping: the report when the API answers in the request (200), or the
 * job's id (202: a file over 2 MiB, or `job` asked for).
 */
export async function sendImport(
  file: File,
  opts: { map: string; dryRun: boolean; job: boolean },
): Promise<{ report: ImportReport } | { jobId: string }> {
  const form = new FormData();
  form.set('dryRun', opts.dryRun ? 'true' : 'false');
  form.set('map', opts.map);
  if (opts.job) form.set('async', 'true');
  form.set('file', file);
  const answer = await call(
    api.POST('/api/v1/imports', {
      body: form as never,
      bodySerializer: (b: unknown) => b as FormData,
    }),
  );
  const data = (answer as { data: ImportReport | { jobId: string } }).data;
  return 'jobId' in data ? { jobId: data.jobId } : { report: data };
}

/** A job's progress, asked again every half second until it has ended. */
export function useJob(jobId: string) {
  return useQuery({
    queryKey: ['job', jobId],
    queryFn: async () => (await call(api.GET('/api/v1/jobs/{id}', { params: { path: { id: jobId } } }))).data as Job,
    refetchInterval: (q) => (q.state.data && (q.state.data.status === 'done' || q.state.data.status === 'failed') ? false : 500),
    refetchIntervalInBackground: true,
  });
}

/** The lines a job rejected (`line,reason`, the reasons never holding a cell's value). */
export async function rejectedLines(jobId: string): Promise<{ line: number; reason: string }[]> {
  const text = await call(api.GET('/api/v1/imports/{jobId}/rejected', { params: { path: { jobId } }, parseAs: 'text' }));
  return String(text)
    .split(/\r?\n/)
    .slice(1)
    .filter((l) => l !== '')
    .map((l) => {
      const comma = l.indexOf(',');
      let reason = l.slice(comma + 1);
      if (reason.startsWith('"')) reason = reason.slice(1, -1).replace(/""/g, '"');
      return { line: Number(l.slice(0, comma)), reason };
    });
}

/** The URL of a job's rejected lines as a CSV file (a download link: the session cookie goes with it). */
export const rejectedUrl = (jobId: string) => `/api/v1/imports/${encodeURIComponent(jobId)}/rejected`;
