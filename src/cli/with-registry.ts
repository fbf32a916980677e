// The registry as a one-shot command holds it: opened from the configuration with no event poll
// (the command writes, it does not follow), handed to the command, and closed however it ends.
import { loadConfig, type Config } from '../config.js';
import { openRegistry, type OpenedRegistry } from '../registry.js';

export async function withRegistry<T>(
  overrides: Partial<Config>,
  configFile: string | undefined,
  command: (registry: OpenedRegistry) => Promise<T>,
): Promise<T> {
  const config = loadConfig({ file: configFile, overrides: { ...overrides, eventPollMs: 0 } });
  const registry = await openRegistry(config);
  try {
    return await command(registry);
  } finally {
    await registry.close();
  }
}
