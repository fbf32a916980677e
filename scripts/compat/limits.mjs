// Tells refusals caused by a size limit apart from the others, with the figure that exceeded it,
// so defaults can be decided on real packages. Reads the limits from the build under test.

import { list } from 'tar';

const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);
// src/registry.ts: package.json larger than this is refused as TarballBadPackageJson.
const MAX_PACKAGE_JSON_BYTES = 1024 * 1024;

/** What node-tar sees in the tarball: the figures the limits apply to. */
export async function measureTarball(file) {
  const figures = { fileCount: 0, unpackedBytes: 0, maxPathDepth: 0, packageJsonBytes: 0 };
  await list({
    file,
    onReadEntry(entry) {
      const segments = entry.path.split('/').filter((s) => s !== '' && s !== '.');
      figures.maxPathDepth = Math.max(figures.maxPathDepth, segments.length - 1);
      if (FILE_TYPES.has(entry.type)) {
        figures.fileCount += 1;
        figures.unpackedBytes += entry.size;
        if (segments.join('/') === 'package/package.json') figures.packageJsonBytes = entry.size;
      }
      entry.resume();
    },
  });
  return figures;
}

/**
 * For a refusal: { setting, limit, figure } when a limit caused it, else null. The first three
 * codes only ever mean a limit (the figure is ours, measured with node-tar, so it may sit just
 * under the server's own count); the others also have causes that are not limits.
 */
export function limitBreached(refusal, figures, config) {
  const [setting, limit, figure, always] =
    {
      BodyTooLarge: ['maxBodyBytes', config.maxBodyBytes, refusal.approxBodyBytes, true],
      TarballTooLarge: ['maxUnpackedBytes', config.maxUnpackedBytes, figures.unpackedBytes, true],
      TarballTooManyFiles: ['maxFileCount', config.maxFileCount, figures.fileCount, true],
      TarballUnsafePath: ['maxPathDepth', config.maxPathDepth, figures.maxPathDepth, false],
      // Fastify may close the connection on an oversized body instead of answering 413.
      '(no answer)': ['maxBodyBytes', config.maxBodyBytes, refusal.approxBodyBytes, false],
      TarballBadPackageJson: ['package.json size (fixed)', MAX_PACKAGE_JSON_BYTES, figures.packageJsonBytes, false],
    }[refusal.code] ?? [];
  return setting && (always || figure > limit) ? { setting, limit, figure } : null;
}
