import { Anchor, Button, Paper, SimpleGrid, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { api, call } from '../../api/client';
import { useRights } from '../../api/session';
import { formatDateTime } from '../../ui/format';
import { Page } from '../../ui/Page';
import { ErrorState, Loading } from '../../ui/states';
import { typeLabel, useEntity, valueText } from './words';

/** One record: its fields by name, with their types, and its contact. */
export function RecordView() {
  const { name = '', id = '' } = useParams();
  const { can } = useRights();
  const entity = useEntity(name);
  const record = useQuery({
    queryKey: ['entities', name, 'record', id],
    queryFn: async () => (await call(api.GET('/api/v1/entities/{name}/records/{id}', { params: { path: { name, id } } }))).data,
  });
  const back = (
    <Button component={Link} to={`/entities/${name}`} variant="subtle">
      All {entity.data?.label || name} records
    </Button>
  );
  if (entity.isPending || record.isPending) return <Loading label="Loading the record" />;
  const error = entity.error ?? record.error;
  if (error)
    return (
      <Page title="Record" actions={back}>
        <ErrorState error={error} retry={() => void (entity.isError ? entity.refetch() : record.refetch())} />
      </Page>
    );
  const e = entity.data!;
  const r = record.data!;
  const item = (label: string, value: ReactNode, hint?: string) => (
    <Paper key={label} withBorder p="sm" radius="md">
      <Text size="sm" c="dimmed" component="dt">
        {label}
        {hint ? ` (${hint})` : ''}
      </Text>
      <Text component="dd" m={0} style={{ overflowWrap: 'anywhere' }}>
        {value}
      </Text>
    </Paper>
  );
  return (
    <Page
      title={`${e.label || e.name} record`}
      description={`Created ${formatDateTime(r.createdAt)}, last changed ${formatDateTime(r.updatedAt)}.`}
      actions={back}
    >
      <Stack gap="sm">
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm" component="dl" m={0}>
          {e.fields.map((f) =>
            item(f.name, valueText(r.fields[f.name]), `${typeLabel(f.type).toLowerCase()}${f.personal ? ', personal' : ''}`),
          )}
          {e.linked &&
            item(
              'Contact',
              r.contactId ? (
                can('contacts') ? (
                  <Anchor component={Link} to={`/contacts/${r.contactId}`}>
                    Open the contact
                  </Anchor>
                ) : (
                  'Linked to a contact'
                )
              ) : (
                'None'
              ),
            )}
        </SimpleGrid>
      </Stack>
    </Page>
  );
}
