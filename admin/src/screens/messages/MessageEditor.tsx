import {
  Alert,
  Anchor,
  Button,
  Grid,
  Group,
  NativeSelect,
  Paper,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Tabs,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { type BlockDocument, emptyDocument, renderBlocks } from '../../../../src/modules/email/blocks.render.ts';
import { ApiFailure } from '../../api/client';
import { useConsentLevels, useLevelName } from '../../api/consent';
import { useRights } from '../../api/session';
import { emailApi, type Message, type MessageInput, useListsAndSegments } from '../../ui/email/api';
import { EMAIL_AREA } from '../../ui/email/area';
import { purposeWords } from '../../ui/email/words';
import { formatDateTime } from '../../ui/format';
import { Notice } from '../../ui/Notice';
import { Page } from '../../ui/Page';
import { ErrorState, errorMessage, Loading } from '../../ui/states';
import { BlockEditor } from './BlockEditor';
import { PreviewPanel } from './PreviewPanel';
import { useInsertable, useVariableTarget, VariablePicker, VariableScope } from './Variables';

/** A saved message, loaded, then edited. */
export function ExistingMessage() {
  const { id } = useParams();
  const message = useQuery({ queryKey: ['message', id], queryFn: () => emailApi.message(id!) });
  if (message.isPending) return <Loading label="Loading the message" />;
  if (message.isError)
    return (
      <Page title="Message">
        <ErrorState error={message.error} retry={() => message.refetch()} title="Could not load this message" />
        <Anchor component={Link} to="/messages">
          Back to the messages
        </Anchor>
      </Page>
    );
  return <MessageEditor key={message.data.id} saved={message.data} />;
}

type TemplateProblem = { path?: string; line?: number; column?: number; message?: string };
const problemsOf = (details: unknown): TemplateProblem[] =>
  (Array.isArray(details) ? details : details && typeof details === 'object' ? [details] : []) as TemplateProblem[];
const PART: Record<string, string> = { '/subject': 'the subject', '/html': 'the HTML', '/text': 'the plain-text version' };

/** New or saved: the message's fields, its content as blocks or as HTML and Liquid, and (once saved) preview and test. */
export function MessageEditor({ saved }: { saved?: Message }) {
  const navigate = useNavigate();
  const queries = useQueryClient();
  const { can } = useRights();
  const writable = can(EMAIL_AREA, 'write');
  const levels = useConsentLevels();
  const levelName = useLevelName();
  const { lists } = useListsAndSegments();
  const [name, setName] = useState(saved?.name ?? '');
  const [purpose, setPurpose] = useState(saved?.purpose ?? 'marketing');
  const [listId, setListId] = useState(saved?.listId ?? '');
  const [fromName, setFromName] = useState(saved?.fromName ?? '');
  const [fromEmail, setFromEmail] = useState(saved?.fromEmail ?? '');
  const [replyTo, setReplyTo] = useState(saved?.replyTo ?? '');
  const [subject, setSubject] = useState(saved?.subject ?? '');
  // Blocks when the message is designed with the block editor (its HTML is then made from them),
  // null when its HTML is written by hand.
  const [doc, setDoc] = useState<BlockDocument | null>(saved ? saved.blocks : emptyDocument());
  const [html, setHtml] = useState(saved?.html ?? '');
  const [text, setText] = useState(saved?.text ?? '');
  const [tab, setTab] = useState<string | null>(doc ? 'blocks' : 'html');
  const [dirty, setDirty] = useState(false);
  const [missing, setMissing] = useState<string | null>(null);
  const [caret, setCaret] = useState<[number, number] | null>(null);
  const htmlRef = useRef<HTMLTextAreaElement>(null);
  const effectiveHtml = useMemo(() => (doc ? renderBlocks(doc) : html), [doc, html]);

  const touch =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setDirty(true);
    };
  const changeDoc = (f: (d: BlockDocument) => BlockDocument) => {
    setDoc((d) => (d ? f(d) : d));
    setDirty(true);
  };
  const variables = useVariableTarget();
  const subjectInsert = useInsertable(touch(setSubject), variables);
  const htmlInsert = useInsertable(touch(setHtml), variables);
  const textInsert = useInsertable(touch(setText), variables);

  const purposes = Object.entries(levels.data?.purposes ?? { marketing: 4 }).filter(([p]) => p !== 'requested');
  const input = (): MessageInput => ({
    name: name.trim(),
    purpose,
    listId: listId || null,
    fromName: fromName.trim() || null,
    fromEmail: fromEmail.trim() || null,
    replyTo: replyTo.trim() || null,
    subject,
    html: effectiveHtml,
    text: text.trim() === '' ? null : text,
    blocks: doc,
  });
  const save = useMutation({
    mutationFn: () => (saved ? emailApi.update(saved.id, input()) : emailApi.create(input())),
    onSuccess: async (m) => {
      setDirty(false);
      queries.setQueryData(['message', m.id], m);
      await queries.invalidateQueries({ queryKey: ['messages'] });
      if (!saved) navigate(`/messages/${m.id}`, { replace: true });
    },
  });
  const failure = save.error instanceof ApiFailure ? save.error : null;
  const fieldError = (path: string) =>
    failure?.code === 'validation_failed' ? (problemsOf(failure.details).find((d) => d.path === path)?.message ?? null) : null;
  const templateProblems = failure?.code === 'template_invalid' ? problemsOf(failure.details) : [];

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim() === '' || subject.trim() === '') {
      setMissing(name.trim() === '' ? 'name' : 'subject');
      return;
    }
    setMissing(null);
    save.mutate();
  };
  /** Selects the line a template error names, in the HTML editor when the HTML is hand-written. */
  const showLine = (line: number) => {
    setTab('html');
    requestAnimationFrame(() => {
      const el = htmlRef.current;
      if (!el) return;
      const lines = el.value.split('\n');
      const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
      el.focus();
      el.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
    });
  };

  return (
    <VariableScope target={variables}>
      <Page
        title={saved ? saved.name : 'New message'}
        description={
          saved ? `Last saved ${formatDateTime(saved.updatedAt)}` : 'An email: who it is for (its purpose), what it says, and how it looks.'
        }
        actions={<VariablePicker />}
      >
        <Anchor component={Link} to="/messages" size="sm">
          ← All messages
        </Anchor>
        <form onSubmit={submit} noValidate aria-label="Message">
          <Stack gap="md">
            <Paper withBorder p="md" radius="md">
              <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="sm">
                <TextInput
                  label="Name"
                  description="For you and your team; recipients do not see it"
                  required
                  value={name}
                  onChange={(e) => touch(setName)(e.currentTarget.value)}
                  error={missing === 'name' ? 'Give the message a name' : fieldError('/name')}
                  readOnly={!writable}
                />
                <NativeSelect
                  label="Purpose"
                  description="The consent a recipient needs: the gate asks for it at sending"
                  value={purpose}
                  data={purposes.map(([p, level]) => ({ value: p, label: `${purposeWords(p)} (needs ${levelName(level)})` }))}
                  onChange={(e) => touch(setPurpose)(e.currentTarget.value)}
                  error={fieldError('/purpose')}
                  disabled={!writable}
                />
                <NativeSelect
                  label="Newsletter of list (optional)"
                  description="Unsubscribing then leaves this list only"
                  value={listId}
                  data={[{ value: '', label: 'No list' }, ...(lists.data ?? []).map((l) => ({ value: l.id, label: l.name }))]}
                  onChange={(e) => touch(setListId)(e.currentTarget.value)}
                  error={fieldError('/listId')}
                  disabled={!writable}
                />
                <TextInput
                  label="Sender name (optional)"
                  value={fromName}
                  onChange={(e) => touch(setFromName)(e.currentTarget.value)}
                  error={fieldError('/fromName')}
                  readOnly={!writable}
                />
                <TextInput
                  label="Sender address (optional)"
                  description="Else the installation’s"
                  type="email"
                  value={fromEmail}
                  onChange={(e) => touch(setFromEmail)(e.currentTarget.value)}
                  error={fieldError('/fromEmail')}
                  readOnly={!writable}
                />
                <TextInput
                  label="Reply-to address (optional)"
                  type="email"
                  value={replyTo}
                  onChange={(e) => touch(setReplyTo)(e.currentTarget.value)}
                  error={fieldError('/replyTo')}
                  readOnly={!writable}
                />
              </SimpleGrid>
              <TextInput
                mt="sm"
                label="Subject"
                required
                value={subject}
                onChange={(e) => touch(setSubject)(e.currentTarget.value)}
                error={missing === 'subject' ? 'Write the subject' : fieldError('/subject')}
                readOnly={!writable}
                {...subjectInsert}
              />
            </Paper>

            <Grid gap="md">
              <Grid.Col span={{ base: 12, lg: 7 }}>
                <Paper withBorder p="md" radius="md">
                  <Tabs value={tab} onChange={setTab} keepMounted={false}>
                    <Tabs.List mb="sm">
                      <Tabs.Tab value="blocks">Blocks</Tabs.Tab>
                      <Tabs.Tab value="html">HTML and Liquid</Tabs.Tab>
                      <Tabs.Tab value="text">Plain text</Tabs.Tab>
                    </Tabs.List>
                    <Tabs.Panel value="blocks">
                      {doc ? (
                        <BlockEditor doc={doc} change={changeDoc} />
                      ) : (
                        <Stack gap="xs" align="flex-start">
                          <Text size="sm">This message’s HTML is written by hand, so it has no blocks.</Text>
                          <Button
                            variant="default"
                            disabled={!writable}
                            onClick={() => {
                              setDoc(emptyDocument());
                              setDirty(true);
                            }}
                          >
                            Start again with blocks (replaces the HTML)
                          </Button>
                        </Stack>
                      )}
                    </Tabs.Panel>
                    <Tabs.Panel value="html">
                      <Stack gap="xs">
                        {doc && (
                          <Group justify="space-between" gap="xs">
                            <Text size="sm" c="dimmed" style={{ flex: '1 1 260px' }}>
                              Made from the blocks. Edit it by hand and the blocks no longer apply to this message.
                            </Text>
                            <Button
                              variant="default"
                              size="xs"
                              disabled={!writable}
                              onClick={() => {
                                setHtml(renderBlocks(doc));
                                setDoc(null);
                                setDirty(true);
                              }}
                            >
                              Edit the HTML by hand
                            </Button>
                          </Group>
                        )}
                        <Textarea
                          ref={htmlRef}
                          label="HTML and Liquid"
                          description="Liquid variables such as {{ contact.firstName }} are filled in for each recipient, escaped."
                          autosize
                          minRows={12}
                          maxRows={30}
                          value={effectiveHtml}
                          readOnly={!!doc || !writable}
                          onChange={(e) => touch(setHtml)(e.currentTarget.value)}
                          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 13 } }}
                          spellCheck={false}
                          onSelect={(e) => setCaret(caretOf(e.currentTarget))}
                          {...htmlInsert}
                        />
                        <Text size="xs" c="dimmed">
                          {effectiveHtml.split('\n').length} lines{caret ? ` · caret at line ${caret[0]}, column ${caret[1]}` : ''}
                        </Text>
                      </Stack>
                    </Tabs.Panel>
                    <Tabs.Panel value="text">
                      <Textarea
                        label="Plain-text version (optional)"
                        description="Leave it empty and it is made from the HTML."
                        autosize
                        minRows={8}
                        value={text}
                        onChange={(e) => touch(setText)(e.currentTarget.value)}
                        readOnly={!writable}
                        {...textInsert}
                      />
                    </Tabs.Panel>
                  </Tabs>
                </Paper>
              </Grid.Col>
              <Grid.Col span={{ base: 12, lg: 5 }}>
                <DesignPreview html={effectiveHtml} />
              </Grid.Col>
            </Grid>

            {templateProblems.length > 0 && (
              <Alert color="red" role="alert" title="Not saved: the template has an error">
                <Stack gap={4} align="flex-start">
                  {templateProblems.map((p, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: the answer's order
                    <Group key={i} gap="xs">
                      <Text size="sm">
                        In {PART[p.path ?? ''] ?? 'the message'}
                        {p.line ? `, line ${p.line}` : ''}
                        {p.column ? `, column ${p.column}` : ''}: {p.message ?? failure?.message}
                      </Text>
                      {p.path === '/html' && p.line && !doc && (
                        <Button size="compact-xs" variant="default" onClick={() => showLine(p.line!)}>
                          Show line {p.line}
                        </Button>
                      )}
                    </Group>
                  ))}
                </Stack>
              </Alert>
            )}
            {failure?.code === 'missing_subscription_link' && (
              <Notice color="orange" role="alert" title="Not saved: the message needs a way to leave">
                A {purposeWords(purpose).toLowerCase()} message must let each recipient unsubscribe in one click. Add the unsubscribe link
                or the subscription centre link: in a text block type [unsubscribe]({'{{ unsubscribe_url }}'}), or use “Insert a variable” →
                Links{text.trim() ? ', in the HTML and in the plain-text version' : ''}.
              </Notice>
            )}
            {save.isError && !['template_invalid', 'missing_subscription_link'].includes(failure?.code ?? '') && (
              <Alert color="red" role="alert" title="Not saved">
                {errorMessage(save.error)}
              </Alert>
            )}
            {writable && (
              <Group gap="sm">
                <Button type="submit" loading={save.isPending}>
                  {saved ? 'Save changes' : 'Save message'}
                </Button>
                {dirty && saved && (
                  <Text size="sm" c="dimmed" role="status">
                    Unsaved changes: preview and test use the saved message.
                  </Text>
                )}
                {save.isSuccess && !dirty && (
                  <Text size="sm" c="teal.8" role="status">
                    Saved.
                  </Text>
                )}
              </Group>
            )}
          </Stack>
        </form>
        {saved ? (
          <PreviewPanel message={saved} />
        ) : (
          <Text size="sm" c="dimmed">
            Save the message to preview it as one of your contacts and to send a test.
          </Text>
        )}
      </Page>
    </VariableScope>
  );
}

/** Where the caret is in a text: [line, column], both from 1, to find what a template error names. */
function caretOf(el: HTMLTextAreaElement): [number, number] {
  const lines = el.value.slice(0, el.selectionStart).split('\n');
  return [lines.length, lines[lines.length - 1]!.length + 1];
}

/** The design as it is being edited (variables not yet filled in), wide or as on a phone. */
function DesignPreview({ html }: { html: string }) {
  const [width, setWidth] = useState('wide');
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="design-preview-title">
      <Group justify="space-between" mb="xs" gap="xs">
        <Title order={2} size="h4" id="design-preview-title">
          Design preview
        </Title>
        <SegmentedControl
          size="xs"
          value={width}
          onChange={setWidth}
          data={[
            { value: 'wide', label: 'Wide' },
            { value: 'phone', label: 'Phone' },
          ]}
          aria-label="Preview width"
        />
      </Group>
      <div style={{ display: 'flex', justifyContent: 'center', overflowX: 'auto' }}>
        <iframe
          title="Design preview of the message"
          sandbox=""
          srcDoc={html}
          style={{
            width: width === 'wide' ? '100%' : 360,
            minWidth: 320,
            height: 560,
            border: '1px solid var(--mantine-color-default-border)',
            background: '#fff',
          }}
        />
      </div>
      <Text size="xs" c="dimmed" mt="xs">
        Variables show as written here; preview as a contact to see them filled in.
      </Text>
    </Paper>
  );
}
