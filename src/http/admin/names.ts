// The typosquatting defence's admin API (docs/typosquatting.md): the allowed-names list and the
// claims the "hold" policy keeps for review. Thin: parse, check the asker is an administrator,
// call one operation. A scoped name travels in the path with its slash encoded (@acme%2Fwidget) or not.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from '../../registry.js';
import { fail } from '../../domain/errors.js';
import { isObject } from '../../domain/packages/publish-document.js';
import { nameAdminOf } from '../../domain/names/service.js';

const BASE = '/-/gatehouse/v1/admin/names';

// attacker-controlled: any bytes may arrive in the path and the body.
function nameIn(request: FastifyRequest): string {
  const raw = (request.params as Record<string, string>)['*'] ?? '';
  try {
    return decodeURIComponent(raw);
  } catch {
    fail('BadRequest', 'The address is not valid URL encoding.');
  }
}

function bodyOf(request: FastifyRequest): Record<string, unknown> {
  if (request.body === undefined || request.body === null) return {};
  if (!isObject(request.body)) fail('BadRequest', 'Send a JSON object.');
  return request.body;
}

export function registerNameAdminRoutes(app: FastifyInstance, registry: Registry): void {
  const { names } = registry;
  app.get(`${BASE}/allowed`, async (request) => {
    nameAdminOf(request.context, false);
    return { allowed: await names.allowedNames() };
  });
  app.put(`${BASE}/allowed/*`, async (request, reply) => {
    const admin = nameAdminOf(request.context, true);
    const body = bodyOf(request);
    return reply.code(201).send(await names.allow(admin, nameIn(request), { user: body.user, note: body.note }));
  });
  app.delete(`${BASE}/allowed/*`, async (request) => {
    await names.disallow(nameAdminOf(request.context, true), nameIn(request));
    return {};
  });
  app.get(`${BASE}/claims`, async (request) => {
    nameAdminOf(request.context, false);
    return { claims: await names.pendingClaims() };
  });
  // POST …/claims/<name>/approve or …/reject, {"user": "<claimant>"}; the name may hold a slash.
  app.post(`${BASE}/claims/*`, async (request) => {
    const admin = nameAdminOf(request.context, true);
    const path = nameIn(request);
    const at = path.lastIndexOf('/');
    const decision = path.slice(at + 1);
    if (at <= 0 || (decision !== 'approve' && decision !== 'reject'))
      fail('NotFound', `Use ${BASE}/claims/<name>/approve or …/reject.`);
    return names.decide(admin, path.slice(0, at), bodyOf(request).user, decision === 'approve' ? 'approved' : 'rejected');
  });
  app.get(`${BASE}/check/*`, async (request) => {
    nameAdminOf(request.context, false);
    return { name: nameIn(request), similar: (await names.similarTo(nameIn(request))) ?? null };
  });
}
