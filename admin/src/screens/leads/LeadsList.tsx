import { Anchor, Badge, Button, Checkbox, Group, NativeSelect, Table, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useRights } from '../../api/session';
import { formatDate, formatNumber } from '../../ui/format';
import { Page } from '../../ui/Page';
import { Pager, useCursor } from '../../ui/Pager';
import { EmptyState, ErrorState, Loading } from '../../ui/states';
import { TableScroll } from '../../ui/TableScroll';
import { GRADES, nextOf, scoringApi } from '../scoring/scoring.api';
import { notScoredShort } from '../scoring/words';
import { LEAD_STATUSES, leadsApi, personName, STATUS_COLOR, statusWords } from './leads.api';

function Status({ status }: { status: string }) {
  return (
    <Badge variant="dot" color={STATUS_COLOR[status] ?? 'gray'} tt="none">
      {statusWords(status)}
    </Badge>
  );
}

/**
 * The leads: newest first, or ranked by a scoring model (highest score first) with its score,
 * grade and sales-ready mark. Filters: status; with a model, grade and sales-ready. The model
 * picked is in the URL (`?model=`, an id); search words stay on the screen.
 */
export function LeadsList() {
  const { can } = useRights();
  const writable = can('leads', 'write');
  const [search, setSearch] = useSearchParams();
  const modelId = search.get('model') ?? '';
  const [status, setStatus] = useState('');
  const [grade, setGrade] = useState('');
  const [ready, setReady] = useState(false);
  const [q, setQ] = useState('');
  const [words] = useDebouncedValue(q.trim(), 300);
  const paging = useCursor();
  const models = useQuery({ queryKey: ['scoring-models'], queryFn: scoringApi.models, enabled: can('scoring') });
  const model = models.data?.data.find((m) => m.id === modelId);

  const plain = useQuery({
    queryKey: ['leads', { status, words, cursor: paging.cursor }],
    queryFn: () => leadsApi.list({ status, q: words, after: paging.cursor }),
    enabled: !modelId,
    placeholderData: keepPreviousData,
  });
  const ranked = useQuery({
    queryKey: ['scoring-ranking', modelId, { status, grade, ready, cursor: paging.cursor }],
    queryFn: () => scoringApi.ranking(modelId, { status, grade, ...(ready ? { salesReady: true } : {}), after: paging.cursor }),
    enabled: !!modelId,
    placeholderData: keepPreviousData,
  });
  const filtered = status || grade || ready || words;
  const create = writable ? (
    <Button component={Link} to="new">
      New lead
    </Button>
  ) : null;
  const pickModel = (id: string) => {
    paging.reset();
    setGrade('');
    setReady(false);
    setSearch(id ? { model: id } : {}, { replace: true });
  };
  const active = modelId ? ranked : plain;
  const rankedRows = ranked.data?.data ?? [];

  return (
    <Page
      title="Leads"
      description="Sales opportunities, each about one contact. Pick a scoring model to rank them by score."
      actions={create}
    >
      <Group gap="sm" align="flex-end" wrap="wrap">
        {can('scoring') && (
          <NativeSelect
            label="Ranked by"
            value={modelId}
            onChange={(e) => pickModel(e.currentTarget.value)}
            data={[
              { value: '', label: 'No model: newest first' },
              ...(models.data?.data ?? []).map((m) => ({ value: m.id, label: m.name })),
              ...(modelId && models.isSuccess && !model ? [{ value: modelId, label: 'A model that no longer exists' }] : []),
            ]}
          />
        )}
        <NativeSelect
          label="Status"
          value={status}
          onChange={(e) => {
            paging.reset();
            setStatus(e.currentTarget.value);
          }}
          data={[{ value: '', label: 'Any status' }, ...LEAD_STATUSES.map((s) => ({ value: s.value, label: s.label }))]}
        />
        {modelId ? (
          <>
            <NativeSelect
              label="Grade"
              value={grade}
              onChange={(e) => {
                paging.reset();
                setGrade(e.currentTarget.value);
              }}
              data={[{ value: '', label: 'Any grade' }, ...GRADES.map((g) => ({ value: g, label: `Grade ${g}` }))]}
            />
            <Checkbox
              label="Sales-ready only"
              checked={ready}
              mb={8}
              onChange={(e) => {
                paging.reset();
                setReady(e.currentTarget.checked);
              }}
            />
          </>
        ) : (
          <TextInput
            label="Search"
            description="Title, or the contact's address or name"
            value={q}
            onChange={(e) => {
              paging.reset();
              setQ(e.currentTarget.value);
            }}
            autoComplete="off"
          />
        )}
      </Group>
      {active.isPending ? (
        <Loading label="Loading the leads" />
      ) : active.isError ? (
        <ErrorState error={active.error} retry={() => void active.refetch()} />
      ) : modelId ? (
        rankedRows.length === 0 ? (
          <EmptyState title={filtered ? 'No lead matches these filters' : 'No leads to rank yet'}>
            {filtered
              ? 'Change or clear the filters above.'
              : 'Create leads, then recompute the model from its page: the ranking lists every lead with its score.'}
          </EmptyState>
        ) : (
          <>
            <TableScroll label={`Leads ranked by ${model?.name ?? 'the model'}`} minWidth={820}>
              <Table striped highlightOnHover>
                <Table.Thead>
                  <Table.Tr>
                    {/* The score first after the lead: on a phone it is what shows without scrolling sideways. */}
                    <Table.Th scope="col">Lead</Table.Th>
                    <Table.Th scope="col" ta="right">
                      Score
                    </Table.Th>
                    <Table.Th scope="col">Grade</Table.Th>
                    <Table.Th scope="col">Sales-ready</Table.Th>
                    <Table.Th scope="col">Status</Table.Th>
                    <Table.Th scope="col">Contact</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {rankedRows.map((r) => (
                    <Table.Tr key={r.leadId}>
                      <Table.Td>
                        <Anchor component={Link} to={r.leadId} size="sm" fw={500} style={{ overflowWrap: 'anywhere' }}>
                          {r.title}
                        </Anchor>
                      </Table.Td>
                      <Table.Td ta="right">{r.score === null ? '—' : formatNumber(r.score)}</Table.Td>
                      <Table.Td>{r.score === null ? notScoredShort(r.reason) : (r.grade ?? 'None')}</Table.Td>
                      <Table.Td>{r.salesReady ? 'Yes' : 'No'}</Table.Td>
                      <Table.Td>
                        <Status status={r.status} />
                      </Table.Td>
                      <Table.Td style={{ overflowWrap: 'anywhere' }}>{personName(r.contact)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </TableScroll>
          </>
        )
      ) : (plain.data?.data.length ?? 0) === 0 ? (
        <EmptyState title={filtered ? 'No lead matches' : 'No leads yet'} action={filtered ? null : create}>
          {filtered
            ? 'Change or clear the search and the status.'
            : 'A lead is a sales opportunity about one of your contacts: what they might buy, how far it has got, who looks after it. ' +
              'Scoring models rank them.'}
        </EmptyState>
      ) : (
        <TableScroll label="Leads" minWidth={760}>
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Lead</Table.Th>
                <Table.Th scope="col">Contact</Table.Th>
                <Table.Th scope="col">Status</Table.Th>
                <Table.Th scope="col" ta="right">
                  Value
                </Table.Th>
                <Table.Th scope="col">Created</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {plain.data!.data.map((l) => (
                <Table.Tr key={l.id}>
                  <Table.Td>
                    <Anchor component={Link} to={l.id} size="sm" fw={500} style={{ overflowWrap: 'anywhere' }}>
                      {l.title}
                    </Anchor>
                  </Table.Td>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>{personName(l.contact)}</Table.Td>
                  <Table.Td>
                    <Status status={l.status} />
                  </Table.Td>
                  <Table.Td ta="right">{formatNumber(l.value)}</Table.Td>
                  <Table.Td>{formatDate(l.createdAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </TableScroll>
      )}
      <Pager paging={paging} next={nextOf(active.data)} total={modelId ? undefined : plain.data?.page.total} noun="leads" />
    </Page>
  );
}
