// How stock npm clients address a registry, reduced to what the benchmark needs
// (see shared/reference/npm-registry-protocol.md §0.1, §1.1 and §7.1).

// The Accept header npm 11 sends for an abbreviated packument (pacote/lib/registry.js).
export const CORGI_ACCEPT = 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*';

/** How npm asks for a packument: `@scope%2fname` (pacote's escapedName). */
export function packumentPath(name) {
  return '/' + name.replace('/', '%2f');
}

/** npm's legacy login/adduser: `PUT /-/user/org.couchdb.user:<name>` answers with a bearer token. */
export async function legacyLogin(baseUrl, { name, password, email }) {
  const res = await fetch(`${baseUrl}/-/user/org.couchdb.user:${encodeURIComponent(name)}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({
      _id: `org.couchdb.user:${name}`,
      name,
      password,
      email,
      type: 'user',
      roles: [],
      date: new Date().toISOString(),
    }),
  });
  const text = await res.text();
  let token;
  try {
    token = JSON.parse(text).token;
  } catch {
    // reported below
  }
  if (!res.ok || typeof token !== 'string') {
    throw new Error(`login as ${name} answered ${res.status}: ${text.slice(0, 300)}`);
  }
  return token;
}
