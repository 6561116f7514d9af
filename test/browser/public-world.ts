// The public side's browser tests share this: a real `assent start` whose mail goes to a real SMTP
// sink, a landing form (one with double opt-in), a list, and helpers to reach the links the
// product mails (a double opt-in, a data request's verification, a campaign's subscription-center
// and unsubscribe links) as a person would: from the message.
import assert from 'node:assert/strict';
import { simpleParser } from 'mailparser';
import type { Page } from 'playwright-core';
import { type ScriptedSink, startScriptedSink } from '../helpers/smtp-script-sink.ts';
import { type ConsoleServer, startConsoleServer } from './harness.ts';

export interface PublicWorld {
  server: ConsoleServer;
  base: string;
  sink: ScriptedSink;
  listId: string;
  /** A landing form (email, first name, a consent choice of level 3 or 4, the list) without double opt-in. */
  formId: string;
  /** The same fields, with double opt-in. */
  doiFormId: string;
  /** A marketing message carrying the subscription-center and unsubscribe links. */
  messageId: string;
  /** A fresh address each call: pages that use a link up get their own person. */
  address(what: string): string;
  /** The text of the first mail to `to` holding a link matching `link`, waited for; the link. */
  link(to: string, link: RegExp): Promise<string>;
  /** A contact made through the API (no language: the browser's decides), at `level`, on the list. */
  contact(email: string, level: number): Promise<string>;
  /** POSTs JSON to a public endpoint as a script on another site would. */
  publicPost(path: string, body: unknown): Promise<Response>;
  stop(): Promise<void>;
}

export const NOTICE_3 = 'Our newsletter about new bread, once a month.';
export const NOTICE_4 = 'Our newsletter and offers from the bakery.';

export async function startPublicWorld(dialect: 'sqlite' | 'postgres' = 'sqlite'): Promise<PublicWorld> {
  const server = await startConsoleServer(dialect);
  const sink = await startScriptedSink();
  const base = server.base;
  const ok = async (r: Promise<{ status: number; body: any }>, status = 200) => {
    const res = await r;
    assert.equal(res.status, status, JSON.stringify(res.body));
    return res.body.data;
  };
  await ok(
    server.api('PATCH', '/api/v1/settings', {
      publicBaseUrl: base,
      smtp: sink.relay(),
      consentReceipts: true,
      organisation: {
        name: 'Bakery Sonne',
        postalAddress: 'Sonnenallee 1\n12045 Berlin',
        contactEmail: 'privacy@bakery.example',
        privacyNoticeUrl: 'https://bakery.example/privacy',
        dpo: null,
        supervisoryAuthority: null,
      },
    }),
  );
  const list = await ok(server.api('POST', '/api/v1/lists', { name: 'Bread news', description: 'New bread, once a month.' }), 201);
  const fields = [
    { name: 'email', label: 'Email', maps: 'email', required: true, type: 'email' },
    { name: 'first_name', label: 'First name', maps: 'firstName', maxLength: 40 },
    {
      name: 'consent',
      label: 'What may we send you?',
      maps: 'consentLevel',
      type: 'radio',
      levels: [
        { level: 3, notice: NOTICE_3 },
        { level: 4, notice: NOTICE_4 },
      ],
    },
    { name: 'topics', label: 'Lists', maps: 'lists', type: 'checkbox', listIds: [list.id] },
  ];
  const form = await ok(server.api('POST', '/api/v1/forms', { name: 'Bread news sign-up', fields }), 201);
  const doi = await ok(server.api('POST', '/api/v1/forms', { name: 'Bread news sign-up', doubleOptIn: true, fields }), 201);
  const message = await ok(
    server.api('POST', '/api/v1/messages', {
      name: 'Spring bread',
      purpose: 'marketing',
      listId: null,
      fromName: 'Bakery Sonne',
      fromEmail: 'news@bakery.example',
      subject: 'Spring bread is back',
      html:
        '<html><body><p>Our spring bread is back.</p><p><a href="{{ subscription_center_url }}">Your subscriptions</a> · ' +
        '<a href="{{ unsubscribe_url }}">Unsubscribe</a></p></body></html>',
    }),
    201,
  );
  let n = 0;
  const texts = async (to: string) =>
    Promise.all(
      sink
        .messages()
        .filter((m) => m.to === to.toLowerCase())
        .map(async (m) => {
          const p = await simpleParser(m.raw);
          return `${p.text ?? ''}\n${typeof p.html === 'string' ? p.html : ''}`;
        }),
    );
  return {
    server,
    base,
    sink,
    listId: list.id,
    formId: form.id,
    doiFormId: doi.id,
    messageId: message.id,
    address: (what) => `${what}-${++n}-${Date.now().toString(36)}@example.org`,
    link: async (to, link) => {
      const until = Date.now() + 30_000;
      for (;;) {
        for (const text of await texts(to)) {
          const m = link.exec(text.replace(/&amp;/g, '&'));
          if (m) return m[0];
        }
        assert.ok(Date.now() < until, `no mail to ${to} with a link like ${link} within 30 s`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    contact: async (email, level) => {
      const c = await ok(server.api('POST', '/api/v1/contacts', { email, firstName: 'Lena' }), 201);
      await ok(server.api('PUT', `/api/v1/contacts/${c.id}/consent`, { level, source: 'admin' }));
      await ok(server.api('PUT', `/api/v1/contacts/${c.id}/lists/${list.id}`, { source: 'admin' }));
      return c.id;
    },
    publicPost: (path, body) =>
      fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    stop: async () => {
      await server.stop();
      await sink.close();
    },
  };
}

/** A link of this installation, as the mail wrote it (`http://127.0.0.1:…/public/v1/…`). */
export const linkOf = (w: PublicWorld, path: string) => new RegExp(`${w.base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${path}[^\\s"<>\\])]*`);

/**
 * A plain HTML form's post, made by the browser as a navigation (so its answer is the page shown),
 * as a page with the form would: form-encoded, no script involved.
 */
export async function postForm(page: Page, url: string, fields: [string, string][]): Promise<void> {
  await page.route(url, (route) =>
    route.continue({
      method: 'POST',
      postData: new URLSearchParams(fields).toString(),
      headers: { ...route.request().headers(), 'content-type': 'application/x-www-form-urlencoded' },
    }),
  );
  try {
    await page.goto(url);
  } finally {
    await page.unroute(url);
  }
}
