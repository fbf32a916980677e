// What the domain knows about the request it serves, built once at the HTTP edge
// (src/http/request-context.ts). Holds no secret: never a token, a cookie or a password.
import type { Principal } from './principal.js';

export interface RequestContext {
  principal: Principal;
  /** The client's address: the socket's, or from X-Forwarded-For when a trusted proxy sent it. */
  clientIp: string;
  /** The User-Agent header, control characters removed and capped; '' when absent. */
  userAgent: string;
  /** The `npm-otp` header, only when it looks like a one-time password (6–8 digits). */
  otp: string | undefined;
  /** The `npm-otp` header when it is a browser approval's code (`gwa_…`, domain/webauthn/write-approvals.ts). */
  approval?: string;
  /** The id this request is logged and answered under (x-request-id). */
  requestId: string;
}
