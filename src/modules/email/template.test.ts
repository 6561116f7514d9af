import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AppError } from '../../lib/errors.ts';
import { compile, RENDER_LIMIT_MS, render, SEND_RENDER_LIMIT_MS, type MessageTemplates, type TemplateContext } from './template.render.ts';
import { contactVars, sampleContact, type TemplateField, type TemplateVars } from './template.vars.ts';

const PURPOSES = { requested: 0, consent_request: 1, transactional: 2, subscription: 3, marketing: 4, profiling: 5, credit_decision: 5 };
const FIELDS: TemplateField[] = [
  { name: 'shoe_size', type: 'number' },
  { name: 'vip', type: 'boolean' },
  { name: 'company', type: 'text' }, // clashes with the built-in `company`
  { name: 'renewal', type: 'date' },
];
const CTX: TemplateContext = { purposes: PURPOSES, fields: FIELDS };

const msg = (m: Partial<MessageTemplates>): MessageTemplates => ({
  purpose: 'transactional',
  subject: 'Hello',
  html: '<p>Hello</p>',
  text: null,
  ...m,
});

const LINKS = {
  subscription_center_url: 'https://mail.example.com/public/v1/email/center?t=abc&x=1',
  unsubscribe_url: 'https://mail.example.com/public/v1/email/unsubscribe/tok',
  view_in_browser_url: 'https://mail.example.com/public/v1/email/view/tok',
  forward_url: 'https://mail.example.com/public/v1/forward/tok',
};

const varsFor = (c: Parameters<typeof contactVars>[0]): TemplateVars => ({ contact: contactVars(c, FIELDS), ...LINKS });
const ADA = varsFor({
  id: '0190d7a4-0000-7000-8000-000000000001',
  email: 'ada@example.com',
  firstName: 'Ada',
  lastName: 'Lovelace',
  company: 'Analytical Engines',
  customFields: { shoe_size: 38, vip: true, company: 'custom co', renewal: '2027-01-01' },
});

function rejects(f: () => unknown, code: string, details?: Record<string, unknown>): AppError {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof AppError, `expected AppError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (details) for (const [k, v] of Object.entries(details)) assert.deepEqual((caught.details as Record<string, unknown>)[k], v, k);
  return caught;
}

describe('template variables', () => {
  it('names the contact fields as the API does, custom fields both ways, built-ins winning a clash', () => {
    const c = compile(
      msg({
        subject: '{{ contact.firstName }} {{ contact.lastName }}',
        html:
          '<p>{{ contact.email }}|{{ contact.shoe_size }}|{{ contact.vip }}|{{ contact.company }}|{{ contact.customFields.company ' +
          '}}|{{ contact.renewal }}|{{ contact.phone }}</p>',
      }),
      CTX,
    );
    const r = render(c, ADA);
    assert.equal(r.subject, 'Ada Lovelace');
    assert.equal(r.html, '<p>ada@example.com|38|true|Analytical Engines|custom co|2027-01-01|</p>');
  });

  it('a custom field named like an Object property is just a field, empty when the contact has no value', () => {
    const fields: TemplateField[] = [
      { name: 'constructor', type: 'text' },
      { name: 'tostring', type: 'text' },
    ];
    const c = compile(msg({ html: '[{{ contact.constructor }}][{{ contact.customFields.constructor }}][{{ contact.tostring }}]' }), {
      purposes: PURPOSES,
      fields,
    });
    const vars = (customFields: Record<string, string>) => ({
      contact: contactVars({ id: 'x', email: 'a@example.com', customFields }, fields),
      ...LINKS,
    });
    assert.equal(render(c, vars({})).html, '[][][]');
    assert.equal(render(c, vars({ constructor: 'c', tostring: 't' })).html, '[c][c][t]');
  });

  it('answers an unknown variable with its part, line and column, even in a branch never taken', () => {
    rejects(() => compile(msg({ html: '<p>\n  Hi {{ contact.frist_name }}</p>' }), CTX), 'template_invalid', {
      path: '/html',
      line: 2,
      column: 9,
    });
    rejects(() => compile(msg({ html: '{% if false %}\n{{ contact.frist_name }}{% endif %}' }), CTX), 'template_invalid', {
      path: '/html',
      line: 2,
      column: 4,
    });
    rejects(() => compile(msg({ subject: 'Hi {{ first_name }}' }), CTX), 'template_invalid', { path: '/subject', line: 1, column: 7 });
    rejects(() => compile(msg({ text: 'x {{ contact.customFields.nope }}' }), CTX), 'template_invalid', { path: '/text' });
    rejects(() => compile(msg({ html: '{{ contact.constructor }}' }), CTX), 'template_invalid');
    // A dynamic lookup is found by the sample renders.
    rejects(() => compile(msg({ html: '{{ contact["fir" | append: "st"] }}' }), CTX), 'template_invalid', { path: '/html' });
  });

  it('answers syntax errors and unknown filters with the line and column', () => {
    const e = rejects(() => compile(msg({ html: 'a\nb\n  {% if %}' }), CTX), 'template_invalid', { path: '/html', line: 3, column: 8 });
    assert.doesNotMatch((e.details as { message: string }).message, /line:/);
    rejects(() => compile(msg({ html: '{{ contact.email | nofilter }}' }), CTX), 'template_invalid', { line: 1, column: 1 });
    rejects(() => compile(msg({ html: '{% for x in (1..3) %}' }), CTX), 'template_invalid', { path: '/html' });
  });

  it('accepts what an empty field makes of a template (null reads as empty)', () => {
    const c = compile(
      msg({ html: '{{ contact.firstName | default: "there" }}|{{ contact.firstName | size }}|{{ contact.firstName.size }}' }),
      CTX,
    );
    assert.equal(render(c, varsFor({ id: 'x', email: 'a@example.com' })).html, 'there|0|');
  });
});

describe('template safety', () => {
  const HOSTILE = [
    '{{ 7*7 }}',
    '{% raw %}',
    '{% include "/etc/passwd" %}',
    '<script>alert(1)</script>',
    '"><img src=x onerror=alert(1)>',
    '&amp;',
    '',
    'Zoë 東京 😀 \u202e',
    '\u0000\u001b',
  ];

  it('outputs a contact field holding Liquid or HTML as text (escaped in HTML, verbatim in text)', () => {
    const c = compile(
      msg({ subject: 'S {{ contact.firstName }}', html: '<p title="{{ contact.firstName }}">{{ contact.firstName }}</p>' }),
      CTX,
    );
    for (const v of HOSTILE) {
      const r = render(c, varsFor({ id: 'x', email: 'a@example.com', firstName: v }));
      const escaped = v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');
      assert.equal(r.html, `<p title="${escaped}">${escaped}</p>`);
      if (/^[^\s\u0000-\u001f]+( [^\s\u0000-\u001f]+)*$/.test(v)) assert.equal(r.text, v);
      assert.equal(r.subject, `S ${v}`.replace(/[\u0000\u001b]/g, '').trim());
      assert.ok(!r.html.includes('<script>') && !r.html.includes('<img'));
    }
  });

  it('property: any field value, Unicode, empty or null, renders as exactly that text', () => {
    const c = compile(msg({ html: '<b>{{ contact.lastName }}</b>', text: '[{{ contact.lastName }}][{{ contact.shoe_size }}]' }), CTX);
    fc.assert(
      fc.property(fc.option(fc.string({ unit: 'binary' }), { nil: null }), fc.option(fc.double(), { nil: null }), (name, size) => {
        const r = render(c, varsFor({ id: 'x', email: 'a@example.com', lastName: name, customFields: { shoe_size: size } }));
        const escaped = (name ?? '')
          .replace(/&/g, '&amp;')
          .replace(/</g, '&lt;')
          .replace(/>/g, '&gt;')
          .replace(/"/g, '&#34;')
          .replace(/'/g, '&#39;');
        assert.equal(r.html, `<b>${escaped}</b>`);
        assert.equal(r.text, `[${name ?? ''}][${size === null ? '' : String(size)}]`);
      }),
      { numRuns: 300 },
    );
  });

  it('has no raw filter: a template cannot turn escaping off', () => {
    rejects(() => compile(msg({ html: '{{ contact.firstName | raw }}' }), CTX), 'template_invalid', { path: '/html' });
  });

  it('cannot read files: include, render and layout refuse to parse', () => {
    for (const html of [
      "{% include '/etc/passwd' %}",
      "x\n{% render 'x' %}",
      "{% layout '/etc/hosts' %}",
      '{% liquid\ninclude "/etc/passwd" %}',
    ]) {
      const e = rejects(() => compile(msg({ html }), CTX), 'template_invalid', { path: '/html' });
      // Refused while parsing, before anything could look for a file.
      assert.match((e.details as { message: string }).message, /is not available/);
    }
  });

  it('cannot run past the limits: a huge loop answers template_invalid within the time limit', () => {
    for (const html of [
      '{% for i in (1..100000000) %}{{ i }}{% endfor %}',
      '{% for i in (1..100000) %}{% for j in (1..100000) %}x{% endfor %}{% endfor %}',
      '{% assign s = "x" %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}',
    ]) {
      const t0 = performance.now();
      rejects(() => compile(msg({ html }), CTX), 'template_invalid', { path: '/html' });
      // Two sample renders at most, each stopped at the limit (with slack for a loaded machine).
      assert.ok(performance.now() - t0 < RENDER_LIMIT_MS * 2 + 1000, `took ${performance.now() - t0} ms`);
    }
  });

  it('bounds a recipient’s render too: a loop over a long value stops at the send limit', () => {
    const loop =
      '{% assign cs = contact.lastName | split: "" %}' +
      '{% for a in cs %}{% for b in cs %}{% for c in cs %}x{% endfor %}{% endfor %}{% endfor %}';
    const c = compile(msg({ html: loop }), CTX);
    const t0 = performance.now();
    const e = rejects(() => render(c, varsFor({ id: 'x', email: 'a@example.com', lastName: 'Long'.repeat(500) })), 'template_invalid', {
      path: '/html',
    });
    assert.match((e.details as { message: string }).message, /limit exceeded/);
    assert.ok(performance.now() - t0 < SEND_RENDER_LIMIT_MS + 2000, `${performance.now() - t0} ms`);
  });

  it('keeps line breaks and control characters out of the subject, and does not escape it', () => {
    const c = compile(msg({ subject: '  Hi {{ contact.firstName }} & co\n' }), CTX);
    const r = render(c, varsFor({ id: 'x', email: 'a@example.com', firstName: 'A\r\nBcc: x@example.com\u0000<b>' }));
    assert.equal(r.subject, 'Hi A Bcc: x@example.com<b> & co');
  });

  it('a render failure names no contact value', () => {
    // The sample contacts never take the branch, so this compiles; the lookup by value then fails.
    const c = compile(msg({ html: '{% if contact.firstName contains "Secret" %}{{ contact[contact.firstName] }}{% endif %}' }), CTX);
    const e = rejects(() => render(c, varsFor({ id: 'x', email: 'a@example.com', firstName: 'Secret Value' })), 'template_invalid', {
      path: '/html',
      line: 1,
    });
    assert.doesNotMatch(JSON.stringify(e.details) + e.message, /Secret/);
  });
});

describe('message rules', () => {
  it('refuses purpose requested and unknown purposes', () => {
    rejects(() => compile(msg({ purpose: 'requested' }), CTX), 'validation_failed', {});
    const e = rejects(() => compile(msg({ purpose: 'nope' }), CTX), 'validation_failed');
    assert.deepEqual((e.details as { path: string }[])[0]?.path, '/purpose');
    rejects(() => compile(msg({ purpose: 'toString' }), CTX), 'validation_failed');
  });

  it('requires a leaving link in marketing, subscription and level >= 3 messages, in every part, for every recipient', () => {
    for (const purpose of ['marketing', 'subscription', 'credit_decision', 'profiling']) {
      rejects(() => compile(msg({ purpose, html: '<p>Buy</p>' }), CTX), 'missing_subscription_link', { path: '/html' });
      rejects(() => compile(msg({ purpose, html: '<p>{{ view_in_browser_url }}</p>' }), CTX), 'missing_subscription_link');
      compile(msg({ purpose, html: '<a href="{{ unsubscribe_url }}">Leave</a>' }), CTX);
      compile(msg({ purpose, html: '<a href="{{ subscription_center_url }}">Settings</a>' }), CTX);
      rejects(
        () => compile(msg({ purpose, html: '<a href="{{ unsubscribe_url }}">Leave</a>', text: 'Buy now' }), CTX),
        'missing_subscription_link',
        { path: '/text' },
      );
      // Shown only to some recipients: not enough.
      rejects(
        () => compile(msg({ purpose, html: '{% if contact.firstName %}<a href="{{ unsubscribe_url }}">Leave</a>{% endif %}' }), CTX),
        'missing_subscription_link',
      );
      // Commented out in Liquid: not there.
      rejects(
        () => compile(msg({ purpose, html: '{% comment %}{{ unsubscribe_url }}{% endcomment %}' }), CTX),
        'missing_subscription_link',
      );
    }
    for (const purpose of ['transactional', 'consent_request']) compile(msg({ purpose, html: '<p>Your receipt</p>' }), CTX);
  });

  it('follows the purposes setting: a purpose raised to level 3 needs the link', () => {
    compile(msg({ purpose: 'transactional', html: '<p>x</p>' }), CTX);
    rejects(
      () => compile(msg({ purpose: 'transactional', html: '<p>x</p>' }), { ...CTX, purposes: { ...PURPOSES, transactional: 3 } }),
      'missing_subscription_link',
    );
  });
});

describe('html and text parts', () => {
  const HTML =
    `<html><head><style>p { color: #c00 } .cta { font-weight: bold } ` +
    `@media (max-width: 600px) { p { color: blue } }</style></head>
<body><h1>Hello {{ contact.firstName | default: "there" }}</h1>
<table><tr><td>{% for i in (1..2) %}</td></tr><tr><td>{% endfor %}<p class="cta">Tom &amp; Jerry &#123;&#123; literal ` +
    `&#125;&#125;</p></td></tr></table>
{% if contact.vip %}<p>VIP {{ contact.shoe_size }}</p>{% endif %}
<a href="{{ unsubscribe_url }}">Unsubscribe</a> <a href="https://shop.example.com/?a=1&amp;id={{ contact.id }}">Shop</a>
</body></html>`;

  it('inlines <style> CSS once at compile time, keeping media queries and Liquid', () => {
    const r = render(compile(msg({ purpose: 'marketing', html: HTML }), CTX), ADA);
    assert.match(r.html, /<p class="cta" style="font-weight: bold; color: #c00;">|<p class="cta" style="color: #c00; font-weight: bold;">/);
    assert.match(r.html, /<p style="color: #c00;">VIP 38<\/p>/);
    assert.match(r.html, /@media \(max-width: 600px\)/);
    assert.match(r.html, /Hello Ada/);
    assert.ok(r.html.includes('href="https://mail.example.com/public/v1/email/unsubscribe/tok"'));
  });

  it('makes the text part from the HTML: same words as converting the rendered HTML, values verbatim', () => {
    const c = compile(msg({ purpose: 'marketing', html: HTML }), CTX);
    assert.ok(c.text, 'a text template was made at compile time');
    for (const v of [ADA, varsFor({ id: 'y', email: 'b@example.com', firstName: '<Zoë> & {{ x }}', customFields: { vip: false } })]) {
      const r = render(c, v);
      assert.match(r.text, /Unsubscribe \[https:\/\/mail\.example\.com\/public\/v1\/email\/unsubscribe\/tok\]/);
      assert.match(r.text, /Tom & Jerry \{\{ literal \}\}/);
      const slow = render({ ...c, text: null }, v);
      assert.equal(r.text.replace(/\s+/g, ' ').trim(), slow.text.replace(/\s+/g, ' ').trim());
    }
    assert.match(render(c, varsFor({ id: 'y', email: 'b@example.com', firstName: '<Zoë> & {{ x }}' })).text, /Hello <Zoë> & \{\{ x \}\}/);
  });

  it('uses the given text part as it is, unescaped', () => {
    const r = render(
      compile(msg({ html: '<p>x</p>', text: 'Hi {{ contact.firstName }} <3' }), CTX),
      varsFor({ id: 'x', email: 'a@example.com', firstName: 'A&B' }),
    );
    assert.equal(r.text, 'Hi A&B <3');
  });

  it('renders 20,000 recipients cheaply', () => {
    const c = compile(msg({ purpose: 'marketing', html: HTML }), CTX);
    const contacts = Array.from({ length: 20_000 }, (_, i) =>
      varsFor({ id: `id-${i}`, email: `p${i}@example.com`, firstName: `Name ${i}`, customFields: { vip: i % 2 === 0, shoe_size: i } }),
    );
    const t0 = performance.now();
    let bytes = 0;
    for (const v of contacts) bytes += render(c, v).html.length;
    const ms = performance.now() - t0;
    assert.ok(bytes > 0);
    console.log(`# 20,000 renders (subject, html, text) in ${ms.toFixed(0)} ms: ${((ms * 1000) / 20_000).toFixed(1)} µs each`);
    // Budget: a tenth of the 600 messages/s goal's time per message; generous for a loaded machine.
    assert.ok(ms < 20_000 * (1000 / 600) * 0.25, `${ms} ms`);
  });

  it('the sample contact is no real person and has every field', () => {
    const s = sampleContact(FIELDS);
    assert.match(s.email, /@example\.com$/);
    for (const f of FIELDS) assert.notEqual(s.customFields?.[f.name], null);
  });
});
