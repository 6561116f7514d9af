import { Alert, Anchor, Button, Checkbox, Group, Modal, Stack, Table, Text } from '@mantine/core';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, call } from '../../api/client';
import { useLevelName } from '../../api/consent';
import { useRights } from '../../api/session';
import { formatNumber } from '../../ui/format';
import { Notice } from '../../ui/Notice';
import { MODAL_PROPS } from '../../ui/contrast';
import { Page } from '../../ui/Page';
import { Pager, useCursor } from '../../ui/Pager';
import { EmptyState, ErrorState, errorMessage, Loading } from '../../ui/states';
import { TableScroll } from '../../ui/TableScroll';
import { ListForm } from './ListForm';

const nameOf = (c: { firstName?: string | null; lastName?: string | null }) => [c.firstName, c.lastName].filter(Boolean).join(' ');

/** A list: its name and description, its members (paged), removing some of them. */
export function ListPage() {
  const { listId = '' } = useParams();
  const { can } = useRights();
  const levelName = useLevelName();
  const queries = useQueryClient();
  const paging = useCursor();
  const [renaming, setRenaming] = useState(false);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirming, setConfirming] = useState(false);
  const [removed, setRemoved] = useState<number | null>(null);

  const list = useQuery({
    queryKey: ['list', listId],
    queryFn: async () => (await call(api.GET('/api/v1/lists/{listId}', { params: { path: { listId } } }))).data,
  });
  const members = useQuery({
    queryKey: ['list', listId, 'members', paging.cursor],
    queryFn: () =>
      call(
        api.GET('/api/v1/contacts', {
          params: { query: { list: listId, limit: 50, ...(paging.cursor ? { cursor: paging.cursor } : {}) } },
        }),
      ),
    placeholderData: keepPreviousData,
    enabled: list.isSuccess,
  });
  const remove = useMutation({
    mutationFn: async (contactIds: string[]) =>
      call(api.POST('/api/v1/lists/{listId}/members/remove', { params: { path: { listId } }, body: { contactIds, source: 'admin' } })),
    onSuccess: (answer) => {
      const data = answer.data as { removed?: number };
      setRemoved(data.removed ?? null);
      setSelected(new Set());
      setConfirming(false);
      paging.reset();
      void queries.invalidateQueries({ queryKey: ['list', listId] });
      void queries.invalidateQueries({ queryKey: ['lists'] });
    },
  });

  if (list.isPending) return <Loading label="Loading the list" />;
  if (list.isError)
    return (
      <Page title="List">
        <ErrorState error={list.error} retry={() => void list.refetch()} />
        <Anchor component={Link} to="/lists">
          Back to the lists
        </Anchor>
      </Page>
    );
  const l = list.data;
  const mayRemove = can('contacts', 'write');
  const rows = members.data?.data ?? [];
  const allOnPage = rows.length > 0 && rows.every((r) => selected.has(r.id));
  const toggle = (id: string) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });

  return (
    <Page
      title={l.name}
      description={l.description ?? 'A subscription list. Each join and leave is recorded in the person’s consent history.'}
      actions={
        <>
          <Button component={Link} to="/lists" variant="subtle">
            All lists
          </Button>
          {can('lists', 'write') && (
            <Button variant="default" onClick={() => setRenaming(true)}>
              Rename
            </Button>
          )}
        </>
      }
    >
      <Text size="sm">
        <strong>{formatNumber(l.members)}</strong> {l.members === 1 ? 'member' : 'members'}
      </Text>
      {removed !== null && (
        <Notice color="teal" title="Removed from the list" role="status" withCloseButton onClose={() => setRemoved(null)}>
          {formatNumber(removed)} {removed === 1 ? 'contact left' : 'contacts left'} {l.name}; each leave is in their consent history.
        </Notice>
      )}
      {members.isPending ? (
        <Loading label="Loading the members" />
      ) : members.isError ? (
        <ErrorState error={members.error} retry={() => void members.refetch()} />
      ) : rows.length === 0 && paging.page === 1 ? (
        <EmptyState
          title="Nobody is on this list yet"
          action={
            <Button component={Link} to="/contacts" variant="default">
              Go to the contacts
            </Button>
          }
        >
          People join from a form or a contact’s page, or many at once from a segment through the API.
        </EmptyState>
      ) : (
        <Stack gap="sm">
          {mayRemove && (
            <Group gap="sm">
              <Button color="red" variant="light" disabled={selected.size === 0} onClick={() => setConfirming(true)}>
                Remove {selected.size > 0 ? formatNumber(selected.size) : ''} from the list
              </Button>
              {selected.size > 0 && (
                <Text size="sm" c="dimmed">
                  {formatNumber(selected.size)} selected
                </Text>
              )}
            </Group>
          )}
          <TableScroll minWidth={560} label="Members, scrollable">
            <Table striped highlightOnHover withTableBorder aria-label="Members">
              <Table.Thead>
                <Table.Tr>
                  {mayRemove && (
                    <Table.Th scope="col" w={40}>
                      <Checkbox
                        aria-label="Select every member on this page"
                        checked={allOnPage}
                        indeterminate={!allOnPage && rows.some((r) => selected.has(r.id))}
                        onChange={() => setSelected(allOnPage ? new Set() : new Set(rows.map((r) => r.id)))}
                      />
                    </Table.Th>
                  )}
                  <Table.Th scope="col">Email</Table.Th>
                  <Table.Th scope="col">Name</Table.Th>
                  <Table.Th scope="col">Consent level</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((c) => (
                  <Table.Tr key={c.id}>
                    {mayRemove && (
                      <Table.Td>
                        <Checkbox aria-label={`Select ${c.email}`} checked={selected.has(c.id)} onChange={() => toggle(c.id)} />
                      </Table.Td>
                    )}
                    <Table.Td style={{ overflowWrap: 'anywhere' }}>
                      <Anchor component={Link} to={`/contacts/${c.id}`} size="sm">
                        {c.email}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      {nameOf(c) || (
                        <Text span c="dimmed" size="sm">
                          No name
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>{levelName(c.consentLevel)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </TableScroll>
          <Pager
            paging={paging}
            next={members.data.page.next}
            total={members.data.page.total}
            estimate={members.data.page.totalIsEstimate}
            noun="members"
          />
        </Stack>
      )}
      {renaming && <ListForm list={l} opened onClose={() => setRenaming(false)} onSaved={() => setRenaming(false)} />}
      <Modal {...MODAL_PROPS} opened={confirming} onClose={() => setConfirming(false)} title="Remove from the list?">
        <Stack gap="sm">
          <Text size="sm">
            {formatNumber(selected.size)} {selected.size === 1 ? 'contact leaves' : 'contacts leave'} {l.name}. Each leave is recorded in
            their consent history; they can join again later.
          </Text>
          {remove.isError && (
            <Alert color="red" role="alert" title="Nobody was removed">
              {errorMessage(remove.error)}
            </Alert>
          )}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
            <Button color="red" loading={remove.isPending} onClick={() => remove.mutate([...selected])}>
              Remove
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Page>
  );
}
