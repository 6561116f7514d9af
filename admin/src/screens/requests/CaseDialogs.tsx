import { Button, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { api, call } from '../../api/client';
import { errorMessage } from '../../ui/states';
import { fieldErrors } from './fieldErrors';
import { type DataRequest, formatDeadline } from './words';
import { Notice } from './Notice';

/** After a change: the case as the API answers it now, and the queue read again. */
export function useCaseUpdate(id: string) {
  const queries = useQueryClient();
  return async (r: DataRequest) => {
    queries.setQueryData(['requests', 'case', id], r);
    await queries.invalidateQueries({ queryKey: ['requests', 'queue'] });
    await queries.invalidateQueries({ queryKey: ['tasks', id] });
  };
}

/** A dialog asking for one text (how, why) and sending it; the text stays when the server refuses it. */
function TextDialog({
  title,
  intro,
  label,
  hint,
  submit,
  danger,
  errorPath,
  send,
  onClose,
}: {
  title: string;
  intro: ReactNode;
  label: string;
  hint: string;
  submit: string;
  danger?: boolean;
  errorPath: string;
  send: (text: string) => Promise<unknown>;
  onClose: () => void;
}) {
  const [text, setText] = useState('');
  const m = useMutation({ mutationFn: () => send(text.trim()), onSuccess: onClose });
  const errors = fieldErrors(m.error);
  const fieldError = errors[errorPath] ?? errors['/note'];
  return (
    <Modal opened onClose={onClose} title={title} size="lg" closeButtonProps={{ 'aria-label': 'Close' }}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          m.mutate();
        }}
      >
        <Stack gap="sm">
          <Text size="sm">{intro}</Text>
          <Textarea
            label={label}
            description={hint}
            required
            autosize
            minRows={3}
            maxLength={1000}
            value={text}
            onChange={(e) => setText(e.currentTarget.value)}
            error={fieldError}
            data-autofocus
          />
          {m.isError && !fieldError && (
            <Notice color="red" role="alert" title="Not done">
              {errorMessage(m.error)}
            </Notice>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" color={danger ? 'red' : undefined} loading={m.isPending} disabled={!text.trim()}>
              {submit}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

const NO_PERSONAL = 'Kept on the case for years, even after an erasure: do not write the person’s address or name.';

export function VerifyDialog({ r, onClose }: { r: DataRequest; onClose: () => void }) {
  const update = useCaseUpdate(r.id);
  return (
    <TextDialog
      title="Verify the requester’s identity"
      intro={
        'Nothing is released, changed or erased until the requester is verified. Say how you checked that the request comes from the ' +
        'person whose address it names (a signed letter, an ID shown at the desk, a call back to a known number).'
      }
      label="How the identity was checked"
      hint={NO_PERSONAL}
      submit="Mark as verified"
      errorPath="/note"
      onClose={onClose}
      send={async (note) =>
        update(
          (await call(api.PATCH('/api/v1/requests/{id}', { params: { path: { id: r.id } }, body: { status: 'verified', note } }))).data,
        )
      }
    />
  );
}

export function ExtendDialog({ r, onClose }: { r: DataRequest; onClose: () => void }) {
  const update = useCaseUpdate(r.id);
  return (
    <TextDialog
      title="Extend the deadline"
      intro={
        `Once per request, for a complex case or many requests at once: the deadline (now ${formatDeadline(r.deadline)}) moves ` +
        'to three months from receipt. Tell the requester about the extension and why.'
      }
      label="Why more time is needed"
      hint={NO_PERSONAL}
      submit="Extend the deadline"
      errorPath="/reason"
      onClose={onClose}
      send={async (reason) =>
        update((await call(api.POST('/api/v1/requests/{id}/extend', { params: { path: { id: r.id } }, body: { reason } }))).data)
      }
    />
  );
}

export function RefuseDialog({ r, onClose }: { r: DataRequest; onClose: () => void }) {
  const update = useCaseUpdate(r.id);
  return (
    <TextDialog
      title="Refuse the request"
      intro={
        'This closes the case for good, with its tasks. Refuse only with a reason the law allows (for example, manifestly unfounded ' +
        'or excessive, or the identity could not be confirmed), and tell the requester.'
      }
      label="Why the request is refused"
      hint={NO_PERSONAL}
      submit="Refuse and close"
      danger
      errorPath="/note"
      onClose={onClose}
      send={async (note) =>
        update(
          (await call(api.PATCH('/api/v1/requests/{id}', { params: { path: { id: r.id } }, body: { status: 'rejected', note } }))).data,
        )
      }
    />
  );
}
