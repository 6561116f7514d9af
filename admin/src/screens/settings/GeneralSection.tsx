import { NativeSelect, SimpleGrid, Switch, TextInput } from '@mantine/core';
import { useMemo, useState } from 'react';
import { Section } from './Section';
import { type SettingsView, useSaveSettings } from './settings.api';

function timeZones(current: string): string[] {
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  // UTC is valid everywhere but not always listed; the saved zone is always offered.
  return [...new Set(['UTC', current, ...all])].sort((a, b) => (a === 'UTC' ? -1 : b === 'UTC' ? 1 : a.localeCompare(b)));
}

/** Public URL, sender, age of majority, time zone, suppression of erased addresses. */
export function GeneralSection({ settings, canWrite }: { settings: SettingsView; canWrite: boolean }) {
  const [publicBaseUrl, setPublicBaseUrl] = useState(settings.publicBaseUrl);
  const [mailFrom, setMailFrom] = useState(settings.mailFrom);
  const [majorityAge, setMajorityAge] = useState(String(settings.majorityAge));
  const [timeZone, setTimeZone] = useState(settings.timeZone);
  const [suppress, setSuppress] = useState(settings.suppressErasedAddresses);
  const zones = useMemo(() => timeZones(settings.timeZone), [settings.timeZone]);
  const { save, pending, problem, saved, fieldError } = useSaveSettings();
  const age = Number(majorityAge);
  return (
    <Section
      id="settings-general"
      title="Installation"
      description="Where people reach Assent, who its mail comes from, and the rules that depend on place and age."
      canWrite={canWrite}
      onSave={() =>
        save({
          publicBaseUrl: publicBaseUrl.trim(),
          mailFrom: mailFrom.trim(),
          majorityAge: Number.isInteger(age) && majorityAge.trim() !== '' ? age : -1,
          timeZone,
          suppressErasedAddresses: suppress,
        }).catch(() => undefined)
      }
      pending={pending}
      saved={saved}
      problem={problem}
      saveLabel="Save installation settings"
    >
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
        <TextInput
          label="Public URL"
          placeholder="https://assent.example.com"
          value={publicBaseUrl}
          onChange={(e) => setPublicBaseUrl(e.currentTarget.value)}
          disabled={!canWrite}
          required
          description="Links in emails and public pages start with it."
          error={
            fieldError('/publicBaseUrl') && 'Enter a full address starting with https:// (or http://), such as https://assent.example.com.'
          }
        />
        <TextInput
          label="Mail from"
          placeholder="Assent <no-reply@example.com>"
          value={mailFrom}
          onChange={(e) => setMailFrom(e.currentTarget.value)}
          disabled={!canWrite}
          required
          description="The sender when the SMTP relay names none, and in the outbox."
          error={fieldError('/mailFrom') && 'Enter a sender address, such as Assent <no-reply@example.com>.'}
        />
        <TextInput
          label="Age of majority"
          type="number"
          inputMode="numeric"
          min={13}
          max={21}
          value={majorityAge}
          onChange={(e) => setMajorityAge(e.currentTarget.value)}
          disabled={!canWrite}
          required
          description="Contacts younger than this (by birth date) are children: never profiled, and level 0 without guardian consent."
          error={fieldError('/majorityAge') && 'Enter an age from 13 to 21.'}
        />
        <NativeSelect
          label="Time zone"
          data={zones}
          value={timeZone}
          onChange={(e) => setTimeZone(e.currentTarget.value)}
          disabled={!canWrite}
          description="Request deadlines are dates in this zone."
          error={fieldError('/timeZone')}
        />
      </SimpleGrid>
      <Switch
        label="Refuse erased addresses"
        checked={suppress}
        onChange={(e) => setSuppress(e.currentTarget.checked)}
        disabled={!canWrite}
        description={
          'Keeps a keyed hash of each erased address, so that an import or a form cannot silently create the person again ' +
          '(an admin can lift it).'
        }
      />
    </Section>
  );
}
