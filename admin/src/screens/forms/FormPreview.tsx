import { Button, Checkbox, NativeSelect, Paper, Radio, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import type { FormEvent } from 'react';
import type { DraftField } from './draft';

const stop = (e: FormEvent) => e.preventDefault();

/**
 * The form as a person would see it, drawn from the builder's working copy as it changes: labels,
 * inputs, the consent levels offered by name with their notices, the lists by name. Text only:
 * whatever is typed into a label shows as typed. Nothing here is sent anywhere.
 */
export function FormPreview({
  name,
  fields,
  levelName,
  listName,
}: {
  name: string;
  fields: readonly DraftField[];
  levelName: (level: number) => string;
  listName: (id: string) => string;
}) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="form-preview-title">
      <Title order={2} size="h4" id="form-preview-title">
        Preview
      </Title>
      <Text size="xs" c="dimmed" mb="sm">
        What a person sees, as you build it. On your site it takes your site’s fonts and colours.
      </Text>
      <Paper p="md" radius="sm" bg="var(--mantine-color-body)" withBorder>
        <form onSubmit={stop} aria-label={`Preview of ${name.trim() || 'the form'}`} noValidate>
          <Stack gap="sm">
            {fields.map((f) => (
              <PreviewField key={f.key} f={f} levelName={levelName} listName={listName} />
            ))}
            <div>
              <Button type="submit" variant="filled">
                Send
              </Button>
            </div>
          </Stack>
        </form>
      </Paper>
    </Paper>
  );
}

function PreviewField({ f, levelName, listName }: { f: DraftField; levelName: (l: number) => string; listName: (id: string) => string }) {
  const label = f.label.trim() === '' ? '(no label yet)' : f.label;
  const common = { label, required: !!f.required, withAsterisk: !!f.required };
  if (f.maps === 'consentLevel' && f.type === 'select')
    return (
      <NativeSelect
        {...common}
        data={[{ value: '', label: '' }, ...(f.levels ?? []).map((l) => ({ value: String(l.level), label: levelName(l.level) }))]}
        description={(f.levels ?? []).map((l) => `${levelName(l.level)}: ${l.notice}`).join(' · ')}
      />
    );
  if (f.maps === 'consentLevel')
    return (
      <Radio.Group label={label} withAsterisk={!!f.required}>
        <Stack gap={6} mt={4}>
          {(f.levels ?? []).length === 0 && (
            <Text size="sm" c="dimmed">
              No level offered yet.
            </Text>
          )}
          {(f.levels ?? []).map((l) => (
            <Radio key={l.level} value={String(l.level)} label={levelName(l.level)} description={l.notice} />
          ))}
        </Stack>
      </Radio.Group>
    );
  if (f.maps === 'lists')
    return (
      <Checkbox.Group label={label} withAsterisk={!!f.required}>
        <Stack gap={6} mt={4}>
          {(f.listIds ?? []).length === 0 && (
            <Text size="sm" c="dimmed">
              No list offered yet.
            </Text>
          )}
          {(f.listIds ?? []).map((id) => (
            <Checkbox key={id} value={id} label={listName(id)} />
          ))}
        </Stack>
      </Checkbox.Group>
    );
  const choices = (f.choices ?? []).map((c) => c.trim()).filter(Boolean);
  switch (f.type) {
    case 'checkbox':
      return <Checkbox label={label} required={!!f.required} />;
    case 'textarea':
      return <Textarea {...common} autosize minRows={2} />;
    case 'select':
      return <NativeSelect {...common} data={['', ...choices]} />;
    case 'radio':
      return (
        <Radio.Group label={label} withAsterisk={!!f.required}>
          <Stack gap={6} mt={4}>
            {choices.map((c) => (
              <Radio key={c} value={c} label={c} />
            ))}
          </Stack>
        </Radio.Group>
      );
    default:
      return <TextInput {...common} type={f.type ?? 'text'} maxLength={f.maxLength} />;
  }
}
