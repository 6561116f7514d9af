// The block renderer: hostile text is text (never markup, never Liquid code), links and images only
// where safe, columns stack on narrow screens; the schema accepts what the editor makes and refuses
// the rest. The output is parsed (htmlparser2) and rendered through liquidjs as a message would be.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Element } from 'domhandler';
import { findAll, getAttributeValue, textContent } from 'domutils';
import fc from 'fast-check';
import { parseDocument } from 'htmlparser2';
import { Liquid } from 'liquidjs';
import { allBlocks, type Block, type BlockDocument, BLOCK_LIMITS, DEFAULT_SETTINGS, emptyDocument, renderBlocks } from './blocks.render.ts';
import { checkBlocks } from './blocks.schema.ts';
import { compile, render } from './template.render.ts';

const doc = (...blocks: Block[]): BlockDocument => ({ version: 1, settings: { ...DEFAULT_SETTINGS }, blocks });
const parse = (html: string) => parseDocument(html, { decodeEntities: true });
const all = (html: string, name: string): Element[] => findAll((e) => e.name === name, parse(html).children);
const body = (html: string) => html.slice(html.indexOf('<body'));
// What the marketer's text becomes once a browser reads it: control characters gone, lone halves of
// a surrogate pair replaced.
const shown = (s: string) =>
  s
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');

const liquid = new Liquid({ outputEscape: 'escape', strictVariables: true, strictFilters: true });

const hostile = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '<script>alert(1)</script>',
    '"><img src=x onerror=alert(1)>',
    "'; background:url(javascript:alert(1))",
    '{{ 7*7 }}',
    '{% include "/etc/passwd" %}',
    '{% raw %}{{ x }}{% endraw %}',
    '{{ contact.firstName | raw }}',
    '{{contact.email}',
    '}}{{',
    '&amp;&lt;',
    'Zoë 東京 😀 İstanbul',
    '\u200b\u202e',
    '\ud800',
    'a\nb\r\nc',
  ),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc
    .array(fc.constantFrom('{', '}', '%', '<', '>', '&', '"', "'", '{{', '{%', 'x', ' ', '|', '.'), { maxLength: 12 })
    .map((a) => a.join('')),
);
// A string the renderer could take for a Liquid output tag is not hostile: it is the feature.
const noTag = (s: string) => !/\{\{\s*[A-Za-z_][A-Za-z0-9_.]*/.test(s);

describe('renderBlocks: hostile text', () => {
  it('heading, paragraph, button label and image alt show exactly the text typed, as text', async () => {
    await fc.assert(
      fc.asyncProperty(hostile.filter(noTag), hostile.filter(noTag), async (a, b) => {
        const html = renderBlocks(
          doc(
            { type: 'heading', id: 'h', level: 2, text: a },
            {
              type: 'text',
              id: 't',
              paragraphs: [
                [
                  { text: b, bold: true },
                  { text: a, italic: true, href: 'https://example.com/x' },
                ],
              ],
            },
            { type: 'button', id: 'b', label: a, href: 'https://example.com/' },
            { type: 'image', id: 'i', src: 'https://example.com/i.png', alt: b },
          ),
        );
        const dom = parse(html);
        const [h2] = findAll((e) => e.name === 'h2', dom.children);
        // Line breaks become <br>, which textContent does not show.
        assert.equal(textContent(h2!), shown(a).replace(/\r\n|\r|\n/g, ''));
        const [img] = findAll((e) => e.name === 'img', dom.children);
        assert.equal(getAttributeValue(img!, 'alt'), shown(b));
        // Nothing the text held became an element or an attribute.
        const names = new Set(findAll(() => true, dom.children).map((e) => e.name));
        for (const n of names)
          assert.ok(
            ['html', 'head', 'meta', 'style', 'body', 'table', 'tr', 'td', 'h2', 'p', 'strong', 'em', 'a', 'img', 'br', 'span'].includes(n),
            n,
          );
        assert.equal(findAll((e) => Object.keys(e.attribs).some((k) => k.startsWith('on')), dom.children).length, 0);
        // No brace survives in the body's source, so no Liquid can form from the text…
        assert.doesNotMatch(body(html), /[{}]/);
        // …and liquidjs, strict as the messages' compiler is, renders it to itself.
        assert.equal(await liquid.parseAndRender(html, {}), html);
      }),
      { numRuns: 300 },
    );
  });

  it('a Liquid output tag in text passes through and renders escaped; anything more is text', async () => {
    const html = renderBlocks(
      doc(
        { type: 'heading', id: 'h', level: 1, text: 'Hello {{ contact.firstName }}!' },
        {
          type: 'text',
          id: 't',
          paragraphs: [[{ text: 'From {{ contact.city | default: "nowhere" | upcase }}. {{ contact.firstName | raw }} {{ 7*7 }}' }]],
        },
        { type: 'image', id: 'i', src: 'https://example.com/i.png', alt: 'For {{ contact.firstName | default: "you" }}' },
      ),
    );
    assert.ok(html.includes('Hello {{ contact.firstName }}!'));
    assert.ok(html.includes('{{ contact.city | default: "nowhere" | upcase }}'));
    // `raw` would print unescaped; `7*7` is an expression; a double quote cannot sit in an attribute.
    assert.ok(html.includes('&#123;&#123; contact.firstName | raw &#125;&#125;'));
    assert.ok(html.includes('&#123;&#123; 7*7 &#125;&#125;'));
    assert.ok(html.includes('alt="For &#123;&#123; contact.firstName | default: &quot;you&quot; &#125;&#125;"'));
    const out = await liquid.parseAndRender(html, { contact: { firstName: '<b>{{x}}</b>', city: null } });
    const dom = parse(out);
    assert.equal(textContent(findAll((e) => e.name === 'h1', dom.children)[0]!), 'Hello <b>{{x}}</b>!');
    assert.equal(textContent(findAll((e) => e.name === 'p', dom.children)[0]!), 'From NOWHERE. {{ contact.firstName | raw }} {{ 7*7 }}');
    assert.equal(all(out, 'b').length, 0);
  });
});

describe('renderBlocks: links, images, layout', () => {
  it('keeps http(s), mailto and the message’s link variables; drops every other link and non-https image', () => {
    const hrefs = [
      'https://example.com/a?b=1&c=2',
      'http://example.com/',
      'mailto:someone@example.com',
      '{{ unsubscribe_url }}',
      '{{subscription_center_url}}',
      'javascript:alert(1)',
      'JAVASCRIPT:alert(1)',
      'data:text/html,<script>',
      '//evil.example/',
      'https://example.com/"onmouseover="x',
      '{{ contact.website }}',
      '',
    ];
    const html = renderBlocks(
      doc(
        { type: 'text', id: 't', paragraphs: [hrefs.map((href, i) => ({ text: `link ${i}`, href }))] },
        { type: 'button', id: 'b', label: 'Go', href: 'javascript:alert(1)' },
        { type: 'image', id: 'i1', src: 'http://example.com/i.png', alt: 'insecure' },
        { type: 'image', id: 'i2', src: 'javascript:alert(1)', alt: 'script' },
        { type: 'image', id: 'i3', src: 'https://example.com/ok.png', alt: 'fine', href: 'https://example.com/' },
      ),
    );
    const links = all(html, 'a').map((a) => getAttributeValue(a, 'href'));
    assert.deepEqual(links, [
      'https://example.com/a?b=1&c=2',
      'http://example.com/',
      'mailto:someone@example.com',
      '{{ unsubscribe_url }}',
      '{{subscription_center_url}}',
      'https://example.com/',
    ]);
    // The dropped links' text stays, as text.
    assert.match(textContent(parse(html)), /link 5link 6link 7link 8link 9link 10link 11/);
    assert.deepEqual(
      all(html, 'img').map((i) => getAttributeValue(i, 'src')),
      ['https://example.com/ok.png'],
    );
  });

  it('columns are cells that a media query stacks; the container holds the document’s width', () => {
    const html = renderBlocks({
      version: 1,
      settings: { width: 640, background: '#123456', font: 'serif' },
      blocks: [
        {
          type: 'columns',
          id: 'c',
          columns: [
            [{ type: 'heading', id: 'a', level: 3, text: 'Left' }],
            [{ type: 'text', id: 'b', paragraphs: [[{ text: 'Middle' }]] }],
            [{ type: 'button', id: 'd', label: 'Right', href: 'https://example.com/' }],
          ],
        },
      ],
    });
    const cols = findAll((e) => (getAttributeValue(e, 'class') ?? '').split(' ').includes('a-col'), parse(html).children);
    assert.deepEqual(
      cols.map((c) => textContent(c)),
      ['Left', 'Middle', 'Right'],
    );
    const css = textContent(all(html, 'style')[0]!);
    assert.ok(css.startsWith('@media only screen and (max-width:660px){'), css);
    assert.ok(css.includes('.a-container{width:100% !important;}.a-col{display:block !important;width:100% !important;'), css);
    const container = findAll((e) => getAttributeValue(e, 'class') === 'a-container', parse(html).children)[0]!;
    assert.equal(getAttributeValue(container, 'width'), '640');
    assert.match(getAttributeValue(container, 'style')!, /Georgia/);
    assert.match(getAttributeValue(all(html, 'body')[0]!, 'style')!, /background-color:#123456/);
    // Every layout table is presentation only, for screen readers reading the mail.
    for (const t of all(html, 'table')) assert.equal(getAttributeValue(t, 'role'), 'presentation');
  });

  it('settings and sizes out of range or hostile fall back to safe values', () => {
    const html = renderBlocks({
      version: 1,
      settings: { width: 99_999, background: 'red;position:fixed', font: 'comic' as 'sans' },
      blocks: [
        { type: 'spacer', id: 's', height: -5 },
        { type: 'button', id: 'b', label: 'x', href: 'https://example.com/', color: 'url(javascript:1)' },
        { type: 'heading', id: 'h', level: 9 as 1, text: 'big' },
        null as unknown as Block,
        { type: 'nonsense' } as unknown as Block,
      ],
    });
    assert.equal(
      getAttributeValue(findAll((e) => getAttributeValue(e, 'class') === 'a-container', parse(html).children)[0]!, 'width'),
      '900',
    );
    assert.doesNotMatch(html, /position:fixed|javascript|comic/);
    assert.match(html, /height:4px/);
    assert.equal(all(html, 'h1').length, 1);
  });

  it('a new document renders with its unsubscribe and subscription-centre links', () => {
    const html = renderBlocks(emptyDocument());
    const links = all(html, 'a').map((a) => getAttributeValue(a, 'href'));
    assert.deepEqual(links, ['{{ subscription_center_url }}', '{{ unsubscribe_url }}']);
  });
});

describe('checkBlocks', () => {
  const leaf = (over: Record<string, unknown>) => doc(over as unknown as Block);
  it('accepts what the editor makes', () => {
    assert.deepEqual(checkBlocks(emptyDocument()), []);
    assert.deepEqual(
      checkBlocks(
        doc(
          { type: 'image', id: 'i', src: 'https://example.com/i.png', alt: 'A cat', href: '{{ view_in_browser_url }}', width: 300 },
          { type: 'spacer', id: 's', height: 24 },
          {
            type: 'columns',
            id: 'c',
            columns: [
              [{ type: 'divider', id: 'd' }],
              [{ type: 'button', id: 'b', label: 'Go', href: 'mailto:a@example.com', color: '#AA0000' }],
            ],
          },
        ),
      ),
      [],
    );
  });
  it('refuses unsafe links, images without alt text, unknown properties, nested or too many columns, too many blocks', () => {
    const bad: [string, unknown][] = [
      ['javascript link', leaf({ type: 'button', id: 'b', label: 'Go', href: 'javascript:alert(1)' })],
      ['other variable as link', leaf({ type: 'button', id: 'b', label: 'Go', href: '{{ contact.website }}' })],
      ['http image', leaf({ type: 'image', id: 'i', src: 'http://example.com/i.png', alt: 'x' })],
      ['no alt', leaf({ type: 'image', id: 'i', src: 'https://example.com/i.png', alt: ' ' })],
      ['raw html', leaf({ type: 'text', id: 't', paragraphs: [[{ text: 'x', html: '<b>x</b>' }]] })],
      ['colour', leaf({ type: 'button', id: 'b', label: 'Go', href: 'https://e.com/', color: 'red' })],
      ['nested columns', leaf({ type: 'columns', id: 'c', columns: [[{ type: 'columns', id: 'd', columns: [[], []] }], []] })],
      ['one column', leaf({ type: 'columns', id: 'c', columns: [[]] })],
      ['four columns', leaf({ type: 'columns', id: 'c', columns: [[], [], [], []] })],
      ['version', { ...emptyDocument(), version: 2 }],
      ['not an object', 'hello'],
      [
        'too many in all',
        doc(
          ...Array.from(
            { length: 70 },
            (_, i): Block => ({
              type: 'columns',
              id: `c${i}`,
              columns: [[{ type: 'divider', id: 'a' }], [{ type: 'divider', id: 'b' }], [{ type: 'divider', id: 'c' }]],
            }),
          ),
        ),
      ],
    ];
    for (const [what, d] of bad) assert.notDeepEqual(checkBlocks(d), [], what);
    assert.ok(allBlocks(bad.at(-1)![1] as BlockDocument).length > BLOCK_LIMITS.blocks);
  });
  it('names where a problem is, never what the document holds', () => {
    const problems = checkBlocks(leaf({ type: 'button', id: 'b', label: 'Go', href: 'javascript:secret-words' }));
    assert.ok(problems.length > 0);
    assert.ok(problems.every((p) => p.path.startsWith('/blocks')));
    assert.doesNotMatch(JSON.stringify(problems), /secret-words/);
  });
});

describe('blocks through the messages’ compiler (CSS inliner, Liquid, the text part made from the HTML)', () => {
  it('typed text stays text in the HTML and the text part; variables are filled in, escaped', async () => {
    await fc.assert(
      fc.asyncProperty(hostile.filter(noTag), async (typed) => {
        const d = emptyDocument();
        d.blocks.push({ type: 'heading', id: 'x', level: 2, text: `Hi {{ contact.firstName }} ${typed}` });
        d.blocks.push({ type: 'text', id: 'y', paragraphs: [[{ text: typed, bold: true }]] });
        const compiled = compile(
          { purpose: 'marketing', subject: 'Hi', html: renderBlocks(d), text: null },
          { purposes: { marketing: 4 }, fields: [] },
        );
        const out = render(compiled, {
          contact: { id: 'c', email: 'a@example.com', firstName: '<i>{{ 7 }}</i>' },
          subscription_center_url: 'https://example.com/c',
          unsubscribe_url: 'https://example.com/u',
          view_in_browser_url: 'https://example.com/v',
          forward_url: 'https://example.com/f',
        });
        const h2 = findAll((e) => e.name === 'h2', parse(out.html).children)[0]!;
        assert.equal(textContent(h2), `Hi <i>{{ 7 }}</i> ${shown(typed).replace(/\r\n|\r|\n/g, '')}`);
        assert.equal(all(out.html, 'i').length, 0);
        assert.deepEqual(
          all(out.html, 'a').map((a) => getAttributeValue(a, 'href')),
          ['https://example.com/c', 'https://example.com/u'],
        );
        // The text part holds the typed words as typed (html-to-text may rewrap whitespace, and counts a
        // zero-width space as one).
        const words = shown(typed)
          .split(/[\s\u200b]+/)
          .filter((w) => w !== '');
        for (const w of words) assert.ok(out.text.includes(w), `text part holds ${JSON.stringify(w)}`);
      }),
      { numRuns: 100 },
    );
  });
});
