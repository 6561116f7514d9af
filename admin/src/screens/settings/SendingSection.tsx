import { Button, Fieldset, Group, Modal, SimpleGrid, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import { ApiFailure } from '../../api/client';
import { Section } from './Section';
import { type SettingsPatch, type SettingsView, useSaveSettings } from './settings.api';

type Relay = NonNullable<SettingsView['smtp']>;

/**
 * The saved relay as a patch sends it, with another rate: the same host, port and user, so the
 * server keeps the stored password (it is never read back to be sent).
 */
function relayWithRate(r: Relay, maxPerSecond: number | null): NonNullable<SettingsPatch['smtp']> {
  return {
    host: r.host,
    port: r.port,
    secure: r.secure,
    ...(r.user !== undefined ? { user: r.user } : {}),
    from: r.from,
    ...(r.rejectUnauthorized !== undefined ? { rejectUnauthorized: r.rejectUnauthorized } : {}),
    maxPerSecond,
  };
}

/** The server's reason a key was refused (422 dkim_key_invalid), in its own words, as one sentence. */
function keyProblem(e: unknown): string | null {
  if (!(e instanceof ApiFailure) || e.code !== 'dkim_key_invalid') return null;
  const detail = (Array.isArray(e.details) ? (e.details[0] as { message?: string } | undefined)?.message : undefined) ?? '';
  const why = detail && detail !== 'required' ? `${e.message}: it ${detail}` : e.message;
  return `${why.charAt(0).toUpperCase()}${why.slice(1)}. Paste an unencrypted PEM RSA (2048 bits) or Ed25519 private key.`;
}

/**
 * How mail leaves: the relay's rate (part of the relay setting, sent with the relay as saved) and
 * DKIM signing. The private key is write-only: typed here, never filled from the server, which
 * answers only whether one is set and the DNS record made from its public half.
 */
export function SendingSection({ settings, canWrite }: { settings: SettingsView; canWrite: boolean }) {
  const relay = settings.smtp;
  const dkim = settings.dkim;
  const [rate, setRate] = useState(relay?.maxPerSecond != null ? String(relay.maxPerSecond) : '');
  const [domain, setDomain] = useState(dkim?.domain ?? '');
  const [selector, setSelector] = useState(dkim?.selector ?? '');
  const [key, setKey] = useState('');
  const [replacing, setReplacing] = useState(false);
  const [keyError, setKeyError] = useState<string | null>(null);
  const [askingRemove, setAskingRemove] = useState(false);
  const { save, pending, problem, saved, fieldError } = useSaveSettings();
  const keySet = !!dkim?.privateKeySet;
  // Another domain or selector is another DNS record: the server wants its key.
  const otherRecord = keySet && (domain.trim() !== dkim?.domain || selector.trim() !== dkim?.selector);
  const askKey = !keySet || replacing || otherRecord;

  const afterSave = (p: Promise<unknown>) =>
    p
      .then(() => {
        setKey('');
        setReplacing(false);
        setKeyError(null);
      })
      .catch((e: unknown) => setKeyError(keyProblem(e)));

  const onSave = () => {
    const patch: SettingsPatch = {};
    if (relay) {
      const n = rate.trim();
      // A number the API refuses by name rather than one guessed here.
      patch.smtp = relayWithRate(relay, n === '' ? null : /^\d+$/.test(n) ? Number(n) : -1);
    }
    const untouched = !dkim && !domain.trim() && !selector.trim() && !key.trim();
    patch.dkim = untouched
      ? null
      : { domain: domain.trim(), selector: selector.trim(), ...(askKey && key.trim() ? { privateKey: key } : {}) };
    return afterSave(save(patch));
  };

  const removeSigning = () =>
    afterSave(
      save({ dkim: null }).then(() => {
        setDomain('');
        setSelector('');
      }),
    ).finally(() => setAskingRemove(false));

  return (
    <Section
      id="settings-sending"
      title="Sending"
      description="How fast mail goes to the relay, and the DKIM signature that lets receivers check it comes from your domain."
      canWrite={canWrite}
      onSave={onSave}
      pending={pending}
      saved={saved}
      // A refused key is said beside the key, in the server's words; above, only that nothing was saved.
      problem={keyError ? { fields: {}, message: 'Nothing was saved: the private key cannot be used (see below).' } : problem}
      saveLabel="Save sending"
    >
      <TextInput
        label="Messages per second"
        type="number"
        inputMode="numeric"
        min={1}
        max={100000}
        placeholder="No limit"
        value={rate}
        onChange={(e) => setRate(e.currentTarget.value)}
        disabled={!canWrite || !relay}
        description={
          relay
            ? 'The most messages per second sent to the relay, one limit shared by all workers. Empty: no limit.'
            : 'Set up and save an SMTP relay first: the limit is the relay’s.'
        }
        error={fieldError('/smtp/maxPerSecond') && 'Enter a whole number of 1 or more, or leave it empty for no limit.'}
        style={{ maxWidth: 360 }}
      />
      <Fieldset legend="DKIM signing" variant="unstyled">
        <Stack gap="sm">
          <Text size="sm" c="dimmed">
            {dkim
              ? `Outgoing mail is signed for ${dkim.domain}.`
              : 'Off: mail is not signed. Fill in the domain, a selector and a private key to sign it.'}
          </Text>
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            <TextInput
              label="Signing domain"
              placeholder="example.com"
              value={domain}
              onChange={(e) => setDomain(e.currentTarget.value)}
              disabled={!canWrite}
              description="Usually the domain of your sender address."
              error={fieldError('/dkim/domain') && 'Enter a domain name, such as example.com.'}
            />
            <TextInput
              label="Selector"
              placeholder="assent2026"
              value={selector}
              onChange={(e) => setSelector(e.currentTarget.value)}
              disabled={!canWrite}
              description="Names the key in DNS; a new key usually gets a new selector."
              error={fieldError('/dkim/selector') && 'Enter letters, digits, dots, dashes or underscores, such as assent2026.'}
            />
          </SimpleGrid>
          {keySet && !askKey && (
            <Group gap="sm" wrap="wrap">
              <Text size="sm" fw={500}>
                A key is set.
              </Text>
              {canWrite && (
                <>
                  <Button variant="default" size="xs" onClick={() => setReplacing(true)}>
                    Replace key
                  </Button>
                  <Button variant="subtle" color="red" size="xs" onClick={() => setAskingRemove(true)}>
                    Remove signing
                  </Button>
                </>
              )}
            </Group>
          )}
          {askKey && canWrite && (
            <Stack gap={4}>
              <Textarea
                label="Private key"
                placeholder={'-----BEGIN PRIVATE KEY-----\n…\n-----END PRIVATE KEY-----'}
                value={key}
                onChange={(e) => {
                  setKey(e.currentTarget.value);
                  setKeyError(null);
                }}
                autosize
                minRows={4}
                maxRows={12}
                spellCheck={false}
                autoComplete="off"
                styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
                description={
                  otherRecord && !replacing
                    ? 'Another domain or selector is another DNS record: paste its private key (PEM, RSA or Ed25519). Never shown again.'
                    : 'PEM, RSA (2048 bits) or Ed25519, not encrypted. Never shown again once saved.'
                }
                error={keyError ?? fieldError('/dkim/privateKey')}
              />
              {replacing && (
                <Group>
                  <Button
                    variant="subtle"
                    size="xs"
                    onClick={() => {
                      setReplacing(false);
                      setKey('');
                      setKeyError(null);
                    }}
                  >
                    Keep the current key
                  </Button>
                </Group>
              )}
            </Stack>
          )}
          {!keySet && !canWrite && (
            <Text size="sm" c="dimmed">
              No key is set.
            </Text>
          )}
          {dkim?.dnsRecord && (
            <Stack gap={4}>
              <Text size="sm">
                Publish this TXT record at your DNS provider: receivers check the signatures against it. Some providers want a value longer
                than 255 characters split into quoted parts.
              </Text>
              <TextInput label="DNS record name" value={dkim.dnsRecord.name} readOnly />
              <Textarea
                label="TXT value"
                value={dkim.dnsRecord.value}
                readOnly
                autosize
                minRows={2}
                styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', wordBreak: 'break-all' } }}
              />
            </Stack>
          )}
        </Stack>
      </Fieldset>
      <Modal
        opened={askingRemove}
        onClose={() => setAskingRemove(false)}
        title="Remove DKIM signing?"
        centered
        closeButtonProps={{ 'aria-label': 'Close without changing' }}
        // Shown at once: a half-faded question is hard to read (and fails contrast while it fades in).
        transitionProps={{ duration: 0 }}
      >
        <Stack gap="sm">
          <Text size="sm">
            Mail is sent unsigned from now on, and the stored private key is deleted: to sign again, paste the key (or a new one) again.
            Receivers that expect a signature from {dkim?.domain} may treat unsigned mail as spam.
          </Text>
          <Group justify="flex-end" gap="sm" mt="sm">
            <Button variant="default" onClick={() => setAskingRemove(false)}>
              Keep signing
            </Button>
            <Button color="red.8" loading={pending} onClick={removeSigning}>
              Remove signing
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Section>
  );
}
