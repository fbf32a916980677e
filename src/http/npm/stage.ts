// Staged publishing over npm's protocol (npm ≥ 11.15, docs/staged-publishing.md):
// `npm stage publish` POSTs the publish document to /-/stage/package/<escapedName> without a
// one-time password (libnpmpublish/lib/publish.js) and reads `stageId`; list, view, download,
// approve and reject use /-/stage[/<id>[/tarball|/approve]] (npm/lib/commands/stage/*.js).
// Owners turn "require staging for every publish" on at /-/package/<name>/staging.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from '../../registry.js';
import { fail } from '../../domain/errors.js';
import { isObject } from '../../domain/packages/publish-document.js';
import { parsePackageName, type PackageName } from '../../domain/packages/names.js';
import { MAX_PER_PAGE } from '../../domain/staging/service.js';
import { splitUrl } from './paths.js';
import { noticeHeader } from '../notice.js';

const STAGE_PUBLISH = '/-/stage/package/';

/** npm escapes the name (`@scope%2fname`); attacker-controlled: parse defensively. */
function stagedName(request: FastifyRequest): PackageName {
  const raw = splitUrl(request.url).path.slice(STAGE_PUBLISH.length);
  let name: string;
  try {
    name = decodeURIComponent(raw);
  } catch {
    fail('BadRequest', 'The address is not valid URL encoding.');
  }
  return parsePackageName(name);
}

function count(value: unknown, fallback: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max)
    fail('BadRequest', `"${String(value).slice(0, 20)}" is not a page number up to ${max}.`);
  return n;
}

export function registerStageRoutes(app: FastifyInstance, registry: Registry): void {
  const config = registry.config;
  app.post(
    `${STAGE_PUBLISH}*`,
    {
      // The one route beside PUT /<name> that carries a tarball.
      bodyLimit: config.maxBodyBytes,
      // As for a publish: who may stage is decided before a large body is read (packages.ts).
      preParsing: async (request, _reply, payload) => {
        const declared = Number(request.headers['content-length']);
        const unknownSize = request.headers['transfer-encoding'] !== undefined;
        if (unknownSize || declared > config.maxDocumentBytes)
          await registry.packages.checkBeforeStage(request.context, stagedName(request));
        return payload;
      },
    },
    async (request, reply) => {
      const name = stagedName(request);
      if (!isObject(request.body)) fail('BadRequest', 'Send the publish document as a JSON object.');
      const staged = await registry.packages.publish(request.context, name, request.body, { stage: true });
      request.log.info({ pkg: staged.name, version: staged.version, stageId: staged.stageId }, 'staged');
      if (staged.notices.length > 0) reply.header('npm-notice', noticeHeader(staged.notices));
      return reply
        .code(201)
        .send({ ok: true, stageId: staged.stageId, id: staged.name, version: staged.version, tag: staged.tag });
    },
  );
  app.get<{ Querystring: Record<string, string | undefined> }>('/-/stage', async (request) => {
    const q = request.query;
    const packageName = q.package ? parsePackageName(q.package) : undefined;
    return registry.staging.list(request.context, {
      packageName,
      page: count(q.page, 0, 1_000_000),
      perPage: count(q.perPage, MAX_PER_PAGE, MAX_PER_PAGE) || MAX_PER_PAGE,
    });
  });
  app.get<{ Params: { id: string } }>('/-/stage/:id', async (request) =>
    registry.staging.view(request.context, request.params.id),
  );
  app.get<{ Params: { id: string } }>('/-/stage/:id/tarball', async (request, reply) => {
    const { stage, bytes } = await registry.staging.tarball(request.context, request.params.id);
    const file = `${stage.packageName.split('/').pop() ?? 'package'}-${stage.version}.tgz`;
    return reply
      .header('content-type', 'application/octet-stream')
      .header('content-disposition', `attachment; filename="${file}"`)
      .header('cache-control', 'private, no-store')
      .send(bytes);
  });
  app.post<{ Params: { id: string } }>('/-/stage/:id/approve', async (request) => {
    const stage = await registry.staging.approve(request.context, request.params.id);
    return { ok: true, id: stage.packageName, version: stage.version, tag: stage.tag };
  });
  app.delete<{ Params: { id: string } }>('/-/stage/:id', async (request) => {
    const stage = await registry.staging.reject(request.context, request.params.id);
    return { ok: true, id: stage.packageName, version: stage.version };
  });
  app.get<{ Params: { pkg: string } }>('/-/package/:pkg/staging', async (request) => ({
    required: await registry.staging.requiresStaging(request.context, parsePackageName(request.params.pkg)),
  }));
  app.put<{ Params: { pkg: string } }>('/-/package/:pkg/staging', async (request) => {
    const body = request.body;
    if (!isObject(body) || typeof body.required !== 'boolean')
      fail('BadRequest', 'Send {"required": true} or {"required": false}.');
    await registry.staging.setRequiresStaging(request.context, parsePackageName(request.params.pkg), body.required);
    return { ok: true, required: body.required };
  });
}
