import { Anchor, Badge, Button, Group, NativeSelect, Stack, Table, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { TableScroll } from '../../ui/TableScroll';
import { api, call } from '../../api/client';
import { useConsentLevels, useLevelName } from '../../api/consent';
import { useRights } from '../../api/session';
import { formatDate, formatNumber } from '../../ui/format';
import { Page } from '../../ui/Page';
import { EmptyState, ErrorState, Loading } from '../../ui/states';
import { displayName, useAllLists, useAllSegments } from './common';

const PAGE_SIZE = 25;
type SortField = 'email' | 'name' | 'consentLevel' | 'createdAt' | 'updatedAt';
type Sort = { field: SortField; desc: boolean } | null;
type Row = {
  id: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  consentLevel: number;
  createdAt: string;
  lists?: string[];
};

/** The contacts table: search, filters by level, list and segment, sorting, cursor paging. */
export function ContactsList() {
  const { can } = useRights();
  const navigate = useNavigate();
  const levelName = useLevelName();
  const levels = useConsentLevels();
  const lists = useAllLists(can('lists'));
  const segments = useAllSegments(can('segments'));
  // Search text stays in component state: it may be personal data, which never goes in a URL.
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const [level, setLevel] = useState('');
  const [list, setList] = useState('');
  const [segment, setSegment] = useState('');
  const [sort, setSort] = useState<Sort>(null);
  // The cursors of the pages before this one, and this page's.
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const reset = () => setCursors([]);

  const params = { q, level, list, segment, sort, cursor };
  const page = useQuery({
    queryKey: ['contacts', 'list', params],
    placeholderData: keepPreviousData,
    queryFn: async (): Promise<{ data: Row[]; page: { next: string | null; total: number; totalIsEstimate: boolean } }> => {
      if (segment) {
        return call(
          api.GET('/api/v1/segments/{id}/members', {
            params: { path: { id: segment }, query: { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } },
          }),
        );
      }
      return call(
        api.GET('/api/v1/contacts', {
          params: {
            query: {
              limit: PAGE_SIZE,
              ...(cursor ? { cursor } : {}),
              ...(q ? { q } : {}),
              ...(level !== '' ? { consentLevel: Number(level) } : {}),
              ...(list ? { list } : {}),
              ...(sort ? { sort: (sort.desc ? `-${sort.field}` : sort.field) as 'email' } : {}),
            },
          },
        }),
      );
    },
  });

  const filtered = q !== '' || level !== '' || list !== '' || segment !== '';
  const listName = (id: string) => lists.data?.find((l) => l.id === id)?.name ?? 'a list';
  const clear = () => {
    setSearch('');
    setLevel('');
    setList('');
    setSegment('');
    reset();
  };

  const newContact = can('contacts', 'write') && (
    <Button component={Link} to="/contacts/new">
      New contact
    </Button>
  );

  const header = (field: SortField, label: string) => {
    const active = sort?.field === field;
    const next: Sort = !active ? { field, desc: false } : sort.desc ? null : { field, desc: true };
    return (
      <Table.Th aria-sort={active ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
        {segment ? (
          label
        ) : (
          <UnstyledButton
            fw={700}
            fz="sm"
            onClick={() => {
              setSort(next);
              reset();
            }}
          >
            {label} <span aria-hidden="true">{active ? (sort.desc ? '↓' : '↑') : '↕'}</span>
          </UnstyledButton>
        )}
      </Table.Th>
    );
  };

  let body: ReactNode;
  if (page.isPending) body = <Loading label="Loading contacts" />;
  else if (page.isError) body = <ErrorState error={page.error} retry={() => page.refetch()} title="Could not load the contacts" />;
  else if (page.data.data.length === 0 && !filtered)
    body = (
      <EmptyState
        title="No contacts yet"
        action={
          can('contacts', 'write') && (
            <>
              <Button component={Link} to="/contacts/new">
                Add a contact
              </Button>
              <Button component={Link} to="/imports" variant="default">
                Import a CSV
              </Button>
            </>
          )
        }
      >
        Contacts are the people you market to. Add one by hand, or import the people you already have from a CSV file.
      </EmptyState>
    );
  else if (page.data.data.length === 0)
    body = (
      <EmptyState
        title="No contacts match"
        action={
          <Button variant="default" onClick={clear}>
            Clear search and filters
          </Button>
        }
      >
        Nobody matches this search and these filters.
      </EmptyState>
    );
  else {
    const { data, page: info } = page.data;
    body = (
      <Stack gap="xs">
        <TableScroll minWidth={720} label="Contacts, scrollable">
          <Table highlightOnHover striped aria-label="Contacts">
            <Table.Thead>
              <Table.Tr>
                {header('email', 'Email')}
                {header('name', 'Name')}
                {header('consentLevel', 'Consent level')}
                <Table.Th>Lists</Table.Th>
                {header('createdAt', 'Created')}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.map((c) => (
                <Table.Tr key={c.id} style={{ cursor: 'pointer' }} onClick={() => navigate(`/contacts/${c.id}`)}>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>
                    <Anchor component={Link} to={`/contacts/${c.id}`} onClick={(e) => e.stopPropagation()}>
                      {c.email}
                    </Anchor>
                  </Table.Td>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>{c.firstName || c.lastName ? displayName(c) : '—'}</Table.Td>
                  <Table.Td>
                    <Badge variant="dot" color={c.consentLevel >= 4 ? 'teal' : c.consentLevel === 0 ? 'gray' : 'blue'}>
                      {levelName(c.consentLevel)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{c.lists === undefined ? '—' : c.lists.length === 0 ? 'None' : c.lists.map(listName).join(', ')}</Table.Td>
                  <Table.Td>{formatDate(c.createdAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </TableScroll>
        <Group justify="space-between" wrap="wrap">
          <Text size="sm" c="dimmed" aria-live="polite">
            {info.totalIsEstimate ? 'About ' : ''}
            {formatNumber(info.total)} {info.total === 1 ? 'contact' : 'contacts'}
            {cursors.length > 0 ? `, page ${cursors.length + 1}` : ''}
          </Text>
          <Group gap="xs">
            <Button variant="default" disabled={cursors.length === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>
              Previous page
            </Button>
            <Button variant="default" disabled={!info.next} onClick={() => info.next && setCursors((c) => [...c, info.next!])}>
              Next page
            </Button>
          </Group>
        </Group>
      </Stack>
    );
  }

  return (
    <Page title="Contacts" description="The people you market to, their consent and their lists." actions={newContact}>
      <Group align="flex-end" gap="sm" wrap="wrap">
        <TextInput
          label="Search"
          description="Email, name or company"
          placeholder="e.g. lea@example.com"
          value={search}
          disabled={segment !== ''}
          onChange={(e) => {
            setSearch(e.currentTarget.value);
            reset();
          }}
          style={{ flex: '1 1 220px' }}
        />
        <NativeSelect
          label="Consent level"
          description="Stored level"
          value={level}
          disabled={segment !== ''}
          onChange={(e) => {
            setLevel(e.currentTarget.value);
            reset();
          }}
          data={[
            { value: '', label: 'Any level' },
            ...(levels.data?.consentLevels ?? []).map((l) => ({ value: String(l.level), label: l.name })),
          ]}
        />
        {can('lists') && (
          <NativeSelect
            label="List"
            description="Members of"
            value={list}
            disabled={segment !== ''}
            onChange={(e) => {
              setList(e.currentTarget.value);
              reset();
            }}
            data={[{ value: '', label: 'Any list' }, ...(lists.data ?? []).map((l) => ({ value: l.id, label: l.name }))]}
          />
        )}
        {can('segments') && (
          <NativeSelect
            label="Segment"
            description="In segment"
            value={segment}
            onChange={(e) => {
              setSegment(e.currentTarget.value);
              setSort(null);
              reset();
            }}
            data={[{ value: '', label: 'Any segment' }, ...(segments.data ?? []).map((s) => ({ value: s.id, label: s.name }))]}
          />
        )}
      </Group>
      {segment !== '' && (
        <Text size="sm" c="dimmed">
          Showing the segment's members in the order they were added; search, level, list and sorting apply to all contacts.
        </Text>
      )}
      {body}
    </Page>
  );
}
