import { Grid, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import { Section } from './Section';
import { type SettingsView, useSaveSettings } from './settings.api';

/** The six levels' names and descriptions (the numbers and their order are fixed). */
export function ConsentLevelsSection({ settings, canWrite }: { settings: SettingsView; canWrite: boolean }) {
  const [levels, setLevels] = useState(settings.consentLevels);
  const { save, pending, problem, saved, fieldError } = useSaveSettings();
  const set = (i: number, field: 'name' | 'description', value: string) =>
    setLevels((ls) => ls.map((l, j) => (j === i ? { ...l, [field]: value } : l)));
  return (
    <Section
      id="settings-levels"
      title="Consent levels"
      description={
        'Six levels, each including all below it. Their order is fixed; ' +
        "name and describe them in your organisation's words. Every " +
        'screen shows these names.'
      }
      canWrite={canWrite}
      onSave={() => save({ consentLevels: levels }).catch(() => undefined)}
      pending={pending}
      saved={saved}
      problem={problem}
      saveLabel="Save consent levels"
    >
      <Stack gap="md">
        {levels.map((l, i) => (
          <Grid key={l.level} gap="sm">
            <Grid.Col span={{ base: 12, sm: 4 }}>
              <TextInput
                label={`Level ${l.level} name`}
                value={l.name}
                onChange={(e) => set(i, 'name', e.currentTarget.value)}
                disabled={!canWrite}
                required
                maxLength={60}
                error={fieldError(`/consentLevels/${i}/name`) && 'Give the level a name (up to 60 characters).'}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 12, sm: 8 }}>
              <Textarea
                label={`Level ${l.level} description`}
                value={l.description}
                onChange={(e) => set(i, 'description', e.currentTarget.value)}
                disabled={!canWrite}
                autosize
                minRows={1}
                maxLength={500}
                error={fieldError(`/consentLevels/${i}/description`)}
              />
            </Grid.Col>
          </Grid>
        ))}
        <Text size="xs" c="dimmed">
          Level 0 allows nothing but answering what the person asks for; level 5 allows profiling, which children never get.
        </Text>
      </Stack>
    </Section>
  );
}
