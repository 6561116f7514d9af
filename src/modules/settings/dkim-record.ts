import { createPublicKey } from 'node:crypto';

/** The DNS TXT record that lets receivers check DKIM signatures: where to publish it, and its value. */
export interface DkimDnsRecord {
  name: string;
  type: 'TXT';
  value: string;
}

/**
 * The record for a stored key, derived from its public half (the private key never leaves the
 * server): `p=` is the DER SubjectPublicKeyInfo in base64 for RSA (RFC 6376 §3.6.1), the raw
 * 32-byte key for Ed25519 (RFC 8463 §4.2). Null when the stored text is not a key it can read
 * (the service refuses such a key, so only a hand-edited row gives null).
 */
export function dkimDnsRecord(domain: string, selector: string, privateKey: string | undefined): DkimDnsRecord | null {
  if (!privateKey) return null;
  let p: string;
  let k: string;
  try {
    const key = createPublicKey({ key: privateKey, format: 'pem' });
    const der = key.export({ type: 'spki', format: 'der' });
    if (key.asymmetricKeyType === 'ed25519') {
      // The SPKI of an Ed25519 key is a fixed 12-byte prefix and the 32-byte key.
      p = der.subarray(der.length - 32).toString('base64');
      k = 'ed25519';
    } else {
      p = der.toString('base64');
      k = 'rsa';
    }
  } catch {
    return null;
  }
  return { name: `${selector}._domainkey.${domain.toLowerCase()}`, type: 'TXT', value: `v=DKIM1; k=${k}; p=${p}` };
}
