import { Anchor, Badge, Button, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { useRights } from '../../api/session';
import { ConfirmDelete } from '../../ui/ConfirmDelete';
import { formatDateTime, formatNumber } from '../../ui/format';
import { Page } from '../../ui/Page';
import { ErrorState, Loading } from '../../ui/states';
import { LeadScores } from '../scoring/Explanation';
import { useLeadFields } from '../scoring/vocabulary';
import { leadsApi, personName, STATUS_COLOR, statusWords } from './leads.api';
import { useOwners } from './owners';

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" fw={600}>
        {label}
      </Text>
      <Text size="sm" component="div" style={{ overflowWrap: 'anywhere' }}>
        {children === null || children === undefined || children === '' ? '—' : children}
      </Text>
    </div>
  );
}

const shown = (v: unknown, type: string): string => {
  if (v === null || v === undefined || v === '') return '—';
  if (type === 'boolean') return v ? 'Yes' : 'No';
  if (type === 'datetime' && typeof v === 'string') return formatDateTime(v);
  if (type === 'number' && typeof v === 'number') return formatNumber(v);
  return String(v);
};

/** A lead: its fields, its contact, and why it scored what it did under each model. */
export function LeadPage() {
  const { id } = useParams();
  const { can } = useRights();
  const lead = useQuery({ queryKey: ['lead', id], queryFn: () => leadsApi.lead(id!) });
  const fields = useLeadFields();
  const owners = useOwners(lead.data?.ownerId ?? '');
  if (lead.isPending) return <Loading label="Loading the lead" />;
  if (lead.isError)
    return (
      <Page title="Lead">
        <ErrorState error={lead.error} retry={() => void lead.refetch()} />
        <Anchor component={Link} to="/leads">
          Back to the leads
        </Anchor>
      </Page>
    );
  const l = lead.data;
  const writable = can('leads', 'write');
  const ownerName = l.ownerId ? (owners.name(l.ownerId) ?? 'A user') : 'Nobody';
  return (
    <Page
      title={l.title}
      description={`A lead about ${personName(l.contact)}`}
      actions={
        writable && (
          <>
            <Button component={Link} to="edit" variant="default">
              Edit
            </Button>
            <ConfirmDelete
              name={l.title}
              label="Delete lead"
              remove={() => leadsApi.remove(l.id)}
              itemKey={['lead', l.id]}
              listKey={['leads']}
              listPath="/leads"
            >
              The lead and its scores go; the contact stays as they are.
            </ConfirmDelete>
          </>
        )
      }
    >
      <Anchor component={Link} to="/leads" size="sm">
        ← All leads
      </Anchor>
      <Paper withBorder p="md" radius="md" component="section" aria-labelledby="lead-fields">
        <Stack gap="sm">
          <Title order={2} size="h3" id="lead-fields">
            Lead
          </Title>
          <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }} spacing="md">
            <Field label="Contact">
              {can('contacts') ? (
                <Anchor component={Link} to={`/contacts/${l.contactId}`} size="sm">
                  {personName(l.contact)}
                </Anchor>
              ) : (
                personName(l.contact)
              )}
              {l.contact && personName(l.contact) !== l.contact.email && (
                <Text size="xs" c="dimmed">
                  {l.contact.email}
                </Text>
              )}
            </Field>
            <Field label="Status">
              <Badge variant="dot" color={STATUS_COLOR[l.status] ?? 'gray'} tt="none">
                {statusWords(l.status)}
              </Badge>
            </Field>
            <Field label="Owner">{ownerName}</Field>
            <Field label="Value">{l.value === null ? null : formatNumber(l.value)}</Field>
            <Field label="Created">{formatDateTime(l.createdAt)}</Field>
            <Field label="Last changed">{formatDateTime(l.updatedAt)}</Field>
            {(fields.data ?? []).map((f) => (
              <Field key={f.name} label={f.label || f.name}>
                {shown(l.fields?.[f.name], String(f.type))}
              </Field>
            ))}
          </SimpleGrid>
        </Stack>
      </Paper>
      {can('scoring') && <LeadScores leadId={l.id} />}
    </Page>
  );
}
