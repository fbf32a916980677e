// `npm org`, `npm team` and `npm access`: the addresses libnpmorg, libnpmteam and libnpmaccess
// call (npm's own source is the reference), plus two of Gatehouse's own (docs/orgs.md): an
// administrator creating an org, and an owner's switch for the developers-team default. Thin.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from '../../registry.js';
import { fail } from '../../domain/errors.js';
import { isObject } from '../../domain/packages/publish-document.js';
import { parsePackageName } from '../../domain/packages/names.js';

type Params = { org: string; team: string; user: string; name: string };

// attacker-controlled: npm sends JSON bodies, but anything can arrive.
function body(request: FastifyRequest): Record<string, unknown> {
  if (!isObject(request.body)) fail('BadRequest', 'Send a JSON object.');
  return request.body;
}

function params(request: FastifyRequest): Params {
  return request.params as Params;
}

export function registerOrgRoutes(app: FastifyInstance, registry: Registry): void {
  const orgs = registry.orgs;
  app.post('/-/org', async (request, reply) => {
    const b = body(request);
    return reply.code(201).send(await orgs.createOrg(request.context, b.name, b.owner));
  });
  app.get('/-/org/:org/user', (request) => orgs.members(request.context, params(request).org));
  app.put('/-/org/:org/user', (request) => orgs.setMember(request.context, params(request).org, body(request)));
  app.delete('/-/org/:org/user', async (request) => {
    await orgs.removeMember(request.context, params(request).org, body(request));
    return {};
  });
  app.put('/-/org/:org/settings', (request) =>
    orgs.setDevelopersGetNewPackages(request.context, params(request).org, body(request).developersGetNewPackages),
  );
  app.get('/-/org/:org/team', (request) => orgs.teams(request.context, params(request).org));
  app.put('/-/org/:org/team', async (request, reply) =>
    reply.code(201).send(await orgs.createTeam(request.context, params(request).org, body(request))),
  );
  app.get('/-/org/:org/package', (request) => orgs.orgPackages(request.context, params(request).org));
  app.delete('/-/team/:org/:team', async (request) => {
    await orgs.destroyTeam(request.context, params(request).org, params(request).team);
    return {};
  });
  app.get('/-/team/:org/:team/user', (request) => orgs.teamMembers(request.context, params(request).org, params(request).team));
  app.put('/-/team/:org/:team/user', (request) =>
    orgs.setTeamMember(request.context, params(request).org, params(request).team, body(request), true),
  );
  app.delete('/-/team/:org/:team/user', (request) =>
    orgs.setTeamMember(request.context, params(request).org, params(request).team, body(request), false),
  );
  app.get('/-/team/:org/:team/package', (request) =>
    orgs.teamPackages(request.context, params(request).org, params(request).team),
  );
  app.put('/-/team/:org/:team/package', async (request) => {
    await orgs.setGrant(request.context, params(request).org, params(request).team, body(request), true);
    return {};
  });
  app.delete('/-/team/:org/:team/package', async (request) => {
    await orgs.setGrant(request.context, params(request).org, params(request).team, body(request), false);
    return {};
  });
  app.get('/-/user/:user/package', (request) => orgs.userPackages(request.context, params(request).user));
  app.get('/-/package/:name/collaborators', (request) =>
    orgs.collaborators(request.context, parsePackageName(params(request).name)),
  );
  app.get('/-/package/:name/visibility', (request) => orgs.visibility(request.context, parsePackageName(params(request).name)));
  app.post('/-/package/:name/access', async (request) => {
    await orgs.setVisibility(request.context, parsePackageName(params(request).name), body(request).access);
    return {};
  });
}
