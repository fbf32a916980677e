// Who may see and decide a stage: the package's maintainers (owners and read-write grantees), by
// token or web session. Seeing needs a token that reads; deciding (approve, reject) one that may
// publish, so a stolen stage-only CI token can neither approve its own stage nor reject others'.
// A trusted publisher (a CI identity) stages but never sees or decides stages.
import { assertNever, type Denial, type Principal, type SessionPrincipal, type TokenPrincipal } from '../access/principal.js';
import type { PackageFacts } from '../packages/authorize.js';
import { packageLimitDenial } from '../tokens/limits.js';
import { tokenAllows } from '../tokens/scopes.js';

export type StageAction = 'view' | 'decide';

export type StageReviewer = TokenPrincipal | SessionPrincipal;

export function canReviewStage(
  principal: Principal,
  facts: Pick<PackageFacts, 'name' | 'owners' | 'writers'>,
  action: StageAction,
): { ok: true; principal: StageReviewer } | Denial {
  switch (principal.kind) {
    case 'anonymous':
      return {
        ok: false,
        code: 'Unauthenticated',
        reason: 'You must be logged in to see staged versions. Run `npm login` first.',
      };
    case 'trusted-publisher':
      return {
        ok: false,
        code: 'PrincipalNotSupported',
        reason: 'A trusted publisher stages versions; only maintainers see or decide them.',
      };
    case 'user': {
      const token = principal.token;
      if (action === 'decide' && !tokenAllows(token, 'publish'))
        return tokenAllows(token, 'stage')
          ? { ok: false, code: 'TokenStageOnly', reason: 'A stage-only token cannot approve or reject staged versions.' }
          : {
              ok: false,
              code: 'TokenReadOnly',
              reason: 'This token is read-only; approving or rejecting needs one that can publish.',
            };
      const limited = packageLimitDenial(token, facts.name);
      if (limited) return limited;
      return maintainer(principal, facts);
    }
    case 'session':
      return maintainer(principal, facts);
    default:
      return assertNever(principal);
  }
}

function maintainer(
  principal: StageReviewer,
  facts: Pick<PackageFacts, 'name' | 'owners' | 'writers'>,
): { ok: true; principal: StageReviewer } | Denial {
  const id = principal.user.id;
  if (facts.owners.some((o) => o.id === id) || facts.writers?.has(id)) return { ok: true, principal };
  return { ok: false, code: 'NotMaintainer', reason: `You are not a maintainer of "${facts.name}".` };
}
