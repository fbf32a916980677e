// The only place an error becomes an HTTP answer. Catalog errors keep their status and message;
// framework errors get a plain explanation; anything else is a 500 that names the request id
// and reveals nothing. Bodies use the shape npm prints, {"error": "..."}, plus the catalog code
// that tests and scripts rely on: {"error", "message", "code"}.
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_STATUS, isGatehouseError, type ErrorCode } from '../domain/errors.js';
import { OTHER_BODY, tooLarge } from './body-limits.js';

export function errorBody(
  message: string,
  code: ErrorCode | 'InternalError',
  fields: Readonly<Record<string, string>> = {},
): { error: string; message: string; code: string } {
  return { ...fields, error: message, message, code };
}

/** A request whose body has not been (fully) received: what the client sent so far, and more to come. */
function bodyPending(req: IncomingMessage): boolean {
  if (req.complete) return false;
  return Number(req.headers['content-length']) > 0 || req.headers['transfer-encoding'] !== undefined;
}

const BAD_ENCODING = "The address is not valid URL encoding: a % must be followed by two hex digits (%2f for a scope's /).";

/** Fastify's router answers undecodable URLs itself; this gives them our shape. Used as `frameworkErrors`. */
export function frameworkError(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  if (err.code === 'FST_ERR_BAD_URL') {
    void reply.code(400).send(errorBody(BAD_ENCODING, 'BadRequest'));
    return;
  }
  // FST_ERR_MAX_PARAM_LENGTH (414) or a failed route constraint.
  const message = err.statusCode === 414 ? 'The address is too long.' : 'The address cannot be routed.';
  void reply.code(err.statusCode ?? 400).send(errorBody(message, 'BadRequest'));
}

/**
 * Node's parser failed on the raw request (malformed HTTP, headers too large, a request timeout):
 * there is no request object, only the socket. Used as `clientErrorHandler`. Never logs the error
 * itself: its rawPacket holds the request's bytes, Authorization header included.
 */
export function clientError(this: FastifyInstance, err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [code, message]: [ErrorCode, string] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? ['RequestTimeout', 'The request took too long to arrive; the connection is closed.']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? ['HeadersTooLarge', 'The request headers are too large.']
        : ['BadRequest', 'The request is not valid HTTP.'];
  const status = ERROR_STATUS[code];
  this.log.debug({ code: err.code, status }, 'client error');
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const json = JSON.stringify(errorBody(message, code));
  const head = `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n`;
  socket.end(`${head}Content-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`, () => socket.destroy());
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    // Refused before the body arrived (authentication, a declared size over the limit): close the
    // connection rather than read megabytes nobody will use.
    if (bodyPending(request.raw)) reply.header('connection', 'close');
    if (isGatehouseError(err)) {
      request.log.info({ code: err.code, status: err.status }, 'request refused');
      // The catalog's headers for this code (www-authenticate on a 401) arrive in err.headers.
      reply.headers(err.headers);
      return reply
        .code(err.status)
        .type('application/json')
        .send(errorBody(err.message, err.code, err.fields));
    }
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const limit = request.routeOptions.bodyLimit ?? OTHER_BODY;
      return reply.code(413).send(errorBody(tooLarge(limit), 'BodyTooLarge'));
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      return reply.code(400).send(errorBody('The request body is missing or has an unsupported content type.', 'BadRequest'));
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.code(err.statusCode).send(errorBody(err.message, err.statusCode === 404 ? 'NotFound' : 'BadRequest'));
    }
    request.log.error({ err }, 'request failed');
    return reply.code(500).send(errorBody(`Internal error (request ${request.id}); nothing was changed.`, 'InternalError'));
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(errorBody(`Nothing at ${request.method} ${request.url.split('?')[0]}.`, 'NotFound'));
  });
}
