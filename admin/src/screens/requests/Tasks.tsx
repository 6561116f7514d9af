import { Badge, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { useRights } from '../../api/session';
import { errorMessage, ErrorState, Loading } from '../../ui/states';
import { formatDeadline } from './words';
import { Notice } from './Notice';

/** The case's tasks (the case's own, and what an erasure left to check), each to complete or open again. */
export function Tasks({ requestId }: { requestId: string }) {
  const { can } = useRights();
  const queries = useQueryClient();
  const tasks = useQuery({
    queryKey: ['tasks', requestId],
    queryFn: () => call(api.GET('/api/v1/tasks', { params: { query: { request: requestId, limit: 200 } } })),
  });
  const patch = useMutation({
    mutationFn: ({ id, status }: { id: string; status: 'open' | 'done' }) =>
      call(api.PATCH('/api/v1/tasks/{id}', { params: { path: { id } }, body: { status } })),
    onSuccess: () => queries.invalidateQueries({ queryKey: ['tasks', requestId] }),
  });
  const write = can('tasks', 'write');
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="tasks-title">
      <Stack gap="sm">
        <Title order={2} size="h4" id="tasks-title">
          Tasks
        </Title>
        {tasks.isPending ? (
          <Loading label="Loading the tasks" />
        ) : tasks.isError ? (
          <ErrorState error={tasks.error} retry={() => tasks.refetch()} title="Could not load the tasks" />
        ) : tasks.data.data.length === 0 ? (
          <Text size="sm" c="dimmed">
            No tasks for this request.
          </Text>
        ) : (
          <Stack gap="xs" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
            {tasks.data.data.map((t) => (
              <Group key={t.id} component="li" justify="space-between" wrap="wrap" gap="xs">
                <Stack gap={0} style={{ minWidth: 0, flex: '1 1 240px' }}>
                  <Text size="sm" fw={600} td={t.status === 'done' ? 'line-through' : undefined}>
                    {t.title}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {t.residue
                      ? `${t.residue.kind === 'residue' ? 'Left after the erasure' : 'To look at'}: ` +
                        `${t.residue.location}${t.residue.rowId ? `, row ${t.residue.rowId}` : ''}`
                      : t.dueDate
                        ? `Due ${formatDeadline(t.dueDate)}`
                        : ''}
                  </Text>
                </Stack>
                <Group gap="xs" wrap="nowrap">
                  <Badge color={t.status === 'done' ? 'green' : 'gray'} variant="dot">
                    {t.status === 'done' ? 'Done' : 'Open'}
                  </Badge>
                  {write && (
                    <Button
                      size="xs"
                      variant="default"
                      loading={patch.isPending && patch.variables?.id === t.id}
                      onClick={() => patch.mutate({ id: t.id, status: t.status === 'done' ? 'open' : 'done' })}
                      aria-label={`${t.status === 'done' ? 'Open again' : 'Mark done'}: ${t.title}`}
                    >
                      {t.status === 'done' ? 'Open again' : 'Mark done'}
                    </Button>
                  )}
                </Group>
              </Group>
            ))}
          </Stack>
        )}
        {patch.isError && (
          <Notice color="red" role="alert" title="The task did not change">
            {errorMessage(patch.error)}
          </Notice>
        )}
      </Stack>
    </Paper>
  );
}
