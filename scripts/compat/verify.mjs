// Reads back what Gatehouse accepted, as an installer would: the packument must list the version
// (under the tag it was published with) and the tarball it points at must be the original bytes.

import { readFileSync } from 'node:fs';
import { sha512Integrity } from './files.mjs';

/** Returns null when all is well, else a sentence saying what differs. */
export async function verifyAccepted({ registry, name, version, tag, file }) {
  const packumentUrl = new URL(name.replace('/', '%2f'), registry);
  const res = await fetch(packumentUrl, { headers: { accept: 'application/json' } });
  if (res.status !== 200) return `GET ${packumentUrl.pathname} answered ${res.status}`;
  const packument = await res.json();
  const listed = packument.versions?.[version];
  if (!listed) return `the packument does not list ${version}`;
  if (packument['dist-tags']?.[tag] !== version) {
    return `dist-tags.${tag} is ${packument['dist-tags']?.[tag] ?? 'missing'}, not ${version}`;
  }
  const original = sha512Integrity(readFileSync(file));
  if (listed.dist?.integrity !== original)
    return `the packument's dist.integrity is ${listed.dist?.integrity}, not the original's`;
  const tarball = await fetch(listed.dist.tarball);
  if (tarball.status !== 200) return `GET ${listed.dist.tarball} answered ${tarball.status}`;
  const served = sha512Integrity(Buffer.from(await tarball.arrayBuffer()));
  return served === original ? null : 'the served tarball differs from the original (sha512)';
}
