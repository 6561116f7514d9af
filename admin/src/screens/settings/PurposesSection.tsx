import { Button, Group, NativeSelect, Stack, Table, Text, TextInput, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import { TableScroll } from '../../ui/TableScroll';
import { Section } from './Section';
import { type SettingsView, useSaveSettings } from './settings.api';

/** The purposes every installation has (PRODUCT.md §1): they stay, only their level can change. */
const BUILT_IN = ['requested', 'consent_request', 'transactional', 'subscription', 'marketing', 'profiling'];
const NAME = /^[a-z][a-z0-9_]{0,39}$/;

const words = (purpose: string) => purpose.replaceAll('_', ' ');

/** Each purpose's required consent level, by level name; an installation may add purposes of its own. */
export function PurposesSection({ settings, canWrite }: { settings: SettingsView; canWrite: boolean }) {
  const [purposes, setPurposes] = useState<[string, number][]>(Object.entries(settings.purposes));
  const [newName, setNewName] = useState('');
  const [newLevel, setNewLevel] = useState('4');
  const [newError, setNewError] = useState<string | null>(null);
  const { save, pending, problem, saved, fieldError } = useSaveSettings();
  const levelOptions = settings.consentLevels.map((l) => ({ value: String(l.level), label: `${l.name} (level ${l.level})` }));

  const add = () => {
    const name = newName
      .trim()
      .toLowerCase()
      .replaceAll(/[\s-]+/g, '_');
    if (!NAME.test(name))
      return setNewError('Use lower-case letters, digits and _ only, starting with a letter (up to 40), e.g. credit_decision.');
    if (purposes.some(([p]) => p === name)) return setNewError(`There is already a purpose "${name}".`);
    setPurposes((ps) => [...ps, [name, Number(newLevel)]]);
    setNewName('');
    setNewError(null);
  };

  return (
    <Section
      id="settings-purposes"
      title="Purposes"
      description={
        'Every processing purpose needs a consent level: the gate allows ' +
        'it only for contacts at that level or above. Add your own ' +
        'purposes with the level they need; the built-in ones stay.'
      }
      canWrite={canWrite}
      onSave={() => save({ purposes: Object.fromEntries(purposes) }).catch(() => undefined)}
      pending={pending}
      saved={saved}
      problem={problem}
      saveLabel="Save purposes"
    >
      <TableScroll label="Purposes and the level each needs" minWidth={420}>
        <Table verticalSpacing={6}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Purpose</Table.Th>
              <Table.Th scope="col">Needs at least</Table.Th>
              {canWrite && (
                // Positioned, so the hidden text's absolute box stays inside the scrolling table instead of widening the page at 390 px.
                <Table.Th scope="col" pos="relative">
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              )}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {purposes.map(([p, level], i) => (
              <Table.Tr key={p}>
                <Table.Th scope="row" fw={500}>
                  {words(p)}
                  {p === 'requested' && (
                    <Text size="xs" c="dimmed" fw={400}>
                      Only answers to the person's own action: always level 0.
                    </Text>
                  )}
                </Table.Th>
                <Table.Td>
                  <NativeSelect
                    aria-label={`Level needed for ${words(p)}`}
                    data={levelOptions}
                    value={String(level)}
                    disabled={!canWrite || p === 'requested'}
                    onChange={(e) => {
                      const v = Number(e.currentTarget.value);
                      setPurposes((ps) => ps.map((x, j) => (j === i ? [x[0], v] : x)));
                    }}
                    error={fieldError(`/purposes/${p}`)}
                  />
                </Table.Td>
                {canWrite && (
                  <Table.Td>
                    {!BUILT_IN.includes(p) && (
                      <Button
                        variant="default"
                        size="xs"
                        aria-label={`Remove the purpose ${words(p)}`}
                        onClick={() => setPurposes((ps) => ps.filter((x) => x[0] !== p))}
                      >
                        Remove
                      </Button>
                    )}
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </TableScroll>
      {canWrite && (
        <Stack gap={4}>
          <Group align="flex-start" gap="sm" wrap="wrap">
            <TextInput
              label="New purpose"
              placeholder="credit_decision"
              value={newName}
              onChange={(e) => setNewName(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  add();
                }
              }}
              error={newError}
              maxLength={40}
            />
            <NativeSelect
              label="Needs at least"
              data={levelOptions}
              value={newLevel}
              onChange={(e) => setNewLevel(e.currentTarget.value)}
            />
            <Button variant="default" mt={25} onClick={add}>
              Add purpose
            </Button>
          </Group>
          <Text size="xs" c="dimmed">
            An added purpose is saved with the others when you save the purposes.
          </Text>
        </Stack>
      )}
    </Section>
  );
}
