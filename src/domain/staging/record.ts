// The stage a stage publish leaves, written by the publish commit step in its own transaction:
// the stage row (its id, the dist-tag fixed now, who staged it) and the version.staged event,
// which mails the package's owners. The version row itself is already in, with state `staged`.
import { randomUUID } from 'node:crypto';
import type { Repositories } from '../store.js';
import type { Actor } from '../access/actor.js';
import type { TokenPrincipal, TrustedPublisherPrincipal } from '../access/principal.js';
import type { PublishRequest } from '../packages/publish-document.js';

export async function recordStage(
  tx: Repositories,
  stage: {
    name: string;
    request: Pick<PublishRequest, 'version' | 'tag' | 'integrity' | 'tarball'>;
    publisher: TokenPrincipal | TrustedPublisherPrincipal;
    actor: Actor;
    at: string;
  },
): Promise<string> {
  const id = randomUUID();
  const { publisher } = stage;
  await tx.stages.insert({
    id,
    packageName: stage.name,
    version: stage.request.version,
    tag: stage.request.tag,
    actorName: publisher.kind === 'user' ? publisher.user.name : `${publisher.issuer} ${publisher.subject}`,
    actorType: publisher.kind === 'user' ? 'user' : 'trusted-publisher',
    createdAt: stage.at,
  });
  await tx.events.append({
    type: 'version.staged',
    actor: stage.actor,
    packageName: stage.name,
    version: stage.request.version,
    data: { stageId: id, tag: stage.request.tag, integrity: stage.request.integrity, size: stage.request.tarball.length },
    createdAt: stage.at,
  });
  return id;
}
