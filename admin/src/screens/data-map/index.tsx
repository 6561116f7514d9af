import {
  Accordion,
  Anchor,
  Badge,
  Button,
  Code,
  Group,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, Route, Routes } from 'react-router';
import { api, call } from '../../api/client';
import { TableScroll } from '../../ui/TableScroll';
import { Page } from '../../ui/Page';
import { EmptyState, ErrorState, Loading } from '../../ui/states';
import { ERASE, retention, subjectLink } from './words';

function useDataMap() {
  return useQuery({
    queryKey: ['datamap'],
    queryFn: async () => (await call(api.GET('/api/v1/datamap'))).data.tables,
    staleTime: 60_000,
  });
}

type MapTable = NonNullable<ReturnType<typeof useDataMap>['data']>[number];

function Columns({ table }: { table: MapTable }) {
  return (
    <TableScroll label={`Columns of ${table.name}`} minWidth={720}>
      <Table striped aria-label={`Columns of ${table.name}`}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Column</Table.Th>
            <Table.Th scope="col">Category</Table.Th>
            <Table.Th scope="col">Personal data</Table.Th>
            <Table.Th scope="col">On erasure</Table.Th>
            <Table.Th scope="col">In access export</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {table.columns.map((c) => (
            <Table.Tr key={c.name}>
              <Table.Td>
                <Code>{c.name}</Code>
                {c.freeText && (
                  <Text size="xs" c="dimmed">
                    Free text: may name anyone
                  </Text>
                )}
                {c.description && (
                  <Text size="xs" c="dimmed">
                    {c.description}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>{c.category}</Table.Td>
              <Table.Td>{c.personal ? 'Yes' : 'No'}</Table.Td>
              <Table.Td>{ERASE[c.erase] ?? c.erase}</Table.Td>
              <Table.Td>{c.exported ? 'Yes' : 'No'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </TableScroll>
  );
}

function DataMap() {
  const map = useDataMap();
  const [search, setSearch] = useState('');
  const [category, setCategory] = useState<string | null>(null);
  const [personalOnly, setPersonalOnly] = useState(false);
  const tables = map.data ?? [];
  const categories = [...new Set(tables.flatMap((t) => t.columns.map((c) => c.category)))].sort();
  const words = search.trim().toLowerCase();
  // A table stays when its name or description matches, or any column does; its columns are cut to
  // the category and personal filters (and to the search, unless the table itself matched).
  const shown = tables.flatMap((t) => {
    const tableMatches = !words || `${t.name} ${t.description}`.toLowerCase().includes(words);
    const columns = t.columns.filter(
      (c) =>
        (!category || c.category === category) &&
        (!personalOnly || c.personal) &&
        (tableMatches || `${c.name} ${c.category} ${c.description ?? ''}`.toLowerCase().includes(words)),
    );
    const filtering = category !== null || personalOnly || !tableMatches;
    if (filtering && columns.length === 0) return [];
    return [{ ...t, columns: filtering ? columns : t.columns }];
  });
  const filtered = words !== '' || category !== null || personalOnly;
  const clear = () => {
    setSearch('');
    setCategory(null);
    setPersonalOnly(false);
  };
  return (
    <Page
      title="Data map"
      description={
        'Every table Assent keeps, what each column holds, how erasure ' +
        'treats it, whether the access export carries it, and how long ' +
        'it is kept. Export, erasure and retention follow this map.'
      }
      actions={
        <Button component={Link} to="report" variant="default">
          Records of processing
        </Button>
      }
    >
      {map.isPending ? (
        <Loading label="Loading the data map" />
      ) : map.isError ? (
        <ErrorState error={map.error} retry={() => void map.refetch()} />
      ) : (
        <>
          <Paper withBorder p="sm" radius="md">
            <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
              <TextInput
                label="Search"
                placeholder="Table, column or category"
                value={search}
                onChange={(e) => setSearch(e.currentTarget.value)}
                type="search"
              />
              <Select
                label="Category"
                placeholder="Any category"
                data={categories}
                value={category}
                onChange={setCategory}
                searchable
                clearable
                nothingFoundMessage="No such category"
              />
              <Switch
                label="Personal data only"
                checked={personalOnly}
                onChange={(e) => setPersonalOnly(e.currentTarget.checked)}
                mt={{ base: 0, sm: 30 }}
              />
            </SimpleGrid>
          </Paper>
          <Text size="sm" c="dimmed" aria-live="polite">
            {filtered ? `${shown.length} of ${tables.length} tables match` : `${tables.length} tables`}
          </Text>
          {shown.length === 0 ? (
            <EmptyState
              title="Nothing matches"
              action={
                <Button variant="default" onClick={clear}>
                  Clear filters
                </Button>
              }
            >
              No table or column matches the search and filters.
            </EmptyState>
          ) : (
            <Accordion variant="separated" multiple>
              {shown.map((t) => (
                <Accordion.Item key={t.name} value={t.name}>
                  <Accordion.Control>
                    <Group gap="xs" wrap="wrap">
                      <Text fw={600} style={{ overflowWrap: 'anywhere' }}>
                        {t.name}
                      </Text>
                      {t.origin === 'runtime' && (
                        <Badge variant="filled" color="gray.7">
                          defined here
                        </Badge>
                      )}
                      {t.columns.some((c) => c.personal) && (
                        <Badge variant="filled" color="grape.8">
                          personal data
                        </Badge>
                      )}
                    </Group>
                    <Text size="sm" c="dimmed">
                      {t.description}
                    </Text>
                  </Accordion.Control>
                  <Accordion.Panel>
                    <Stack gap="xs">
                      <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="xs">
                        <Text size="sm">
                          <strong>Person:</strong> {subjectLink(t.subjectLink)}
                        </Text>
                        <Text size="sm">
                          <strong>Retention:</strong> {retention(t.retention)}
                        </Text>
                        <Text size="sm">
                          <strong>Purposes:</strong> {t.purposes.length ? t.purposes.join(', ') : 'none'}
                        </Text>
                      </SimpleGrid>
                      {t.partOf && (
                        <Text size="sm">
                          Part of a row of <Code>{t.partOf.table}</Code> (by {t.partOf.column}): erased with it.
                        </Text>
                      )}
                      <Columns table={t} />
                    </Stack>
                  </Accordion.Panel>
                </Accordion.Item>
              ))}
            </Accordion>
          )}
        </>
      )}
    </Page>
  );
}

function Report() {
  const report = useQuery({
    queryKey: ['datamap', 'report'],
    queryFn: async () => call(api.GET('/api/v1/datamap/report', { parseAs: 'text' })) as Promise<string>,
  });
  const download = () => {
    if (!report.data) return;
    const url = URL.createObjectURL(new Blob([report.data], { type: 'text/markdown;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `records-of-processing-${new Date().toISOString().slice(0, 10)}.md`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  return (
    <Page
      title="Records of processing"
      description={
        'The data map written out as the records of processing activities ' +
        '(GDPR Art. 30), in Markdown: to file, print or hand to an ' +
        'auditor.'
      }
      actions={
        <>
          <Anchor component={Link} to=".." relative="path" size="sm">
            Back to the data map
          </Anchor>
          <Button onClick={download} disabled={!report.data}>
            Download (Markdown)
          </Button>
        </>
      }
    >
      {report.isPending ? (
        <Loading label="Loading the report" />
      ) : report.isError ? (
        <ErrorState error={report.error} retry={() => void report.refetch()} title="Could not build the report" />
      ) : (
        <Paper withBorder p="md" radius="md">
          <Code block tabIndex={0} aria-label="The report" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
            {report.data}
          </Code>
        </Paper>
      )}
    </Page>
  );
}

export default function DataMapScreen() {
  return (
    <Routes>
      <Route index element={<DataMap />} />
      <Route path="report" element={<Report />} />
    </Routes>
  );
}
