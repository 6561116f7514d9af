import { Anchor, Button, Table, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useRights } from '../../api/session';
import { formatNumber } from '../../ui/format';
import { Page } from '../../ui/Page';
import { Pager, useCursor } from '../../ui/Pager';
import { EmptyState, ErrorState, Loading } from '../../ui/states';
import { TableScroll } from '../../ui/TableScroll';
import { pagesApi } from './types';
import { typeWords } from './words';

/** Every page Assent serves at /p/{slug}: its type, address, whether it is published, and its counts. */
export function PageList() {
  const { can } = useRights();
  const writable = can('forms', 'write');
  const paging = useCursor();
  const pages = useQuery({
    queryKey: ['pages', paging.cursor],
    queryFn: () => pagesApi.list(paging.cursor),
    placeholderData: keepPreviousData,
  });
  const rows = pages.data?.data ?? [];
  const create = (label: string) =>
    writable ? (
      <Button component={Link} to="new">
        {label}
      </Button>
    ) : null;
  return (
    <Page
      title="Pages"
      description={
        'Public pages Assent serves for you: landing pages with a form, ' + 'the subscription centre, forward to a friend, data requests.'
      }
      actions={rows.length ? create('New page') : null}
    >
      {pages.isPending ? (
        <Loading label="Loading the pages" />
      ) : pages.isError ? (
        <ErrorState error={pages.error} retry={() => void pages.refetch()} />
      ) : rows.length === 0 && paging.page === 1 ? (
        <EmptyState title="No pages yet" action={create('Create your first page')}>
          A page is a web page Assent serves at its own address, in your words: a landing page with a sign-up form, or your own subscription
          centre, forward-to-a-friend or data request page.{writable ? '' : ' A marketer or an administrator can create one.'}
        </EmptyState>
      ) : (
        <TableScroll label="Pages" minWidth={760}>
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Title</Table.Th>
                <Table.Th scope="col">Type</Table.Th>
                <Table.Th scope="col">Address</Table.Th>
                <Table.Th scope="col">Published</Table.Th>
                <Table.Th scope="col" ta="right">
                  Views
                </Table.Th>
                <Table.Th scope="col" ta="right">
                  Submissions
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((p) => (
                <Table.Tr key={p.id}>
                  <Table.Td>
                    <Anchor component={Link} to={p.id} size="sm" fw={500} style={{ overflowWrap: 'anywhere' }}>
                      {p.title}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{typeWords(p.type)}</Table.Td>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>
                    <Text size="sm" ff="monospace">
                      {p.url}
                    </Text>
                  </Table.Td>
                  <Table.Td>{p.published ? 'Yes' : 'No, a draft'}</Table.Td>
                  <Table.Td ta="right">{formatNumber(p.views)}</Table.Td>
                  <Table.Td ta="right">{formatNumber(p.submissions)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </TableScroll>
      )}
      {pages.data?.page && <Pager paging={paging} next={pages.data.page.next} total={pages.data.page.total} noun="pages" />}
    </Page>
  );
}
