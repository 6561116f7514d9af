/** Examples for the OpenAPI document, shaped as the schemas say (the OpenAPI lint test validates each). */

export const MESSAGE_ID = '01938a70-2b4c-7d11-8e2f-6a7b8c9d0e1f';
export const LIST_ID = '01938a6f-0d11-7c42-8e5b-3a9d2f6c1b88';
export const CONTACT_ID = '01938a6e-4c2f-7b10-9a3e-5f2c8d1e4a07';

const HTML =
  '<html><head><style>h1 { color: #7a3e00 } .cta { font-weight: bold }</style></head><body>' +
  '<h1>Hello {{ contact.firstName | default: "there" }}</h1>' +
  '<p>Our spring bread is back. <a class="cta" href="https://bakery.example.com/spring">Order now</a></p>' +
  '<p><a href="{{ view_in_browser_url }}">View in your browser</a> · <a href="{{ forward_url }}">Forward to a friend</a> · ' +
  '<a href="{{ subscription_center_url }}">Your subscriptions</a> · <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>' +
  '</body></html>';

export const MESSAGE_CREATE = {
  name: 'Spring newsletter',
  purpose: 'marketing',
  listId: LIST_ID,
  fromName: 'The Bakery',
  fromEmail: 'news@bakery.example.com',
  replyTo: 'hello@bakery.example.com',
  subject: 'Spring bread is back, {{ contact.firstName | default: "friend" }}',
  html: HTML,
};

export const MESSAGE = {
  id: MESSAGE_ID,
  ...MESSAGE_CREATE,
  text: null,
  blocks: null,
  createdAt: '2026-11-30T09:15:00.000Z',
  updatedAt: '2026-12-01T10:02:13.481Z',
};

export const MESSAGES_PAGE = { data: [MESSAGE], page: { next: null, total: 1, totalIsEstimate: false } };

export const PREVIEW = {
  subject: 'Spring bread is back, Ana',
  html:
    '<html><head></head><body><h1 style="color: #7a3e00;">Hello Ana</h1>' +
    '<p>Our spring bread is back. <a class="cta" href="https://bakery.example.com/spring" style="font-weight: bold;">Order now</a></p>' +
    '<p><a href="https://mail.example.com/public/v1/email/view/preview">View in your browser</a> · ' +
    '<a href="https://mail.example.com/public/v1/email/subscription-center/preview">Your subscriptions</a> · ' +
    '<a href="https://mail.example.com/public/v1/email/unsubscribe/preview">Unsubscribe</a></p></body></html>',
  text:
    'Hello Ana\n\nOur spring bread is back. Order now [https://bakery.example.com/spring]\n\n' +
    'View in your browser [https://mail.example.com/public/v1/email/view/preview] · Your subscriptions ' +
    '[https://mail.example.com/public/v1/email/subscription-center/preview] · Unsubscribe ' +
    '[https://mail.example.com/public/v1/email/unsubscribe/preview]',
  gate: { allowed: true, reason: 'allowed', effectiveLevel: 4 },
  tracking: false,
};
