import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { ConfirmDelete } from '../../ui/ConfirmDelete';
import { MODAL_PROPS } from '../../ui/contrast';
import { type Journey, type JourneyState, journeysApi, type StateChange } from './types';

type Change = { to: StateChange; label: string; question?: string; explain?: string; color?: string };

const CHANGES: Record<JourneyState, Change[]> = {
  draft: [
    {
      to: 'live',
      label: 'Go live',
      question: 'Go live?',
      explain:
        'Contacts start entering as the start tile says, each only at or above the required consent. While it is live, tiles holding ' +
        'contacts can be changed but not taken away.',
    },
  ],
  live: [
    { to: 'paused', label: 'Pause' },
    {
      to: 'stopped',
      label: 'Stop',
      question: 'Stop this journey for good?',
      explain: 'Everyone still in it leaves now (counted as “the journey was stopped”), and nobody enters again. It cannot be restarted.',
      color: 'red',
    },
  ],
  paused: [
    { to: 'live', label: 'Resume' },
    {
      to: 'stopped',
      label: 'Stop',
      question: 'Stop this journey for good?',
      explain: 'Everyone still in it leaves now (counted as “the journey was stopped”), and nobody enters again. It cannot be restarted.',
      color: 'red',
    },
  ],
  stopped: [],
};

/** Go live, pause, resume, stop (asked first: it cannot be undone). Unsaved changes go with the change of state. */
export function StateActions({
  journey,
  dirty,
  pending,
  onChange,
}: {
  journey: Journey;
  dirty: boolean;
  pending: boolean;
  onChange: (to: StateChange) => void;
}) {
  const [asking, setAsking] = useState<Change | null>(null);
  const changes = CHANGES[journey.state] ?? [];
  return (
    <>
      {changes.map((c) => (
        <Button
          key={c.to}
          variant={c.color ? 'outline' : c.to === 'live' ? 'filled' : 'default'}
          color={c.color}
          loading={pending && !asking}
          onClick={() => (c.question ? setAsking(c) : onChange(c.to))}
        >
          {c.label}
        </Button>
      ))}
      <Modal opened={asking !== null} onClose={() => setAsking(null)} title={asking?.question ?? ''} {...MODAL_PROPS}>
        {asking && (
          <Stack gap="sm">
            <Text size="sm">{asking.explain}</Text>
            {dirty && <Text size="sm">Your unsaved changes are saved with it.</Text>}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setAsking(null)}>
                Keep it as it is
              </Button>
              <Button
                color={asking.color}
                onClick={() => {
                  onChange(asking.to);
                  setAsking(null);
                }}
              >
                {asking.label}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </>
  );
}

/** Deleting a draft or a stopped journey, asked first; its counts go with it. */
export function DeleteJourney({ journey }: { journey: Journey }) {
  return (
    <ConfirmDelete
      name={journey.name}
      label="Delete"
      confirm="Delete journey"
      remove={() => journeysApi.remove(journey.id)}
      itemKey={['journey', journey.id]}
      listKey={['journeys']}
      listPath="/journeys"
    >
      The journey, its paths and its counts are deleted. Messages, lists and segments it uses stay.
    </ConfirmDelete>
  );
}
