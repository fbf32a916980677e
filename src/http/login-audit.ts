// The log line for every refused login, legacy or web: which account was tried and from which
// address, so an operator can see guessing. Never logs the password, a token or a done secret.
import type { FastifyRequest } from 'fastify';
import { isGatehouseError } from '../domain/errors.js';

export async function auditedLogin<T>(
  request: FastifyRequest,
  account: string,
  method: 'password' | 'web',
  attempt: () => Promise<T>,
): Promise<T> {
  try {
    return await attempt();
  } catch (err) {
    if (isGatehouseError(err)) {
      // attacker-controlled: the name is whatever was typed, so it is bounded before logging.
      request.log.warn({ account: account.slice(0, 100), ip: request.context.clientIp, method, code: err.code }, 'login failed');
    }
    throw err;
  }
}
