// The signatures domain wired in one place (docs/signatures.md).
import { RegistrySigner, type SignerDeps } from './service.js';

export async function wireSignatures(deps: SignerDeps): Promise<{ signer: RegistrySigner }> {
  const signer = new RegistrySigner(deps);
  await signer.ensureKey();
  return { signer };
}
