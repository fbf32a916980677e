// A pending trusted publisher has done its one job once its first publish created the package:
// it becomes an ordinary configuration of that package, and its creator (now the owner) is told.
// Runs inside the publish's transaction, so the package, the owner and the event land together.
import type { TrustedPublisherPrincipal } from '../access/principal.js';
import type { Repositories } from '../store.js';
import { describeSpec } from './describe.js';

export async function pendingPublisherUsed(
  tx: Repositories,
  publisher: TrustedPublisherPrincipal,
  name: string,
  at: string,
): Promise<void> {
  const config = await tx.trust.byId(publisher.publisherId);
  if (!config || publisher.ownerOnCreate === undefined) return;
  await tx.trust.update(config.id, { pendingUntil: null });
  const owner = await tx.users.byId(publisher.ownerOnCreate);
  await tx.events.append({
    type: 'trusted_publisher.pending_used',
    actor: { kind: 'trusted-publisher', id: config.id },
    packageName: name,
    data: { id: config.id, owner: owner?.name ?? '', identity: describeSpec(config.spec) },
    createdAt: at,
  });
}
