// decode.js: an independent decoder for our HC1 strings (npm packages base45, pako, cbor, cose-js;
// none of our code). Reads the HC1 string on stdin and the signer's PEM certificate from argv[2];
// prints each claim and field as "key=value" and "signature=valid" when cose-js verifies it.
'use strict';
const fs = require('fs');
const crypto = require('crypto');
const base45 = require('base45');
const pako = require('pako');
const cbor = require('cbor');
const cose = require('cose-js');

(async () => {
  const hc1 = fs.readFileSync(0, 'utf8').trim();
  if (!hc1.startsWith('HC1:')) throw new Error('no HC1: prefix');
  const compressed = base45.decode(hc1.slice(4));
  const coseBytes = Buffer.from(pako.inflate(new Uint8Array(compressed)));
  const msg = cbor.decodeFirstSync(coseBytes);
  const parts = msg instanceof cbor.Tagged ? msg.value : msg;
  console.log('tag=' + (msg instanceof cbor.Tagged ? msg.tag : 'none'));
  const prot = cbor.decodeFirstSync(parts[0]);
  console.log('alg=' + prot.get(1));
  console.log('kid=' + Buffer.from(prot.get(4)).toString('hex'));
  const claims = cbor.decodeFirstSync(parts[2]);
  console.log('iss=' + claims.get(1));
  console.log('iat=' + claims.get(6));
  console.log('exp=' + claims.get(4));
  const h = claims.get(-260).get(1);
  console.log('ver=' + h.ver);
  for (const k of ['fn', 'gn', 'fnt', 'gnt']) console.log(k + '=' + h.nam[k]);
  console.log('dob=' + h.dob);
  const v = h.v[0];
  for (const k of ['tg', 'vp', 'mp', 'ma', 'dn', 'sd', 'dt', 'co', 'is', 'ci']) console.log(k + '=' + v[k]);

  const pem = fs.readFileSync(process.argv[2], 'utf8');
  const x509 = new crypto.X509Certificate(pem);
  const der = x509.raw;
  const kid = crypto.createHash('sha256').update(der).digest().subarray(0, 8).toString('hex');
  console.log('certkid=' + kid);
  const jwk = x509.publicKey.export({ format: 'jwk' });
  const verifier = { key: { x: Buffer.from(jwk.x, 'base64url'), y: Buffer.from(jwk.y, 'base64url') } };
  try {
    await cose.sign.verify(coseBytes, verifier);
    console.log('signature=valid');
  } catch (e) {
    console.log('signature=invalid ' + e.message);
  }
})().catch((e) => { console.log('error=' + e.message); process.exit(1); });
