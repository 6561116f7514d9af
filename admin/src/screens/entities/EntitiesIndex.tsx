import { Anchor, Badge, Button, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import { useRights } from '../../api/session';
import { Page } from '../../ui/Page';
import { EmptyState, ErrorState, Loading } from '../../ui/states';
import { TableScroll } from '../../ui/TableScroll';
import { eraseLabel, retentionLabel, typeLabel, useEntities } from './words';

export function EntitiesIndex() {
  const { can } = useRights();
  const entities = useEntities();
  const define = can('entities', 'write') ? (
    <Button component={Link} to="new">
      New entity
    </Button>
  ) : null;
  return (
    <Page
      title="Custom entities"
      description={
        'Record types of your own (orders, loyalty cards, tickets), each ' +
        'with typed fields, declared in the data map: linked records ' +
        'are exported and erased with their person.'
      }
      actions={entities.data?.length ? define : null}
    >
      {entities.isPending ? (
        <Loading label="Loading the entities" />
      ) : entities.isError ? (
        <ErrorState error={entities.error} retry={() => void entities.refetch()} />
      ) : entities.data.length === 0 ? (
        <EmptyState title="No custom entities yet" action={define}>
          An entity holds records about your contacts that are not contact fields: the orders someone placed, their support tickets.{' '}
          {define ? 'Define the first one.' : 'An administrator or a privacy officer can define one.'}
        </EmptyState>
      ) : (
        <TableScroll minWidth={720} label="Custom entities, scrollable">
          <Table striped withTableBorder aria-label="Custom entities">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Entity</Table.Th>
                <Table.Th scope="col">Fields</Table.Th>
                <Table.Th scope="col">Linked to contacts</Table.Th>
                <Table.Th scope="col">On erasure</Table.Th>
                <Table.Th scope="col">Kept</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {entities.data.map((e) => (
                <Table.Tr key={e.id}>
                  <Table.Td>
                    <Anchor component={Link} to={e.name} fw={500} size="sm">
                      {e.label || e.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">
                      {e.fields.map((f) => `${f.name} (${typeLabel(f.type).toLowerCase()}${f.personal ? ', personal' : ''})`).join(', ')}
                    </Text>
                  </Table.Td>
                  <Table.Td>{e.linked ? <Badge variant="outline">Linked</Badge> : 'No'}</Table.Td>
                  <Table.Td>{eraseLabel(e.erase)}</Table.Td>
                  <Table.Td>{retentionLabel(e.retention)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </TableScroll>
      )}
    </Page>
  );
}
