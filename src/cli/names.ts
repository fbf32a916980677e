// `gatehouse names allow NAME [--user U] [--note TEXT]`, `names disallow NAME`, `names list` and
// `names check NAME`: the typosquatting defence's allowed-names list from the command line
// (docs/typosquatting.md). The operator has the data folder, so no account is asked; the events
// record the change as the system's.
import type { Config } from '../config.js';
import { OPERATOR } from '../domain/names/service.js';
import { TECHNIQUES } from '../domain/names/service.js';
import { withRegistry } from './with-registry.js';

export type NamesCommand = 'allow' | 'disallow' | 'list' | 'check';

export async function namesCommand(
  command: NamesCommand,
  name: string | undefined,
  opts: { user?: string; note?: string },
  overrides: Partial<Config>,
  configFile: string | undefined,
): Promise<void> {
  await withRegistry(overrides, configFile, async (registry) => {
    const { names } = registry;
    const print = (line: string) => process.stdout.write(`${line}\n`);
    switch (command) {
      case 'allow': {
        const entry = await names.allow(OPERATOR, name, { user: opts.user, note: opts.note });
        print(`Allowed ${entry.name}${opts.user ? ` for ${opts.user}` : ' for anyone'}.`);
        return;
      }
      case 'disallow':
        await names.disallow(OPERATOR, name);
        print(`Removed ${name} from the allowed names.`);
        return;
      case 'list':
        for (const entry of await names.allowedNames()) print(`${entry.name}\t${entry.note}`);
        return;
      case 'check': {
        const similar = name === undefined ? undefined : await names.similarTo(name);
        print(
          similar
            ? `${name} resembles ${similar.name}: ${TECHNIQUES[similar.technique]}.`
            : `${name} resembles no protected or popular name.`,
        );
        return;
      }
    }
  });
}
