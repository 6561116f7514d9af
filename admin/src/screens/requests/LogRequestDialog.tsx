import { Button, Checkbox, Group, Modal, Select, Stack, Textarea, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, call } from '../../api/client';
import { errorMessage } from '../../ui/states';
import { fieldErrors } from './fieldErrors';
import { REQUEST_TYPES, type RequestType, typeLabel } from './words';
import { Notice } from './Notice';

/** A request received by post, phone or in person, entered by staff. */
export function LogRequestDialog({ onClose }: { onClose: () => void }) {
  const queries = useQueryClient();
  const navigate = useNavigate();
  const [type, setType] = useState<RequestType>('access');
  const [email, setEmail] = useState('');
  const [received, setReceived] = useState('');
  const [verified, setVerified] = useState(false);
  const [note, setNote] = useState('');
  const create = useMutation({
    mutationFn: () =>
      call(
        api.POST('/api/v1/requests', {
          body: {
            type,
            email: email.trim(),
            // The date the letter arrived, at noon UTC so it is the same day everywhere.
            ...(received ? { receivedAt: `${received}T12:00:00Z` } : {}),
            ...(verified ? { verified: true, note: note.trim() } : {}),
          },
        }),
      ),
    onSuccess: async (r) => {
      await queries.invalidateQueries({ queryKey: ['requests'] });
      navigate(r.data.id);
    },
  });
  const errors = fieldErrors(create.error);
  return (
    <Modal opened onClose={onClose} title="Log a request" size="lg" closeButtonProps={{ 'aria-label': 'Close' }}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Stack gap="sm">
          <Select
            label="What the person asks for"
            value={type}
            onChange={(v) => v && setType(v as RequestType)}
            allowDeselect={false}
            data={REQUEST_TYPES.map((t) => ({ value: t, label: typeLabel(t) }))}
          />
          <TextInput
            label="Their email address"
            type="email"
            required
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            error={errors['/email']}
            description="Without a check of identity below, a confirmation link is emailed to this address."
          />
          <TextInput
            label="Received on"
            type="date"
            value={received}
            onChange={(e) => setReceived(e.currentTarget.value)}
            error={errors['/receivedAt']}
            description="Leave empty for today. The deadline counts from this day."
          />
          <Checkbox
            label="I have checked the person's identity"
            checked={verified}
            onChange={(e) => setVerified(e.currentTarget.checked)}
          />
          {verified && (
            <Textarea
              label="How the identity was checked"
              required
              value={note}
              onChange={(e) => setNote(e.currentTarget.value)}
              error={errors['/note']}
              description="Kept on the case for years: describe the check, without the person's address or name."
              autosize
              minRows={2}
            />
          )}
          {create.isError && !['/email', '/receivedAt', '/note'].some((k) => errors[k]) && (
            <Notice color="red" role="alert" title="The request was not logged">
              {errorMessage(create.error)}
            </Notice>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Log the request
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
