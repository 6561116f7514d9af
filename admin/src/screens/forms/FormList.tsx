import { Anchor, Button, Table, Text } from '@mantine/core';
import { keepPreviousData, useQueries, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useRights } from '../../api/session';
import { formatDateTime, formatNumber } from '../../ui/format';
import { Page } from '../../ui/Page';
import { Pager, useCursor } from '../../ui/Pager';
import { EmptyState, ErrorState, Loading } from '../../ui/states';
import { TableScroll } from '../../ui/TableScroll';
import { formsApi } from './forms.api';

/** Every form with its fields count, double opt-in and submissions (the anonymous counters, where the server has them). */
export function FormList() {
  const { can } = useRights();
  const writable = can('forms', 'write');
  const paging = useCursor();
  const page = useQuery({
    queryKey: ['forms', paging.cursor],
    queryFn: () => formsApi.list({ limit: 50, ...(paging.cursor ? { cursor: paging.cursor } : {}) }),
    placeholderData: keepPreviousData,
  });
  const rows = page.data?.data ?? [];
  const counts = useQueries({
    queries: rows.map((f) => ({ queryKey: ['form-counts', f.id], queryFn: () => formsApi.counts(f.id), retry: false, staleTime: 60_000 })),
  });
  // The counters came with the pages API: a server without them answers 404, and the column goes.
  const withCounts = rows.length > 0 && !counts.some((c) => c.isSuccess && c.data === null);
  const create = (label: string) =>
    writable ? (
      <Button component={Link} to="new">
        {label}
      </Button>
    ) : null;
  return (
    <Page
      title="Forms"
      description="Sign-up forms for your website and your pages: what a person fills in, and the consent and lists it gives."
      actions={rows.length ? create('New form') : null}
    >
      {page.isPending ? (
        <Loading label="Loading the forms" />
      ) : page.isError ? (
        <ErrorState error={page.error} retry={() => void page.refetch()} />
      ) : rows.length === 0 && paging.page === 1 ? (
        <EmptyState title="No forms yet" action={create('Create your first form')}>
          A form collects sign-ups: an email address, the consent the person gives in words they read, the lists they join. Put it on your
          website or on a page Assent serves.{writable ? '' : ' A marketer or an administrator can create one.'}
        </EmptyState>
      ) : (
        <>
          <TableScroll label="Forms" minWidth={640}>
            <Table striped highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Name</Table.Th>
                  <Table.Th scope="col" ta="right">
                    Fields
                  </Table.Th>
                  <Table.Th scope="col">Double opt-in</Table.Th>
                  {withCounts && (
                    <Table.Th scope="col" ta="right">
                      Submissions
                    </Table.Th>
                  )}
                  <Table.Th scope="col">Last change</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((f, i) => (
                  <Table.Tr key={f.id}>
                    <Table.Td>
                      <Anchor component={Link} to={f.id} size="sm" fw={500} style={{ overflowWrap: 'anywhere' }}>
                        {f.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td ta="right">{formatNumber(f.fields.length)}</Table.Td>
                    <Table.Td>{f.doubleOptIn ? 'Yes' : 'No'}</Table.Td>
                    {withCounts && <Table.Td ta="right">{counts[i]?.data ? formatNumber(counts[i].data.total.submissions) : '…'}</Table.Td>}
                    <Table.Td>{formatDateTime(f.updatedAt)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </TableScroll>
          {rows.length === 0 && <Text size="sm">No forms on this page.</Text>}
          <Pager paging={paging} next={page.data.page.next} total={page.data.page.total} noun="forms" />
        </>
      )}
    </Page>
  );
}
