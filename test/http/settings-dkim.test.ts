import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { after, before, it } from 'node:test';
import { json, testApp, type TestApp } from '../helpers/app.ts';
import { forEachDialect } from '../helpers/db.ts';

/** The base64 body of a PEM, the part that would give the key away. */
const pemBody = (pem: string) => pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');

forEachDialect('settings: the DKIM DNS record, never the private key', (ctx) => {
  let t: TestApp;
  before(async () => {
    t = await testApp(ctx.db);
  });
  after(async () => t.close());

  const patch = (payload: Record<string, unknown>) =>
    t.app.inject({ method: 'PATCH', url: '/api/v1/settings', headers: t.auth('admin'), payload });
  const read = (role: 'admin' | 'viewer' = 'admin') => t.app.inject({ method: 'GET', url: '/api/v1/settings', headers: t.auth(role) });

  it('gives the TXT record made from the public half of an RSA key, one receivers can verify with', async () => {
    assert.equal(json(await read()).data.dkim, null, 'none by default');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const saved = await patch({ dkim: { domain: 'Mail.Example.com', selector: 'news2026', privateKey: pem } });
    assert.equal(saved.statusCode, 200, saved.body);
    for (const res of [saved, await read(), await read('viewer')]) {
      assert.equal(res.body.includes(pemBody(pem).slice(0, 64)), false, 'no part of the private key');
      assert.equal(res.body.includes('PRIVATE'), false);
      const dkim = json(res).data.dkim;
      assert.equal(dkim.privateKeySet, true);
      assert.equal(dkim.dnsRecord.name, 'news2026._domainkey.mail.example.com');
      assert.equal(dkim.dnsRecord.type, 'TXT');
      const m = /^v=DKIM1; k=rsa; p=([A-Za-z0-9+/=]+)$/.exec(dkim.dnsRecord.value);
      assert.ok(m, dkim.dnsRecord.value);
      // What a receiver does: read p= as the DER public key and check a signature made with the private key.
      const pub = createPublicKey({ key: Buffer.from(m[1]!, 'base64'), format: 'der', type: 'spki' });
      const data = Buffer.from('signed header fields');
      assert.ok(verify('sha256', data, pub, sign('sha256', data, privateKey)));
    }
  });

  it('gives k=ed25519 and the raw 32-byte key for an Ed25519 key (RFC 8463)', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const res = await patch({ dkim: { domain: 'example.com', selector: 'ed', privateKey: pem } });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.body.includes(pemBody(pem)), false);
    const record = json(await read()).data.dkim.dnsRecord;
    assert.equal(record.name, 'ed._domainkey.example.com');
    const m = /^v=DKIM1; k=ed25519; p=([A-Za-z0-9+/=]+)$/.exec(record.value);
    assert.ok(m, record.value);
    const raw = Buffer.from(m[1]!, 'base64');
    assert.equal(raw.length, 32);
    const pub = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
    const data = Buffer.from('signed header fields');
    assert.ok(verify(null, data, pub, sign(null, data, privateKey)));

    // The same domain and selector without a key keeps the stored key, and so the record.
    const kept = await patch({ dkim: { domain: 'example.com', selector: 'ed' } });
    assert.equal(kept.statusCode, 200, kept.body);
    assert.deepEqual(json(kept).data.dkim.dnsRecord, record);
  });

  it('refuses an unusable key with 422 dkim_key_invalid on the key field and keeps the stored key; null removes signing', async () => {
    const before = json(await read()).data.dkim;
    const bad = await patch({ dkim: { domain: 'example.com', selector: 'ed', privateKey: 'not a key' } });
    assert.equal(bad.statusCode, 422, bad.body);
    assert.equal(json(bad).error.code, 'dkim_key_invalid');
    assert.equal(json(bad).error.details[0].path, '/dkim/privateKey');
    assert.equal(bad.body.includes('not a key'), false, 'the answer does not echo what was sent');
    assert.deepEqual(json(await read()).data.dkim, before);
    const off = await patch({ dkim: null });
    assert.equal(off.statusCode, 200, off.body);
    assert.equal(json(await read()).data.dkim, null);
  });
});
