// The web UI's routes. Pages are rendered on the server; the only script is the WebAuthn
// ceremony (security-keys.ts serves it with its library), and the stylesheet is static too. Page addresses that npm clients could also ask for are PAGE_ONLY routes
// (negotiation.ts), so the npm routes keep answering npm there.
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Registry } from '../../registry.js';
import { registerHomePages } from './home.js';
import { registerLoginPages } from './login.js';
import { registerPackagePages } from './package-page.js';
import { registerPolicyPages } from './policies.js';
import { registerPageNegotiation } from './negotiation.js';
import { registerSignupPages } from './signup.js';
import { registerVerifyEmailPages } from './verify-email.js';
import { registerSessionPages } from './session.js';
import { registerAccountPages } from './account.js';
import { registerCsrfCheck } from './csrf.js';
import { registerResetPasswordPages } from './reset-password.js';
import { registerSecurityKeyPages } from './security-keys.js';
import { registerWriteApprovalPages } from './approve-write.js';
import { registerTrustPages } from './trust-page.js';
import { registerPasswordChangeGate, registerPasswordChangePages } from './password-change.js';
import { registerTotpPages } from './account-totp.js';
import { registerEmailChangePages } from './account-email.js';
import { registerReportPages } from './report-pages.js';
import { registerDisclosurePages } from './disclosure.js';
import { registerSecurityAssessmentPage } from './security-assessment.js';
import { registerTyposquattingPolicyPage } from './typosquatting-policy.js';

const STYLESHEET = readFileSync(new URL('../../../static/style.css', import.meta.url));

export function registerWebRoutes(app: FastifyInstance, registry: Registry): void {
  registerPageNegotiation(app);
  registerCsrfCheck(app, registry);
  // After the CSRF check: a forged post is refused before it could be redirected.
  registerPasswordChangeGate(app);
  app.get('/static/style.css', async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(STYLESHEET),
  );
  registerHomePages(app, registry);
  registerPackagePages(app, registry);
  registerPolicyPages(app, registry);
  registerLoginPages(app, registry);
  registerSignupPages(app, registry);
  registerVerifyEmailPages(app, registry);
  registerSessionPages(app, registry);
  registerAccountPages(app, registry);
  registerResetPasswordPages(app, registry);
  registerSecurityKeyPages(app, registry);
  registerWriteApprovalPages(app, registry);
  registerTrustPages(app, registry);
  registerPasswordChangePages(app, registry);
  registerTotpPages(app, registry);
  registerEmailChangePages(app, registry);
  registerReportPages(app, registry);
  registerDisclosurePages(app, registry);
  registerSecurityAssessmentPage(app, registry);
  registerTyposquattingPolicyPage(app, registry);
}
