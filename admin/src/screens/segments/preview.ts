import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { ApiFailure, api, call } from '../../api/client';
import { nodeAt, type TreeNode } from './filterTree';

export interface Problem {
  path: string;
  message: string;
}

/** The server's problems with a filter (400 invalid_filter, or a saved one that no longer validates). */
export function problemsOf(e: unknown): Problem[] | null {
  if (!(e instanceof ApiFailure)) return null;
  const d = e.details as unknown;
  const list = e.code === 'invalid_filter' ? d : (d as { problems?: unknown } | undefined)?.problems;
  return Array.isArray(list) ? (list as Problem[]) : null;
}

const PART: Record<string, string> = {
  field: 'Field',
  op: 'Operator',
  value: 'Value',
  list: 'List',
  allowed: 'Purpose',
  type: 'Interaction',
  ref: 'Which one',
  withinDays: 'In the last (days)',
  atLeast: 'At least (times)',
};

/** A problem in words, naming the part of the condition it is about. */
export function problemWords(p: Problem): string {
  const parts = p.path.split('/').filter(Boolean);
  const last = parts[parts.length - 1];
  const index = last !== undefined && /^\d+$/.test(last) ? parts[parts.length - 2] : undefined;
  const part = (index === 'value' ? 'Value' : last && PART[last]) ?? '';
  return part ? `${part}: ${p.message}` : p.message.charAt(0).toUpperCase() + p.message.slice(1);
}

/** Problems grouped by the builder node they name. */
export function problemsByNode(tree: TreeNode, problems: Problem[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of problems) {
    const k = nodeAt(tree, p.path);
    out.set(k, [...(out.get(k) ?? []), problemWords(p)]);
  }
  return out;
}

/**
 * The live count of an unsaved filter: asked 400 ms after the last change (POST /segments/preview).
 * `settled` is false while typing or counting, so problems are only shown for the filter on screen.
 */
export function usePreview(filter: unknown, enabled: boolean) {
  const text = enabled ? JSON.stringify(filter) : '';
  const [debounced] = useDebouncedValue(text, 400);
  const q = useQuery({
    queryKey: ['segment-preview', debounced],
    queryFn: async () =>
      (await call(api.POST('/api/v1/segments/preview', { body: { filter: JSON.parse(debounced) as unknown } }))).data.count,
    enabled: debounced !== '' && debounced === text,
    retry: false,
    staleTime: 10_000,
    placeholderData: keepPreviousData,
  });
  const settled = text === debounced && !q.isFetching;
  return {
    counting: enabled && !settled,
    count: settled && !q.isError ? q.data : undefined,
    error: settled ? q.error : null,
    problems: settled ? (problemsOf(q.error) ?? []) : [],
  };
}
