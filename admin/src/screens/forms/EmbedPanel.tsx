import { Button, Code, CopyButton, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { ErrorState, Loading } from '../../ui/states';
import { type Form, formsApi } from './forms.api';

/** The code that puts a saved form on another website: a plain HTML form, or an iframe of Assent's page. */
export function EmbedPanel({ form }: { form: Form }) {
  const embed = useQuery({ queryKey: ['form-embed', form.id], queryFn: () => formsApi.embed(form.id), retry: false });
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="embed-title">
      <Stack gap="sm">
        <Title order={2} size="h3" id="embed-title">
          Put it on your website
        </Title>
        <Text size="sm">
          Copy one of these into a page of your site. The site’s origin (such as https://shop.example) must be in the form’s allowed
          origins: otherwise browsers refuse to show the iframe, and Assent refuses what the page sends.
          {form.allowedOrigins.length === 0 && ' This form allows no other site yet: only Assent’s own pages can show it.'}
        </Text>
        {embed.isPending ? (
          <Loading label="Loading the embed code" />
        ) : embed.isError ? (
          <ErrorState error={embed.error} retry={() => embed.refetch()} title="Could not load the embed code" />
        ) : embed.data === null ? (
          <Text size="sm" c="dimmed">
            This server does not give embed code yet.
          </Text>
        ) : (
          <>
            <Snippet
              title="HTML form"
              help={
                'A plain form that works without JavaScript and takes your site’s styles. It sends to Assent and shows Assent’s ' +
                'thank-you page.'
              }
              code={embed.data.html}
            />
            <Snippet
              title="Iframe"
              help="Assent’s page showing only the form, inside a frame on your page. It looks the same everywhere."
              code={embed.data.iframe}
            />
          </>
        )}
      </Stack>
    </Paper>
  );
}

function Snippet({ title, help, code }: { title: string; help: string; code: string }) {
  const id = `embed-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <Stack gap={4} component="section" aria-labelledby={id}>
      <Group justify="space-between" gap="xs">
        <Title order={3} size="h5" id={id}>
          {title}
        </Title>
        <CopyButton value={code}>
          {({ copied, copy }) => (
            <Button size="xs" variant={copied ? 'filled' : 'default'} onClick={copy} aria-label={`Copy the ${title.toLowerCase()} code`}>
              {copied ? 'Copied' : 'Copy'}
            </Button>
          )}
        </CopyButton>
      </Group>
      <Text size="xs" c="dimmed">
        {help}
      </Text>
      <Code
        block
        tabIndex={0}
        role="region"
        aria-label={`${title} code`}
        style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', maxHeight: 260, overflowY: 'auto' }}
      >
        {code}
      </Code>
    </Stack>
  );
}
