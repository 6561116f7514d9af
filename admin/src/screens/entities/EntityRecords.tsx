import { Anchor, Button, Table, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, call } from '../../api/client';
import { useRights } from '../../api/session';
import { formatDateTime, formatNumber } from '../../ui/format';
import { Page } from '../../ui/Page';
import { Pager, useCursor } from '../../ui/Pager';
import { EmptyState, ErrorState, Loading } from '../../ui/states';
import { TableScroll } from '../../ui/TableScroll';
import { eraseLabel, retentionLabel, typeLabel, useEntity, valueText } from './words';

/** An entity's records, oldest first, paged; each leads to its own page. */
export function EntityRecords() {
  const { name = '' } = useParams();
  const { can } = useRights();
  const entity = useEntity(name);
  const paging = useCursor();
  const records = useQuery({
    queryKey: ['entities', name, 'records', paging.cursor],
    queryFn: () =>
      call(
        api.GET('/api/v1/entities/{name}/records', {
          params: { path: { name }, query: { limit: 50, ...(paging.cursor ? { cursor: paging.cursor } : {}) } },
        }),
      ),
    placeholderData: keepPreviousData,
    enabled: entity.isSuccess,
  });
  if (entity.isPending) return <Loading label="Loading the entity" />;
  if (entity.isError)
    return (
      <Page title="Custom entity">
        <ErrorState error={entity.error} retry={() => void entity.refetch()} />
      </Page>
    );
  const e = entity.data;
  const mayContacts = can('contacts');
  return (
    <Page
      title={e.label || e.name}
      description={`${
        e.linked ? 'Records about a contact' : 'Records not linked ' + 'to ' + 'contacts'
      }; on erasure: ${eraseLabel(e.erase).toLowerCase()}; kept: ${retentionLabel(e.retention).toLowerCase()}. Fields: ${e.fields
        .map((f) => `${f.name} ` + `` + `` + `` + `` + `` + `(${typeLabel(f.type).toLowerCase()})`)
        .join(', ')}.`}
      actions={
        <Button component={Link} to="/entities" variant="subtle">
          All entities
        </Button>
      }
    >
      {records.isPending ? (
        <Loading label="Loading the records" />
      ) : records.isError ? (
        <ErrorState error={records.error} retry={() => void records.refetch()} />
      ) : records.data.data.length === 0 && paging.page === 1 ? (
        <EmptyState title="No records yet">
          Records are written by your other systems through the API (POST /api/v1/entities/{e.name}/records), for example an order when it
          is placed.
        </EmptyState>
      ) : (
        <>
          <TableScroll minWidth={Math.max(560, 200 + e.fields.length * 140)} label="Records, scrollable">
            <Table striped highlightOnHover withTableBorder aria-label="Records">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Record</Table.Th>
                  {e.linked && <Table.Th scope="col">Contact</Table.Th>}
                  {e.fields.map((f) => (
                    <Table.Th key={f.name} scope="col">
                      {f.name}
                    </Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {records.data.data.map((r) => (
                  <Table.Tr key={r.id}>
                    <Table.Td>
                      <Anchor component={Link} to={r.id} size="sm">
                        Created {formatDateTime(r.createdAt)}
                      </Anchor>
                    </Table.Td>
                    {e.linked && (
                      <Table.Td>
                        {r.contactId ? (
                          mayContacts ? (
                            <Anchor component={Link} to={`/contacts/${r.contactId}`} size="sm">
                              Open contact
                            </Anchor>
                          ) : (
                            'A contact'
                          )
                        ) : (
                          <Text span size="sm" c="dimmed">
                            None
                          </Text>
                        )}
                      </Table.Td>
                    )}
                    {e.fields.map((f) => (
                      <Table.Td key={f.name} style={{ overflowWrap: 'anywhere' }}>
                        {valueText(r.fields[f.name])}
                      </Table.Td>
                    ))}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </TableScroll>
          <Pager
            paging={paging}
            next={records.data.page.next}
            total={records.data.page.total}
            estimate={records.data.page.totalIsEstimate}
            noun="records"
          />
          {paging.page === 1 && !records.data.page.next && (
            <Text size="sm" c="dimmed">
              {formatNumber(records.data.page.total)} {records.data.page.total === 1 ? 'record' : 'records'}
            </Text>
          )}
        </>
      )}
    </Page>
  );
}
