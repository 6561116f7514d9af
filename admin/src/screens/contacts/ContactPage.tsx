import { Alert, Anchor, Button, Group, Modal, Paper, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiFailure, api, call } from '../../api/client';
import { useRights } from '../../api/session';
import { formatDate, formatDateTime } from '../../ui/format';
import { Page } from '../../ui/Page';
import { ErrorState, errorMessage, Loading } from '../../ui/states';
import { type Contact, displayName, useCustomFields } from './common';
import { ConsentPanel } from './ConsentPanel';
import { ContactInteractions, ContactLists, ContactSegments } from './ContactSections';
import { ContactJourneys } from './ContactJourneys';
import { ContactLeads } from './ContactLeads';
import { ContactSends } from './ContactSends';
import { EMAIL_AREA } from '../../ui/email/area';

/** One contact: profile, the GDPR panel, lists, interactions, segments, and export and erasure for those who may. */
export function ContactPage() {
  const { id } = useParams();
  const [erased, setErased] = useState<string | null>(null);
  const contact = useQuery({
    queryKey: ['contact', id],
    queryFn: async () => (await call(api.GET('/api/v1/contacts/{id}', { params: { path: { id: id! } } }))).data,
    enabled: erased === null,
    retry: (n, e) => !(e instanceof ApiFailure && e.status === 404) && n < 2,
  });
  if (erased !== null)
    return (
      <Page title="Contact erased">
        <Alert color="teal" title="Erased" role="status">
          <Stack gap="xs" align="flex-start">
            <Text size="sm">{erased}</Text>
            <Anchor component={Link} to="/contacts">
              Back to the contacts
            </Anchor>
          </Stack>
        </Alert>
      </Page>
    );
  if (contact.isPending) return <Loading label="Loading the contact" />;
  if (contact.isError)
    return (
      <Page title="Contact">
        <ErrorState error={contact.error} retry={() => contact.refetch()} title="Could not load this contact" />
        <Anchor component={Link} to="/contacts">
          Back to the contacts
        </Anchor>
      </Page>
    );
  return <Loaded contact={contact.data} onErased={setErased} />;
}

function Loaded({ contact, onErased }: { contact: Contact; onErased: (message: string) => void }) {
  const { can } = useRights();
  const [erasing, setErasing] = useState(false);
  const name = displayName(contact);
  return (
    <Page
      title={name}
      description={name === contact.email ? 'Contact' : contact.email}
      actions={
        <>
          {can('contacts', 'write') && (
            <Button component={Link} to={`/contacts/${contact.id}/edit`} variant="default">
              Edit
            </Button>
          )}
          {can('exports', 'read') && <ExportButton contact={contact} />}
          {can('erasure', 'write') && (
            <Button color="red" variant="outline" onClick={() => setErasing(true)}>
              Erase
            </Button>
          )}
        </>
      }
    >
      <Anchor component={Link} to="/contacts" size="sm">
        ← All contacts
      </Anchor>
      <Profile contact={contact} />
      {can('consent') && <ConsentPanel contact={contact} />}
      {can('lists') && <ContactLists contact={contact} />}
      {can('segments') && <ContactSegments contact={contact} />}
      {can('interactions') && <ContactInteractions contact={contact} />}
      {can(EMAIL_AREA) && <ContactSends contactId={contact.id} />}
      {can('journeys') && <ContactJourneys contactId={contact.id} />}
      {can('leads') && <ContactLeads contactId={contact.id} />}
      {erasing && <EraseDialog contact={contact} onClose={() => setErasing(false)} onErased={onErased} />}
    </Page>
  );
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" fw={600}>
        {label}
      </Text>
      <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
        {children === null || children === undefined || children === '' ? '—' : children}
      </Text>
    </div>
  );
}

function Profile({ contact }: { contact: Contact }) {
  const fields = useCustomFields();
  const value = (v: unknown) => (v === true ? 'Yes' : v === false ? 'No' : v === null || v === undefined ? null : String(v));
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="profile-title">
      <Stack gap="sm">
        <Title order={2} size="h3" id="profile-title">
          Profile
        </Title>
        <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }}>
          <Field label="Email">{contact.email}</Field>
          <Field label="First name">{contact.firstName}</Field>
          <Field label="Last name">{contact.lastName}</Field>
          <Field label="Phone">{contact.phone}</Field>
          <Field label="Company">{contact.company}</Field>
          <Field label="Country">{contact.country}</Field>
          <Field label="Language">{contact.language}</Field>
          <Field label="Time zone">{contact.timeZone}</Field>
          <Field label="Added">{formatDateTime(contact.createdAt)}</Field>
          <Field label="Last changed">{formatDateTime(contact.updatedAt)}</Field>
          {(fields.data ?? []).map((f) => (
            <Field key={f.id} label={f.label || f.name}>
              {f.type === 'date' ? formatDate(value(contact.customFields[f.name])) : value(contact.customFields[f.name])}
            </Field>
          ))}
        </SimpleGrid>
        {fields.isError && <ErrorState error={fields.error} title="Could not load the custom fields" />}
      </Stack>
    </Paper>
  );
}

/** The access export (everything held about the person) as a JSON file. */
function ExportButton({ contact }: { contact: Contact }) {
  const download = useMutation({
    mutationFn: async () => {
      const doc = await call(api.GET('/api/v1/contacts/{id}/export', { params: { path: { id: contact.id } } }));
      const url = URL.createObjectURL(new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `access-export-${contact.id}.json`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
  });
  return (
    <>
      <Button variant="default" loading={download.isPending} onClick={() => download.mutate()}>
        Access export
      </Button>
      {download.isError && (
        <Text size="sm" c="red" role="alert">
          Export failed: {errorMessage(download.error)}
        </Text>
      )}
    </>
  );
}

/** Erasure cannot be undone: the user types the address to confirm. */
function EraseDialog({ contact, onClose, onErased }: { contact: Contact; onClose: () => void; onErased: (m: string) => void }) {
  const queries = useQueryClient();
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string | null>(null);
  const erase = useMutation({
    mutationFn: () => call(api.POST('/api/v1/contacts/{id}/erase', { params: { path: { id: contact.id } } })),
    onSuccess: async (r) => {
      queries.removeQueries({ queryKey: ['contact', contact.id] });
      await queries.invalidateQueries({ queryKey: ['contacts'] });
      onErased(
        r.data.complete === false
          ? 'The contact is erased, but identifiers remain elsewhere: the privacy officer has tasks to finish the erasure.'
          : 'The contact and everything linked to it are gone. Only a receipt without personal data remains.',
      );
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (typed.trim().toLowerCase() !== contact.email.toLowerCase()) {
      setError('Type the contact’s email address exactly to confirm');
      return;
    }
    setError(null);
    erase.mutate();
  };
  return (
    <Modal opened onClose={onClose} title="Erase this contact" closeButtonProps={{ 'aria-label': 'Close' }}>
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Text size="sm">
            Erasing deletes the contact and everything linked to it: profile, lists, interactions, and personal data in their history. It
            cannot be undone, and the address is then refused if it is added again.
          </Text>
          {erase.isError && (
            <Alert color="red" role="alert" title="Not erased">
              {errorMessage(erase.error)}
            </Alert>
          )}
          <TextInput
            label={`Type ${contact.email} to confirm`}
            value={typed}
            onChange={(e) => setTyped(e.currentTarget.value)}
            error={error}
            autoComplete="off"
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" color="red" loading={erase.isPending}>
              Erase for good
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
