import { Button, Group, Paper, Progress, Stack, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useRights } from '../../api/session';
import { formatDateTime, formatNumber } from '../../ui/format';
import { ErrorState } from '../../ui/states';
import { type Model, type Recompute, scoringApi } from './scoring.api';
import { progressPercent, RECOMPUTE_WORDS } from './words';

const busy = (r: Recompute | undefined) => r?.state === 'queued' || r?.state === 'running';

function stateLine(r: Recompute): string {
  switch (r.state) {
    case 'never':
      return 'Not computed yet: recompute to score every lead.';
    case 'queued':
      return 'Waiting to start…';
    case 'running':
      return r.total
        ? `Scoring leads: ${formatNumber(r.done ?? 0)} of ${formatNumber(r.total)} (${progressPercent(r.done, r.total)}%)`
        : 'Scoring leads…';
    case 'done':
      return `Last computed ${formatDateTime(r.finishedAt)}${r.total !== null ? `: ${formatNumber(r.total)} leads` : ''}.`;
    case 'failed':
      return (
        `The last recompute failed${r.finishedAt ? ` (${formatDateTime(r.finishedAt)})` : ''}. Recompute to try again; if it fails ` +
        `again, tell an administrator.`
      );
  }
  return RECOMPUTE_WORDS[r.state] ?? String(r.state);
}

/**
 * The model's bulk recompute: its state and progress (polled every second while it runs), and a
 * button to start one. When it ends, the distribution and the ranking are loaded again.
 */
export function RecomputePanel({ model }: { model: Model }) {
  const { can } = useRights();
  const queries = useQueryClient();
  const progress = useQuery({
    queryKey: ['scoring-progress', model.id],
    queryFn: () => scoringApi.progress(model.id),
    initialData: model.recompute,
    initialDataUpdatedAt: 0,
    refetchInterval: (q) => (busy(q.state.data) ? 1000 : false),
  });
  const r = progress.data;
  const was = useRef(r.state);
  useEffect(() => {
    const before = was.current;
    was.current = r.state;
    if ((before === 'queued' || before === 'running') && (r.state === 'done' || r.state === 'failed')) {
      void queries.invalidateQueries({ queryKey: ['scoring-distribution', model.id] });
      void queries.invalidateQueries({ queryKey: ['scoring-ranking', model.id] });
      void queries.invalidateQueries({ queryKey: ['scoring-models'] });
      void queries.invalidateQueries({ queryKey: ['lead-scores'] });
    }
  }, [r.state, model.id, queries]);
  const start = useMutation({
    mutationFn: () => scoringApi.recompute(model.id),
    onSuccess: (a) => queries.setQueryData(['scoring-progress', model.id], a.recompute),
  });
  const running = busy(r);
  const percent = r.state === 'done' ? 100 : progressPercent(r.done, r.total);
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label="Recompute">
      <Stack gap="xs">
        <Group justify="space-between" wrap="wrap" gap="sm">
          <Text size="sm" aria-live="polite" data-testid="recompute-state" data-state={r.state} style={{ flex: '1 1 240px' }}>
            {stateLine(r)}
          </Text>
          {can('scoring', 'write') && (
            <Button variant="default" onClick={() => start.mutate()} loading={start.isPending} disabled={running}>
              Recompute
            </Button>
          )}
        </Group>
        {running && <Progress value={percent} size="lg" radius="sm" animated aria-label={`Recompute progress: ${percent}%`} />}
        {start.isError && <ErrorState error={start.error} title="Could not start the recompute" />}
        {progress.isError && <ErrorState error={progress.error} title="Could not read the progress" retry={() => progress.refetch()} />}
      </Stack>
    </Paper>
  );
}
