import { Button, Menu } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext, useRef } from 'react';
import { api, call } from '../../api/client';

/**
 * The variable picker: it inserts `{{ … }}` at the caret of the last text field the user was in
 * (subject, a block's text, the HTML). Fields that take variables call `useInsertable`.
 */
type Target = { el: HTMLInputElement | HTMLTextAreaElement; set: (value: string) => void };
const Ctx = createContext<{ current: Target | null } | null>(null);

export type VariableTarget = { current: Target | null };
/** The scope's memory of the last field: made by the component that renders the scope (and may use it itself). */
export const useVariableTarget = (): VariableTarget => useRef<Target | null>(null);

export function VariableScope({ target, children }: { target: VariableTarget; children: ReactNode }) {
  return <Ctx.Provider value={target}>{children}</Ctx.Provider>;
}

/**
 * Props for a text field that takes variables: where the picker inserts when the user was last there.
 * `scope` for a field of the component that renders the scope itself (the context is not yet there).
 */
export function useInsertable(set: (value: string) => void, scope?: VariableTarget) {
  const context = useContext(Ctx);
  const target = scope ?? context;
  return {
    onFocus: (e: { currentTarget: HTMLInputElement | HTMLTextAreaElement }) => {
      if (target) target.current = { el: e.currentTarget, set };
    },
  };
}

const CONTACT_FIELDS: [string, string][] = [
  ['firstName', 'First name'],
  ['lastName', 'Last name'],
  ['email', 'Email'],
  ['company', 'Company'],
  ['country', 'Country'],
  ['language', 'Language'],
  ['phone', 'Phone'],
];
const LINKS: [string, string][] = [
  ['unsubscribe_url', 'Unsubscribe link'],
  ['subscription_center_url', 'Subscription centre link'],
  ['view_in_browser_url', 'View in the browser link'],
];

export function VariablePicker() {
  const target = useContext(Ctx);
  const fields = useQuery({
    queryKey: ['contact-fields'],
    queryFn: async () => (await call(api.GET('/api/v1/contact-fields'))).data,
    staleTime: 60_000,
  });
  const insert = (variable: string) => {
    const t = target?.current;
    const tag = `{{ ${variable} }}`;
    if (!t?.el.isConnected) return;
    const { el } = t;
    const start = el.selectionStart ?? el.value.length;
    const end = el.selectionEnd ?? start;
    t.set(el.value.slice(0, start) + tag + el.value.slice(end));
    // Back to the field, the caret after what was inserted, once React has written the value.
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(start + tag.length, start + tag.length);
    });
  };
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <Button variant="default" size="xs">
          Insert a variable
        </Button>
      </Menu.Target>
      <Menu.Dropdown mah={360} style={{ overflowY: 'auto' }}>
        <Menu.Label>The contact’s fields</Menu.Label>
        {CONTACT_FIELDS.map(([name, label]) => (
          <Menu.Item key={name} onClick={() => insert(`contact.${name}`)}>
            {label}
          </Menu.Item>
        ))}
        {(fields.data ?? []).map((f) => (
          <Menu.Item key={f.id} onClick={() => insert(`contact.${f.name}`)}>
            {f.label || f.name}
          </Menu.Item>
        ))}
        <Menu.Label>Links</Menu.Label>
        {LINKS.map(([name, label]) => (
          <Menu.Item key={name} onClick={() => insert(name)}>
            {label}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}
