import { Anchor, Badge, Button, Group, List, NativeSelect, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { TableScroll } from '../../ui/TableScroll';
import { api, call } from '../../api/client';
import { useLevelName } from '../../api/consent';
import { useRights } from '../../api/session';
import { formatDateTime, formatNumber } from '../../ui/format';
import { ErrorState, Loading } from '../../ui/states';
import { type Contact, useAllLists, useAllSegments } from './common';

function Section({ id, title, children, action }: { id: string; title: string; children: React.ReactNode; action?: React.ReactNode }) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby={id}>
      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap">
          <Title order={2} size="h3" id={id}>
            {title}
          </Title>
          {action}
        </Group>
        {children}
      </Stack>
    </Paper>
  );
}

/** The lists the contact is on, with leave (a withdrawal, any contacts writer) and join (lists writers). */
export function ContactLists({ contact }: { contact: Contact }) {
  const { can } = useRights();
  const queries = useQueryClient();
  const all = useAllLists();
  const [chosen, setChosen] = useState('');
  const mine = useQuery({
    queryKey: ['contact', contact.id, 'lists'],
    queryFn: async () => (await call(api.GET('/api/v1/contacts/{id}/lists', { params: { path: { id: contact.id } } }))).data,
  });
  const done = async () => {
    await queries.invalidateQueries({ queryKey: ['contact', contact.id] });
    await queries.invalidateQueries({ queryKey: ['contacts'] });
  };
  const join = useMutation({
    mutationFn: (listId: string) =>
      call(api.PUT('/api/v1/contacts/{id}/lists/{listId}', { params: { path: { id: contact.id, listId } }, body: { source: 'admin' } })),
    onSuccess: async () => {
      setChosen('');
      await done();
    },
  });
  const leave = useMutation({
    mutationFn: (listId: string) =>
      call(api.DELETE('/api/v1/contacts/{id}/lists/{listId}', { params: { path: { id: contact.id, listId } } })),
    onSuccess: done,
  });
  const name = (id: string) => all.data?.find((l) => l.id === id)?.name ?? 'A list';
  const on = new Set((mine.data ?? []).map((m) => m.listId));
  const joinable = (all.data ?? []).filter((l) => !on.has(l.id));
  return (
    <Section id="lists-title" title="Lists">
      {mine.isPending && <Loading label="Loading the lists" />}
      {mine.isError && <ErrorState error={mine.error} retry={() => mine.refetch()} />}
      {mine.data && mine.data.length === 0 && (
        <Text size="sm" c="dimmed">
          Not on any list.
        </Text>
      )}
      {mine.data && mine.data.length > 0 && (
        <List spacing="xs" listStyleType="none" aria-label="Lists the contact is on">
          {mine.data.map((m) => (
            <List.Item key={m.listId}>
              <Group gap="sm" wrap="wrap">
                <Text size="sm" fw={600} style={{ overflowWrap: 'anywhere' }}>
                  {name(m.listId)}
                </Text>
                <Text size="xs" c="dimmed">
                  joined {formatDateTime(m.joinedAt)}
                </Text>
                {can('contacts', 'write') && (
                  <Button
                    size="xs"
                    variant="default"
                    loading={leave.isPending && leave.variables === m.listId}
                    onClick={() => leave.mutate(m.listId)}
                    aria-label={`Leave ${name(m.listId)}`}
                  >
                    Leave
                  </Button>
                )}
              </Group>
            </List.Item>
          ))}
        </List>
      )}
      {can('lists', 'write') && joinable.length > 0 && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (chosen) join.mutate(chosen);
          }}
        >
          <Group align="flex-end" gap="xs">
            <NativeSelect
              label="Add to a list"
              value={chosen}
              onChange={(e) => setChosen(e.currentTarget.value)}
              data={[{ value: '', label: 'Choose a list' }, ...joinable.map((l) => ({ value: l.id, label: l.name }))]}
            />
            <Button type="submit" variant="default" disabled={!chosen} loading={join.isPending}>
              Join list
            </Button>
          </Group>
        </form>
      )}
      {(join.isError || leave.isError) && <ErrorState error={join.error ?? leave.error} title="The list was not changed" />}
      <Text size="xs" c="dimmed">
        Joins and leaves are kept in the consent history.
      </Text>
    </Section>
  );
}

/** A segment condition in words (docs/segments.md's nodes). */
function useDescribe() {
  const levelName = useLevelName();
  const lists = useAllLists();
  return (c: unknown): string => {
    const n = c as Record<string, unknown>;
    if (n && typeof n === 'object') {
      if ('field' in n) {
        const field = String(n.field).replace(/^customFields\./, '');
        const op = String(n.op).replace(/_/g, ' ');
        if (n.op === 'is_null') return `${field} is ${n.value === false ? 'set' : 'empty'}`;
        return `${field} ${op} ${Array.isArray(n.value) ? n.value.join(', ') : String(n.value)}`;
      }
      if ('consent' in n) return `Consent level at least ${levelName((n.consent as { atLeast: number }).atLeast)}`;
      if ('allowed' in n) return `The consent gate allows ${String(n.allowed).replace(/_/g, ' ')}`;
      if ('list' in n) return `On the list ${lists.data?.find((l) => l.id === n.list)?.name ?? '(a list)'}`;
      if ('behaviour' in n) {
        const b = n.behaviour as { type: string; ref?: string; withinDays?: number; atLeast?: number };
        return `${b.type.replace(/_/g, ' ')}${b.ref ? ` ${b.ref}` : ''} at least ${b.atLeast ?? 1} times${
          b.withinDays ? ` in the last ${b.withinDays} days` : ''
        }`;
      }
    }
    return JSON.stringify(c);
  };
}

/** The segments the contact is in, each with the explanation of why (every condition with its truth). */
export function ContactSegments({ contact }: { contact: Contact }) {
  const segments = useAllSegments();
  const describe = useDescribe();
  const explained = useQuery({
    queryKey: ['contact', contact.id, 'segments', contact.updatedAt, segments.data?.length],
    enabled: segments.data !== undefined,
    queryFn: async () => {
      const answers = await Promise.all(
        segments.data!.map(async (s) => {
          try {
            const r = await call(
              api.GET('/api/v1/segments/{id}/explain', { params: { path: { id: s.id }, query: { contact: contact.id } } }),
            );
            return { segment: s, ...r.data };
          } catch {
            return null; // a segment that cannot be evaluated says so on its own page
          }
        }),
      );
      return answers.filter((a) => a?.member);
    },
  });
  return (
    <Section id="segments-title" title="Segments">
      {(segments.isPending || explained.isPending) && <Loading label="Finding the contact's segments" />}
      {segments.isError && <ErrorState error={segments.error} retry={() => segments.refetch()} />}
      {explained.isError && <ErrorState error={explained.error} retry={() => explained.refetch()} />}
      {explained.data && explained.data.length === 0 && (
        <Text size="sm" c="dimmed">
          Not in any segment.
        </Text>
      )}
      {explained.data?.map(
        (a) =>
          a && (
            <Stack key={a.segment.id} gap={4}>
              <Group gap="xs">
                <Anchor component={Link} to={`/segments/${a.segment.id}`} fw={600}>
                  {a.segment.name}
                </Anchor>
                <Badge variant="dot">{a.segment.kind === 'static' ? 'Static' : 'Dynamic'}</Badge>
              </Group>
              <Text size="xs" c="dimmed">
                Why:
              </Text>
              <List size="sm" spacing={2}>
                {a.conditions.map((c) => (
                  <List.Item key={c.path}>
                    {c.value ? '✓' : '✗'} {describe(c.condition)}{' '}
                    <Text span size="xs" c="dimmed">
                      ({c.value ? 'holds' : 'does not hold'})
                    </Text>
                  </List.Item>
                ))}
              </List>
            </Stack>
          ),
      )}
    </Section>
  );
}

/** The interactions stored for the contact, newest first, a page at a time. */
export function ContactInteractions({ contact }: { contact: Contact }) {
  const pages = useInfiniteQuery({
    queryKey: ['contact', contact.id, 'interactions'],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      call(
        api.GET('/api/v1/interactions', {
          params: { query: { contact: contact.id, limit: 20, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.page.next ?? undefined,
  });
  const rows = pages.data?.pages.flatMap((p) => p.data) ?? [];
  const total = pages.data?.pages[0]?.page.total;
  return (
    <Section id="interactions-title" title="Interactions">
      {pages.isPending && <Loading label="Loading the interactions" />}
      {pages.isError && <ErrorState error={pages.error} retry={() => pages.refetch()} />}
      {pages.data && rows.length === 0 && (
        <Text size="sm" c="dimmed">
          No interactions stored. Behaviour (opens, clicks, visits) is kept per contact only with profiling consent.
        </Text>
      )}
      {rows.length > 0 && (
        <>
          <TableScroll minWidth={520} label="Interactions, scrollable">
            <Table aria-label="Interactions" striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>When</Table.Th>
                  <Table.Th>What</Table.Th>
                  <Table.Th>Detail</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((i) => (
                  <Table.Tr key={i.id}>
                    <Table.Td>{formatDateTime(i.at)}</Table.Td>
                    <Table.Td>{i.type.replace(/_/g, ' ')}</Table.Td>
                    <Table.Td style={{ overflowWrap: 'anywhere' }}>{i.name ?? i.url ?? i.ref ?? '—'}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </TableScroll>
          <Group justify="space-between">
            <Text size="sm" c="dimmed">
              {formatNumber(rows.length)} of {formatNumber(total)}
            </Text>
            {pages.hasNextPage && (
              <Button variant="default" loading={pages.isFetchingNextPage} onClick={() => pages.fetchNextPage()}>
                Load more
              </Button>
            )}
          </Group>
        </>
      )}
    </Section>
  );
}
