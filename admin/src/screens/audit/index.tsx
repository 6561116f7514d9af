import { Anchor, Badge, Button, Group, Paper, Select, SimpleGrid, Table, Text, TextInput } from '@mantine/core';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, call } from '../../api/client';
import type { operations } from '../../api/schema';
import { formatDateTime } from '../../ui/format';
import { TableScroll } from '../../ui/TableScroll';
import { Page } from '../../ui/Page';
import { ShowMore } from '../../ui/ShowMore';
import { EmptyState, ErrorState, Loading } from '../../ui/states';
import { ACTIONS, ACTOR_TYPES, actionName, OUTCOMES, TARGETS } from './actions';

type Query = NonNullable<operations['getAudit']['parameters']['query']>;
type ActorType = NonNullable<Query['actorType']>;
type Outcome = NonNullable<Query['outcome']>;

interface Filters {
  actor: string | null; // "id:<user or key id>" or "type:<system|cli|anonymous>"
  action: string | null;
  outcome: Outcome | null;
  since: string; // datetime-local, the browser's time
  until: string;
}
const NONE: Filters = { actor: null, action: null, outcome: null, since: '', until: '' };

const ACTION_OPTIONS = Object.entries(ACTIONS)
  .map(([value, label]) => ({ value, label }))
  .sort((a, b) => a.label.localeCompare(b.label));
const OUTCOME_OPTIONS = Object.entries(OUTCOMES).map(([value, o]) => ({ value, label: o.label }));

/** Screens a target can be opened in, by its type (ids only in URLs). */
const OPENS: Record<string, string> = { contact: '/contacts', request: '/requests', segment: '/segments', list: '/lists' };

const toIso = (local: string): string | undefined => {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
};

function query(f: Filters): Query {
  const q: Query = { limit: 50 };
  if (f.actor?.startsWith('id:')) q.actorId = f.actor.slice(3);
  if (f.actor?.startsWith('type:')) q.actorType = f.actor.slice(5) as ActorType;
  if (f.action) q.action = f.action;
  if (f.outcome) q.outcome = f.outcome;
  const since = toIso(f.since);
  const until = toIso(f.until);
  if (since) q.since = since;
  if (until) q.until = until;
  return q;
}

function useActors() {
  return useQuery({
    queryKey: ['audit', 'actors'],
    queryFn: async () => (await call(api.GET('/api/v1/audit/actors'))).data,
    staleTime: 60_000,
  });
}

export default function AuditLog() {
  const [filters, setFilters] = useState<Filters>(NONE);
  const set = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch }));
  const actors = useActors();
  const names = new Map((actors.data ?? []).map((a) => [a.id, a.name]));
  const badWindow = filters.since !== '' && filters.until !== '' && toIso(filters.since)! >= toIso(filters.until)!;
  const q = query(filters);
  const log = useInfiniteQuery({
    queryKey: ['audit', 'log', q],
    queryFn: ({ pageParam }) =>
      call(api.GET('/api/v1/audit', { params: { query: { ...q, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.page.next ?? undefined,
    enabled: !badWindow,
  });
  const entries = log.data?.pages.flatMap((p) => p.data) ?? [];
  const first = log.data?.pages[0]?.page;
  const filtered = JSON.stringify(filters) !== JSON.stringify(NONE);
  const actorOptions = [
    {
      group: 'Users',
      items: (actors.data ?? []).filter((a) => a.type === 'user').map((a) => ({ value: `id:${a.id}`, label: a.name })),
    },
    {
      group: 'API keys',
      items: (actors.data ?? []).filter((a) => a.type === 'api_key').map((a) => ({ value: `id:${a.id}`, label: `${a.name} (key)` })),
    },
    { group: 'Other', items: Object.entries(ACTOR_TYPES).map(([t, label]) => ({ value: `type:${t}`, label })) },
  ];

  const actorOf = (e: (typeof entries)[number]) => {
    if (e.actorType === 'user' || e.actorType === 'api_key') {
      const name = e.actorName ?? (e.actorId ? names.get(e.actorId) : undefined);
      return (
        <>
          {name ?? (e.actorType === 'user' ? 'A user no longer known' : 'A key no longer known')}
          {e.actorType === 'api_key' && (
            <Text span size="sm" c="dimmed">
              {' '}
              (API key)
            </Text>
          )}
        </>
      );
    }
    return ACTOR_TYPES[e.actorType] ?? e.actorType;
  };

  const targetOf = (e: (typeof entries)[number]) => {
    if (!e.targetType) return '—';
    const kind = TARGETS[e.targetType] ?? e.targetType;
    if (!e.targetId) return kind;
    // Staff are named; a record opens on its own screen; other ids are shown short.
    const named = (e.targetType === 'user' || e.targetType === 'api_key') && names.get(e.targetId);
    if (named) return `${kind} ${named}`;
    const short = e.targetId.length > 13 ? `…${e.targetId.slice(-8)}` : e.targetId;
    const base = OPENS[e.targetType];
    return base ? (
      <Anchor component={Link} to={`${base}/${e.targetId}`} size="sm" aria-label={`${kind} ${e.targetId}`}>
        {kind} {short}
      </Anchor>
    ) : (
      <span title={e.targetId}>
        {kind} {short}
      </span>
    );
  };

  return (
    <Page
      title="Audit log"
      description={
        'Who did what and when: every read and change of records, every ' + 'sign-in, newest first. Entries cannot be changed or deleted.'
      }
    >
      <Paper withBorder p="sm" radius="md" component="form" aria-label="Filter the audit log" onSubmit={(e) => e.preventDefault()}>
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 5 }} spacing="sm">
          <Select
            label="Who"
            placeholder="Anyone"
            data={actorOptions}
            value={filters.actor}
            onChange={(v) => set({ actor: v })}
            searchable
            clearable
            nothingFoundMessage="No such user or key"
          />
          <Select
            label="Action"
            placeholder="Any action"
            data={ACTION_OPTIONS}
            value={filters.action}
            onChange={(v) => set({ action: v })}
            searchable
            clearable
            nothingFoundMessage="No such action"
          />
          <Select
            label="Outcome"
            placeholder="Any outcome"
            data={OUTCOME_OPTIONS}
            value={filters.outcome}
            onChange={(v) => set({ outcome: v as Outcome | null })}
            clearable
          />
          <TextInput label="From" type="datetime-local" value={filters.since} onChange={(e) => set({ since: e.currentTarget.value })} />
          <TextInput
            label="Until"
            type="datetime-local"
            value={filters.until}
            onChange={(e) => set({ until: e.currentTarget.value })}
            error={badWindow ? 'Choose a time after “From”.' : undefined}
          />
        </SimpleGrid>
        {filtered && (
          <Group justify="flex-end" mt="xs">
            <Button variant="subtle" size="compact-sm" onClick={() => setFilters(NONE)}>
              Clear filters
            </Button>
          </Group>
        )}
      </Paper>
      {badWindow ? null : log.isPending ? (
        <Loading label="Loading the audit log" />
      ) : log.isError ? (
        <ErrorState error={log.error} retry={() => void log.refetch()} />
      ) : entries.length === 0 ? (
        <EmptyState
          title={filtered ? 'No entries match' : 'Nothing recorded yet'}
          action={
            filtered ? (
              <Button variant="default" onClick={() => setFilters(NONE)}>
                Clear filters
              </Button>
            ) : undefined
          }
        >
          {filtered
            ? 'No one did this in the time chosen. Widen the time range or clear a filter.'
            : 'Every sign-in, read and change is recorded here as it happens.'}
        </EmptyState>
      ) : (
        <>
          <TableScroll label="Audit entries" minWidth={860}>
            <Table striped highlightOnHover aria-label="Audit entries">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Time</Table.Th>
                  <Table.Th scope="col">Who</Table.Th>
                  <Table.Th scope="col">Action</Table.Th>
                  <Table.Th scope="col">On</Table.Th>
                  <Table.Th scope="col">Outcome</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {entries.map((e) => (
                  <Table.Tr key={e.id}>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(e.at)}</Table.Td>
                    <Table.Td style={{ overflowWrap: 'anywhere' }}>{actorOf(e)}</Table.Td>
                    <Table.Td>
                      <span title={e.action}>{actionName(e.action)}</span>
                      {e.count !== null && (
                        <Text span size="sm" c="dimmed">
                          {' '}
                          ({e.count.toLocaleString()} records)
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>{targetOf(e)}</Table.Td>
                    <Table.Td>
                      <Badge variant="filled" color={OUTCOMES[e.outcome]?.color ?? 'gray.7'}>
                        {OUTCOMES[e.outcome]?.label ?? e.outcome}
                      </Badge>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </TableScroll>
          <ShowMore
            noun="entries"
            shown={entries.length}
            total={first?.total}
            estimate={first?.totalIsEstimate}
            hasMore={log.hasNextPage}
            loading={log.isFetchingNextPage}
            onMore={() => void log.fetchNextPage()}
          />
        </>
      )}
    </Page>
  );
}
