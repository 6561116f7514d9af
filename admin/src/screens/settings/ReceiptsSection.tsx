import { Switch } from '@mantine/core';
import { useState } from 'react';
import { Section } from './Section';
import { type SettingsView, useSaveSettings } from './settings.api';

/** Consent receipts: a mail to the person after each consent change they made themselves. */
export function ReceiptsSection({ settings, canWrite }: { settings: SettingsView; canWrite: boolean }) {
  const [on, setOn] = useState(settings.consentReceipts);
  const { save, pending, problem, saved } = useSaveSettings();
  return (
    <Section
      id="settings-receipts"
      title="Consent receipts"
      canWrite={canWrite}
      onSave={() => save({ consentReceipts: on }).catch(() => undefined)}
      pending={pending}
      saved={saved}
      problem={problem}
      saveLabel="Save consent receipts"
    >
      <Switch
        label="Send consent receipts"
        checked={on}
        onChange={(e) => setOn(e.currentTarget.checked)}
        disabled={!canWrite}
        description={
          'Right after a person changes their consent themselves (a form, a public page, the subscription center or an ' +
          'unsubscribe link), they get an email saying what changed, when, and the notice they were shown.'
        }
      />
    </Section>
  );
}
