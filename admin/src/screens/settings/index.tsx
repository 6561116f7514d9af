import { Alert, Stack } from '@mantine/core';
import type { CSSProperties } from 'react';
import { useRights } from '../../api/session';
import { Page } from '../../ui/Page';
import { ErrorState, Loading } from '../../ui/states';
import { ConsentLevelsSection } from './ConsentLevelsSection';
import { DataProtectionSection } from './DataProtectionSection';
import { EmailRulesSection } from './EmailRulesSection';
import { GeneralSection } from './GeneralSection';
import { PurposesSection } from './PurposesSection';
import { SmtpSection } from './SmtpSection';
import { SendingSection } from './SendingSection';
import { ReceiptsSection } from './ReceiptsSection';
import { BounceReportsSection } from './BounceReportsSection';
import { useSettings, READABLE_TITLE } from './settings.api';

/**
 * The installation's settings, each section saving on its own. A role that may read but not
 * change them (viewer, privacy officer) sees every value in disabled inputs and no save buttons.
 */
export default function Settings() {
  const { can } = useRights();
  const canWrite = can('settings', 'write');
  const settings = useSettings();
  return (
    <Page
      title="Settings"
      description="Data protection, consent levels and purposes, the mail relay and how mail is sent, and the installation."
    >
      {settings.isPending ? (
        <Loading label="Loading the settings" />
      ) : settings.isError ? (
        <ErrorState error={settings.error} retry={() => settings.refetch()} title="Could not load the settings" />
      ) : (
        // Mantine's error red (shade 6) is too light for text on white (WCAG AA): this screen's field errors use the
        // scheme-aware text shade. (The theme could do this for every screen.)
        <Stack gap="md" style={{ '--mantine-color-error': 'var(--mantine-color-red-text)' } as CSSProperties}>
          {!canWrite && (
            <Alert color="blue" styles={READABLE_TITLE} title="Read only">
              Your role may read the settings but not change them. Ask an administrator for a change.
            </Alert>
          )}
          <DataProtectionSection settings={settings.data} canWrite={canWrite} />
          <ConsentLevelsSection settings={settings.data} canWrite={canWrite} />
          <PurposesSection settings={settings.data} canWrite={canWrite} />
          <SmtpSection settings={settings.data} canWrite={canWrite} />
          <SendingSection settings={settings.data} canWrite={canWrite} />
          <EmailRulesSection settings={settings.data} canWrite={canWrite} />
          <ReceiptsSection settings={settings.data} canWrite={canWrite} />
          <BounceReportsSection settings={settings.data} canWrite={canWrite} />
          <GeneralSection settings={settings.data} canWrite={canWrite} />
        </Stack>
      )}
    </Page>
  );
}
