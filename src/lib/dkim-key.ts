import { createPrivateKey, type KeyObject } from 'node:crypto';

/**
 * Why a PEM text is not a usable DKIM key, or null when it is one: an unencrypted RSA key of
 * at least 1024 bits (RFC 8301) or an Ed25519 key (RFC 8463). Names the rule, never the key.
 */
export function dkimKeyProblem(pem: string): string | null {
  if (typeof pem !== 'string' || !/^\s*-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(pem)) return 'must be a PEM private key';
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    return 'must be an unencrypted PEM private key';
  }
  if (key.asymmetricKeyType === 'ed25519') return null;
  if (key.asymmetricKeyType === 'rsa')
    return (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 1024 ? null : 'an RSA key needs at least 1024 bits';
  return 'must be an RSA or Ed25519 key';
}
