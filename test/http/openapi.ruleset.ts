/**
 * The rules the served OpenAPI document is held to (test/http/openapi-lint.test.ts): Spectral's
 * OAS ruleset and the OWASP API Security ruleset, both as recommended, with the changes below,
 * each with its reason. Every finding of level error left is a failure.
 *
 * Waivers are of the response side only (what the API answers, which no client can use to
 * exhaust it) and of two open routes named one by one; what a client sends is held to every rule.
 */
import spectralCore from '@stoplight/spectral-core';
import owaspModule from '@stoplight/spectral-owasp-ruleset';
import { oas } from '@stoplight/spectral-rulesets';

const { createRulesetFunction } = spectralCore as unknown as typeof import('@stoplight/spectral-core');
type Rule = Record<string, unknown>;
const owasp = ((owaspModule as unknown as { default?: unknown }).default ?? owaspModule) as { rules: Record<string, Rule> };

/** Where a request's schemas are: the body and the parameters of every operation, and the parameters of a path. */
const REQUEST_SIDE = ['$.paths[*][*].requestBody..', '$.paths[*][*].parameters..', '$.paths[*].parameters..'];
const ofType = (type: string) => REQUEST_SIDE.map((p) => `${p}[?(@ && @.type=="${type}")]`);

/**
 * Bounds rules that hold on the request side only. The answers' strings, arrays and integers are
 * what the database holds, bounded where they were written; a client cannot exhaust the API
 * through them, and a `maxLength` on every answered field would only restate the request's.
 */
const REQUEST_ONLY: Record<string, { given: string[]; reason: string }> = {
  'owasp:api4:2023-string-limit': { given: ofType('string'), reason: 'answers carry stored values, bounded when written' },
  'owasp:api4:2023-array-limit': {
    given: ofType('array'),
    reason: 'listings are bounded by `limit`; other answered arrays by what was written',
  },
  'owasp:api4:2023-integer-limit-legacy': {
    given: ofType('integer'),
    reason: 'answered integers are counts and sizes the server computes',
  },
  'owasp:api4:2023-integer-format': { given: ofType('integer'), reason: 'answered integers are counts and sizes the server computes' },
};

/** Rules about answers only, waived whole. */
const RESPONSE_WAIVERS: Record<string, string> = {
  'owasp:api4:2023-rate-limit':
    'rate limits are counted on the open routes only (login, the public request form, the download link), per client ' +
    'address in the database; they answer 429 with Retry-After, declared on those routes. No RateLimit-* headers are sent on ' +
    'other answers, and declaring them would describe headers that never come.',
  'owasp:api8:2023-define-cors-origin':
    'the API serves no cross-origin browser: the console is same-origin and integrations call it server to server, so no ' +
    'Access-Control-* header is sent, and none is declared.',
};

/**
 * Open write routes, named one by one: the login is how a credential is obtained, and the
 * public request form is for a person without an account (rate-limited per address, and nothing
 * happens before they confirm the address through the emailed link). Every other write route
 * needs a key or a session.
 */
export const OPEN_WRITES: Record<string, string> = {
  'post /api/v1/session': 'the login: the credential is what it hands out',
  'post /public/v1/requests': 'a data subject without an account asks for their rights; verified by email before anything happens',
  'post /public/v1/email/unsubscribe/{token}':
    'one-click unsubscribe (RFC 8058): a mail client posts it without login; the signed token of the link is the credential',
  'post /public/v1/forms/{formId}':
    'a person signs up on a form without an account; rate-limited per client and address, it can only raise consent and join lists',
  'post /public/v1/subscription/{token}':
    'the subscription center (a person from their mail): the signed link is the credential, with the page’s hidden field and an ' +
    'origin check',
  'post /public/v1/privacy/{token}/erasure':
    'the privacy portal’s erasure request: the signed link is the credential, with the page’s hidden field and an origin check',
  'post /public/v1/forward/{token}':
    'forward to a friend (a person from a campaign mail): the signed link is the credential, with the page’s hidden field and an ' +
    'origin check; rate-limited per client, link and friend address',
};

/**
 * The credentials in a URL, named: signed tokens of links a person opens from an email (the
 * download link; the unsubscribe, view, open-pixel and click links of a sent message; the subscription
 * center and the privacy portal; forward to a friend).
 */
const TOKEN_IN_URL = [
  '/public/v1/exports/{id}',
  '/public/v1/email/unsubscribe/{token}',
  '/public/v1/email/view/{token}',
  '/public/v1/email/open/{token}',
  '/public/v1/email/click/{token}',
  '/public/v1/subscription/{token}',
  '/public/v1/privacy/{token}',
  '/public/v1/privacy/{token}/export',
  '/public/v1/privacy/{token}/erasure',
  '/public/v1/forward/{token}',
];
const notTokenPaths = TOKEN_IN_URL.map((p) => `@property !== "${p}"`).join(' && ');

const writeRestricted = createRulesetFunction<Record<string, any>, null>({ input: null, options: null }, (doc) => {
  const out: { message: string; path: (string | number)[] }[] = [];
  for (const [path, item] of Object.entries<Record<string, any>>(doc.paths ?? {})) {
    for (const method of ['post', 'put', 'patch', 'delete']) {
      const op = item[method];
      if (!op) continue;
      const security = op.security ?? doc.security;
      if ((!Array.isArray(security) || security.length === 0) && !OPEN_WRITES[`${method} ${path}`]) {
        out.push({ message: 'This write operation is not protected by any security scheme.', path: ['paths', path, method, 'security'] });
      }
    }
  }
  return out;
});

const rules: Record<string, unknown> = {
  // The issue asks these of every operation: raised from warnings to errors.
  'operation-operationId': 'error',
  'operation-tag-defined': 'error',
  'operation-description': 'error',
  'operation-success-response': 'error',
  'owasp:api2:2023-write-restricted': {
    ...owasp.rules['owasp:api2:2023-write-restricted'],
    given: '$',
    // biome-ignore lint/suspicious/noThenProperty: Spectral's rule format names its action `then`.
    then: { function: writeRestricted },
  },
  'owasp:api2:2023-no-credentials-in-url': {
    ...owasp.rules['owasp:api2:2023-no-credentials-in-url'],
    given: [`$.paths[?(${notTokenPaths})]..parameters[?(@ && @.in && @.in.match(/query|path/))].name`],
  },
};
for (const [name, { given }] of Object.entries(REQUEST_ONLY)) rules[name] = { ...owasp.rules[name], given };
for (const name of Object.keys(RESPONSE_WAIVERS)) rules[name] = 'off';

export const ruleset = {
  extends: [
    [oas, 'recommended'],
    [owasp, 'recommended'],
  ],
  rules,
};
