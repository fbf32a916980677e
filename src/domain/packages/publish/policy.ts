// Step 4: what the registry's rules forbid whatever the tarball holds: a name valid only for old
// packages (unless an administrator starts it), and a version that exists or existed (versions
// are immutable and never reused). Later: the typosquatting check registers next to this.
import { fail } from '../../errors.js';
import type { TokenPrincipal, TrustedPublisherPrincipal } from '../../access/principal.js';
import type { Repositories } from '../../store.js';
import { assertValidForNewPackage, newPackageNameProblems, type PackageName } from '../names.js';
import { need, type PublishContext } from './context.js';
import type { PublishStep } from './pipeline.js';

export const policy: PublishStep = {
  name: 'policy',
  async run(ctx: PublishContext, deps) {
    const facts = need(ctx.facts, 'the package facts', 'policy');
    const document = need(ctx.document, 'the document', 'policy');
    const publisher = need(ctx.publisher, 'the publisher', 'policy');
    if (!facts.pkg) ctx.legacyName = checkNewName(publisher, ctx.name);
    if (ctx.legacyName.length > 0) ctx.warnings.push(legacyNameWarning(ctx.name, ctx.legacyName));
    await refuseExistingVersion(deps.store, ctx.name, document.version);
  },
};

/**
 * A name npm accepts only for old packages (core module names, capitals) may start a package
 * only when an administrator publishes it, e.g. to carry over a package from another registry.
 * Returns the reasons, which the event records; refuses everyone else with them.
 */
function checkNewName(publisher: TokenPrincipal | TrustedPublisherPrincipal, name: PackageName): string[] {
  const reasons = newPackageNameProblems(name);
  if (reasons.length > 0 && !(publisher.kind === 'user' && publisher.user.isAdmin)) assertValidForNewPackage(name);
  return reasons;
}

export function legacyNameWarning(name: string, reasons: string[]): string {
  return `"${name}" is valid only for old packages (${reasons.join('; ')}); it was accepted because an administrator published it.`;
}

async function refuseExistingVersion(repos: Repositories, name: PackageName, version: string): Promise<void> {
  const existing = await repos.packages.version(name, version);
  if (existing) versionTaken(name, version, existing);
}

export function versionTaken(
  name: string,
  version: string,
  existing: { unpublishedAt: string | null; state?: string } | undefined,
): never {
  if (existing?.state === 'staged') {
    fail(
      'VersionStaged',
      existing.unpublishedAt
        ? `${name}@${version} was staged and rejected; its number is never reused. Bump the version.`
        : `${name}@${version} is staged, waiting for approval (\`npm stage list ${name}\`); approve or reject it, or bump the version.`,
    );
  }
  if (existing?.unpublishedAt) {
    fail(
      'VersionWasUnpublished',
      `${name}@${version} was published and later unpublished; a version number can never be reused. Bump the version.`,
    );
  }
  fail('VersionExists', `${name}@${version} is already published; published versions never change. Bump the version.`);
}
