import { Alert, Button, Group, List, Modal, Stack, Switch, Text } from '@mantine/core';
import { useState } from 'react';
import { Section } from './Section';
import { type SettingsView, useSaveSettings, READABLE_TITLE } from './settings.api';

/** The data protection switch: each way it explains what changes and asks before it changes anything. */
export function DataProtectionSection({ settings, canWrite }: { settings: SettingsView; canWrite: boolean }) {
  const on = settings.dataProtectionEnabled;
  const [asking, setAsking] = useState(false);
  const { save, pending, problem } = useSaveSettings();
  const turnTo = !on;
  return (
    <Section
      id="settings-data-protection"
      title="Data protection"
      canWrite={canWrite}
      problem={problem}
      description="Whether consent levels decide what may be done with each contact. New installations start with it on."
    >
      <Switch
        label="Data protection tools"
        checked={on}
        disabled={!canWrite}
        onChange={() => setAsking(true)}
        size="md"
        description={
          on
            ? 'On: every send, tracking, scoring and segment export asks the consent gate.'
            : 'Off: consent levels are stored and shown but gate nothing (children are still never profiled).'
        }
      />
      {!on && (
        <Alert color="orange" styles={READABLE_TITLE} title="Data protection is off">
          Contacts are processed whatever their consent level. Turn it back on to let consent decide again.
        </Alert>
      )}
      <Modal
        opened={asking}
        onClose={() => setAsking(false)}
        title={turnTo ? 'Turn data protection on?' : 'Turn data protection off?'}
        centered
        closeButtonProps={{ 'aria-label': 'Close without changing' }}
        // Shown at once: a half-faded question is hard to read (and fails contrast while it fades in).
        transitionProps={{ duration: 0 }}
      >
        <Stack gap="sm">
          {turnTo ? (
            <>
              <Text size="sm">When it is on again:</Text>
              <List size="sm" spacing={4}>
                <List.Item>
                  Every purpose needs its consent level again: contacts below it are left out of sends, tracking, scoring and segment
                  exports from now on.
                </List.Item>
                <List.Item>Children without guardian consent count as level 0 again.</List.Item>
                <List.Item>Nothing stored changes: the levels people gave are used as they are.</List.Item>
              </List>
            </>
          ) : (
            <>
              <Text size="sm">While it is off:</Text>
              <List size="sm" spacing={4}>
                <List.Item>
                  Consent levels are still stored, shown and recorded in the ledger, but they gate nothing: every purpose is allowed for
                  every contact.
                </List.Item>
                <List.Item>Segments, exports and sends that ask the gate will include contacts they left out before.</List.Item>
                <List.Item>Children are still never profiled, scored or tracked: that is the law, not a setting.</List.Item>
              </List>
            </>
          )}
          <Group justify="flex-end" gap="sm" mt="sm">
            <Button variant="default" onClick={() => setAsking(false)}>
              {turnTo ? 'Cancel' : 'Keep it on'}
            </Button>
            <Button
              color={turnTo ? undefined : 'red.8'}
              loading={pending}
              onClick={async () => {
                // A refusal is shown in the section (problem); nothing else to do with it here.
                await save({ dataProtectionEnabled: turnTo }).catch(() => undefined);
                setAsking(false);
              }}
            >
              {turnTo ? 'Turn data protection on' : 'Turn data protection off'}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Section>
  );
}
