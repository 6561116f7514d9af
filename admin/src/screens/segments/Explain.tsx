import { Badge, Box, Button, Group, List, Paper, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useEffect, useRef } from 'react';
import { api, call } from '../../api/client';
import { ErrorState, Loading } from '../../ui/states';
import { fromJson, type TreeNode, truth } from './filterTree';
import type { Picked } from './Members';
import type { Vocabulary } from './vocabulary';
import { conditionWords } from './words';

function Verdict({ value }: { value: boolean | undefined }) {
  if (value === undefined)
    return (
      <Badge color="gray" tt="none">
        unknown
      </Badge>
    );
  return value ? (
    <Badge color="teal.9" tt="none">
      true: holds
    </Badge>
  ) : (
    <Badge color="red.9" tt="none">
      false: does not hold
    </Badge>
  );
}

function ExplainNode({ node, values, vocab }: { node: TreeNode; values: Map<string, boolean | undefined>; vocab: Vocabulary }) {
  const kids = node.kind === 'and' || node.kind === 'or' ? node.children : node.kind === 'not' ? [node.child] : [];
  return (
    <List.Item>
      <Group gap="xs" wrap="wrap">
        <Verdict value={values.get(node.key)} />
        <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
          {conditionWords(node, vocab)}
        </Text>
      </Group>
      {kids.length > 0 && (
        <List
          listStyleType="none"
          spacing={4}
          mt={4}
          style={{ paddingInlineStart: 14, marginInlineStart: 10, borderInlineStart: '2px solid var(--mantine-color-default-border)' }}
        >
          {kids.map((c) => (
            <ExplainNode key={c.key} node={c} values={values} vocab={vocab} />
          ))}
        </List>
      )}
    </List.Item>
  );
}

/** "Why is this contact in it": the saved filter as a tree, each condition and group marked true or false for the contact. */
export function Explain({
  segment,
  contact,
  vocab,
  onClose,
}: {
  segment: { id: string; kind: string; filter: unknown };
  contact: Picked;
  vocab: Vocabulary;
  onClose: () => void;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  const answer = useQuery({
    queryKey: ['segment-explain', segment.id, contact.id],
    queryFn: async () =>
      (await call(api.GET('/api/v1/segments/{id}/explain', { params: { path: { id: segment.id }, query: { contact: contact.id } } }))).data,
    retry: false,
  });
  // Keyboard and screen reader users land on the answer they asked for (the parent keys this by contact).
  useEffect(() => heading.current?.focus(), []);
  let body: ReactNode;
  if (answer.isPending) body = <Loading label="Explaining" />;
  else if (answer.isError) body = <ErrorState error={answer.error} retry={() => void answer.refetch()} title="Could not explain" />;
  else {
    const tree = fromJson(segment.filter);
    const byPath = new Map(answer.data.conditions.map((c) => [c.path, c.value]));
    const values = truth(tree, (p) => byPath.get(p));
    body = (
      <Stack gap="sm">
        <Text fw={600}>
          {answer.data.member ? 'This contact is in the segment.' : 'This contact is not in the segment.'}
          {segment.kind === 'static' && ' (Membership is the last snapshot’s; the conditions are evaluated now.)'}
        </Text>
        <List listStyleType="none" spacing={4} aria-label="Conditions for this contact">
          <ExplainNode node={tree} values={values} vocab={vocab} />
        </List>
      </Stack>
    );
  }
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="why-title">
      <Group justify="space-between" align="flex-start" mb="sm">
        <Title order={2} size="h3" id="why-title" ref={heading} tabIndex={-1} style={{ overflowWrap: 'anywhere' }}>
          Why {contact.email} is{answer.data && !answer.data.member ? ' not' : ''} in it
        </Title>
        <Button size="xs" variant="default" onClick={onClose}>
          Close explanation
        </Button>
      </Group>
      <Box>{body}</Box>
    </Paper>
  );
}
