import { Code, SimpleGrid, Switch, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { Section } from './Section';
import { type SettingsView, useSaveSettings } from './settings.api';

/** Addresses that mean "every address of this machine": a relay reaches it by the machine's own name. */
const ANY_ADDRESS = new Set(['0.0.0.0', '::', '[::]']);

/**
 * Where bounces and complaints come back: the SMTP endpoint (setting `bounceInbound`, read when
 * the server starts), or the API for a mail system that posts them itself.
 */
export function BounceReportsSection({ settings, canWrite }: { settings: SettingsView; canWrite: boolean }) {
  const current = settings.bounceInbound;
  const [on, setOn] = useState(current !== null);
  const [host, setHost] = useState(current?.host ?? '127.0.0.1');
  const [port, setPort] = useState(String(current?.port ?? 2525));
  const { save, pending, problem, saved, fieldError } = useSaveSettings();
  const onSave = () => {
    const p = port.trim();
    return save({
      bounceInbound: on ? { host: host.trim(), port: /^\d+$/.test(p) ? Number(p) : -1 } : null,
    }).catch(() => undefined);
  };
  return (
    <Section
      id="settings-bounces"
      title="Bounce and complaint reports"
      description={
        <>
          What comes back for sent mail: a hard bounce stops mail to the address, a complaint lowers the person’s consent below marketing.
          Instead of this endpoint, a mail system can post each report to <Code>POST /api/v1/bounces</Code> with an API key.
        </>
      }
      canWrite={canWrite}
      onSave={onSave}
      pending={pending}
      saved={saved}
      problem={problem}
      saveLabel="Save report settings"
    >
      <Switch
        label="Receive reports by SMTP"
        checked={on}
        onChange={(e) => setOn(e.currentTarget.checked)}
        disabled={!canWrite}
        description="An SMTP endpoint without login or TLS: put it behind the mail server that receives your bounces."
      />
      {on && (
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <TextInput
            label="Listen on address"
            placeholder="127.0.0.1"
            value={host}
            onChange={(e) => setHost(e.currentTarget.value)}
            disabled={!canWrite}
            description="127.0.0.1 when a mail server on this machine forwards the reports; 0.0.0.0 for every address."
            error={fieldError('/bounceInbound/host') && 'Enter an address to listen on, such as 127.0.0.1.'}
          />
          <TextInput
            label="Listen on port"
            type="number"
            inputMode="numeric"
            min={1}
            max={65535}
            value={port}
            onChange={(e) => setPort(e.currentTarget.value)}
            disabled={!canWrite}
            description="A free port of this server, such as 2525 (below 1024 needs extra rights)."
            error={fieldError('/bounceInbound/port') && 'Enter a port from 1 to 65535, such as 2525.'}
          />
        </SimpleGrid>
      )}
      {current && (
        <Text size="sm" role="note">
          Saved: have the mail server that receives bounces and complaints for your sender address hand them to{' '}
          <Code>{ANY_ADDRESS.has(current.host) ? `this server, port ${current.port}` : `${current.host}:${current.port}`}</Code> by SMTP.
          Route mail to <Code>unsubscribe@</Code> your sending domain there too: people whose mail app unsubscribes by email leave that way.
          Assent opens the endpoint when it starts: restart it after a change.
        </Text>
      )}
      {!current && (
        <Text size="sm" c="dimmed">
          Off: reports reach Assent only through the API. Assent opens the endpoint when it starts: restart it after turning it on.
        </Text>
      )}
    </Section>
  );
}
