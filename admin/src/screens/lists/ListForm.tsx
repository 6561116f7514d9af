import { Alert, Button, Group, Modal, Stack, Textarea, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiFailure, api, call } from '../../api/client';
import { MODAL_PROPS } from '../../ui/contrast';
import { errorMessage } from '../../ui/states';

export interface ListRow {
  id: string;
  name: string;
  description: string | null;
  members: number;
  createdAt: string;
}

/**
 * Create a list, or rename one (name and description) when `list` is given. A refusal keeps what
 * was typed and says what to change; a name in use is said at the name.
 */
export function ListForm({
  list,
  opened,
  onClose,
  onSaved,
}: {
  list?: ListRow;
  opened: boolean;
  onClose: () => void;
  onSaved: (l: ListRow) => void;
}) {
  const queries = useQueryClient();
  const [name, setName] = useState(list?.name ?? '');
  const [description, setDescription] = useState(list?.description ?? '');
  const save = useMutation({
    mutationFn: async () => {
      const body = { name: name.trim(), description: description.trim() || null };
      const answer = list
        ? await call(api.PATCH('/api/v1/lists/{listId}', { params: { path: { listId: list.id } }, body }))
        : await call(api.POST('/api/v1/lists', { body }));
      return answer.data as ListRow;
    },
    onSuccess: (l) => {
      void queries.invalidateQueries({ queryKey: ['lists'] });
      void queries.invalidateQueries({ queryKey: ['list', l.id] });
      onSaved(l);
    },
  });
  const taken = save.error instanceof ApiFailure && save.error.code === 'list_exists';
  const nameError = taken ? 'Another list has this name: choose another.' : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim()) save.mutate();
  };
  return (
    <Modal {...MODAL_PROPS} opened={opened} onClose={onClose} title={list ? 'Rename the list' : 'New list'}>
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <TextInput
            label="Name"
            description="What people see when they subscribe or unsubscribe."
            required
            maxLength={200}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={nameError}
            data-autofocus
          />
          <Textarea
            label="Description"
            description="Optional: what the list is for, how often it is sent."
            maxLength={2000}
            autosize
            minRows={2}
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
          />
          {save.isError && !taken && (
            <Alert color="red" role="alert" title="The list was not saved">
              {errorMessage(save.error)}
            </Alert>
          )}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending} disabled={!name.trim()}>
              {list ? 'Save' : 'Create list'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
