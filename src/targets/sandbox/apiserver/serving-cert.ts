/** @module A self-signed serving certificate for 127.0.0.1: kubectl sends bearer tokens only over TLS, so the sandbox must speak HTTPS for kubectl to authenticate. */
import { generate } from 'selfsigned';

/** A PEM certificate and its private key. */
export interface ServingCert {
  cert: string;
  key: string;
}

/**
 * Generates a self-signed certificate (ECDSA P-256, valid 7 days) for `127.0.0.1` and `localhost`.
 * It is its own CA: the kubeconfig carries it as `certificate-authority-data`.
 */
export async function generateServingCert(): Promise<ServingCert> {
  const now = Date.now();
  const pems = await generate([{ name: 'commonName', value: 'bindy-loadtest-sandbox-apiserver' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + 7 * 24 * 3600_000),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}
