import { Alert, Anchor, Button, SegmentedControl, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { Link } from 'react-router';
import { useRights } from '../../api/session';
import { formatDateTime } from '../../ui/format';
import { Notice } from '../../ui/Notice';
import { Page } from '../../ui/Page';
import { Pager, useCursor } from '../../ui/Pager';
import { roleName } from '../../ui/roles';
import { EmptyState, ErrorState, errorMessage, Loading } from '../../ui/states';
import { TableScroll } from '../../ui/TableScroll';
import { type Task, type TaskStatus, tasksApi } from './tasks.api';

/**
 * Tasks: the work journeys' task tiles made for the caller's role (follow a lead up, look at a
 * person's request), open or done, each with its journey and a link to the contact. An admin
 * sees every role's. Marking one done is the role's own business (area `self`).
 */
export default function Tasks() {
  const { role } = useRights();
  const [status, setStatus] = useState<TaskStatus>('open');
  const paging = useCursor();
  const queryClient = useQueryClient();
  const [done, setDone] = useState<string | null>(null);
  const page = useQuery({
    queryKey: ['journey-tasks', status, paging.cursor],
    queryFn: () => tasksApi.list(status, paging.cursor),
    placeholderData: keepPreviousData,
  });
  const change = useMutation({
    mutationFn: (t: Task) => tasksApi.set(t.id, t.status === 'open' ? 'done' : 'open'),
    onSuccess: (t) => {
      setDone(t.status === 'done' ? `“${t.title}” is done.` : `“${t.title}” is open again.`);
      void queryClient.invalidateQueries({ queryKey: ['journey-tasks'] });
    },
  });
  const admin = role === 'admin';

  let content: ReactNode;
  if (page.isPending) content = <Loading label="Loading your tasks" />;
  else if (page.isError) content = <ErrorState error={page.error} retry={() => void page.refetch()} />;
  else if (page.data.data.length === 0 && paging.page === 1)
    content = (
      <EmptyState title={status === 'open' ? 'Nothing to do' : 'No task done yet'}>
        {status === 'open'
          ? 'A journey’s task step puts work here for a role — calling a new lead, looking at a request. When one does, it is listed ' +
            'with its contact.'
          : 'Tasks you mark done are listed here, with when.'}
        {admin ? ' As an administrator you see every role’s tasks.' : ''}
      </EmptyState>
    );
  else
    content = (
      <>
        <TableScroll label="Tasks" minWidth={admin ? 860 : 760}>
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Task</Table.Th>
                <Table.Th scope="col">Contact</Table.Th>
                <Table.Th scope="col">Journey</Table.Th>
                {admin && <Table.Th scope="col">For</Table.Th>}
                <Table.Th scope="col">{status === 'open' ? 'Since' : 'Done'}</Table.Th>
                <Table.Th scope="col">
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {page.data.data.map((t) => (
                <Table.Tr key={t.id}>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>{t.title}</Table.Td>
                  <Table.Td>
                    <Anchor component={Link} to={`/contacts/${t.contactId}`}>
                      Open the contact<VisuallyHidden> of “{t.title}”</VisuallyHidden>
                    </Anchor>
                  </Table.Td>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>
                    {/* A task no journey made: a lead's owner's, made when the lead became sales-ready. */}
                    {t.journeyId ? (
                      <Anchor component={Link} to={`/journeys/${t.journeyId}`}>
                        {t.journeyName}
                      </Anchor>
                    ) : (
                      'A lead became sales-ready'
                    )}
                  </Table.Td>
                  {admin && <Table.Td>{t.assigneeRole ? roleName(t.assigneeRole) : 'The lead’s owner'}</Table.Td>}
                  <Table.Td>{formatDateTime(status === 'open' ? t.createdAt : t.doneAt)}</Table.Td>
                  <Table.Td>
                    <Button
                      size="xs"
                      variant="default"
                      loading={change.isPending && change.variables?.id === t.id}
                      onClick={() => change.mutate(t)}
                    >
                      {t.status === 'open' ? 'Mark done' : 'Open again'}
                      <VisuallyHidden>: {t.title}</VisuallyHidden>
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </TableScroll>
        <Pager paging={paging} next={page.data.page.next} total={page.data.page.total} noun="tasks" />
      </>
    );

  return (
    <Page
      title="Tasks"
      description={
        admin
          ? 'Work journeys made for each role.'
          : `Work journeys made for the ${roleName(role).toLowerCase()} role: yours and your colleagues’.`
      }
    >
      <Stack gap="md">
        <SegmentedControl
          aria-label="Which tasks"
          value={status}
          onChange={(v) => {
            setStatus(v as TaskStatus);
            paging.reset();
            setDone(null);
          }}
          data={[
            { value: 'open', label: 'To do' },
            { value: 'done', label: 'Done' },
          ]}
          maw={260}
        />
        {done && (
          <Notice color="teal" role="status" title="Saved" withCloseButton onClose={() => setDone(null)}>
            {done}
          </Notice>
        )}
        {change.isError && (
          <Alert color="red" role="alert" title="Not saved">
            {errorMessage(change.error)} Reload the list and try again.
          </Alert>
        )}
        {content}
        {!admin && (
          <Text size="xs" c="dimmed">
            Only tasks for your role are shown.
          </Text>
        )}
      </Stack>
    </Page>
  );
}
