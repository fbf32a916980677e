// One parser makes a PackageName; everything downstream can trust it. Rules are npm's own
// (validate-npm-package-name), with "valid for new packages" applied to first publishes.
import validate from 'validate-npm-package-name';
import { fail } from '../errors.js';

export type PackageName = string & { readonly brand: 'PackageName' };

export const MAX_NAME_LENGTH = 214;

/** Parses a name seen in a URL or document. Existing legacy names (e.g. upper case) still parse. */
export function parsePackageName(raw: unknown): PackageName {
  // attacker-controlled: parse defensively
  if (typeof raw !== 'string') fail('InvalidPackageName', 'The package name must be a string.');
  const result = validate(raw);
  if (!result.validForOldPackages) {
    fail('InvalidPackageName', `"${printable(raw)}" is not a valid package name: ${(result.errors ?? []).join('; ')}.`);
  }
  return raw as PackageName;
}

/**
 * Why a name may not start a new package: empty when it may. A name valid only for old packages
 * (a core module such as "events", capitals as in "JSONStream") has reasons; see checkNewName.
 */
export function newPackageNameProblems(name: PackageName): string[] {
  const result = validate(name);
  return result.validForNewPackages ? [] : [...(result.errors ?? []), ...(result.warnings ?? [])];
}

export function assertValidForNewPackage(name: PackageName): void {
  const reasons = newPackageNameProblems(name);
  if (reasons.length > 0) {
    fail(
      'InvalidPackageName',
      `"${name}" cannot be used for a new package: ${reasons.join('; ')}. ` +
        'Only an administrator can publish a name that is valid only for old packages.',
    );
  }
}

export function scopeOf(name: PackageName): string | undefined {
  return name.startsWith('@') ? name.slice(0, name.indexOf('/')) : undefined;
}

/** The part after the scope: the tarball file is `<unscoped>-<version>.tgz`. */
export function unscopedName(name: PackageName): string {
  return name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
}

export function tarballFileName(name: PackageName, version: string): string {
  return `${unscopedName(name)}-${version}.tgz`;
}

/** The version a tarball file name stands for (`name-1.0.0.tgz` → `1.0.0`); undefined if it is not one of this package's. */
export function versionOfTarball(name: PackageName, file: string): string | undefined {
  const prefix = `${unscopedName(name)}-`;
  if (!file.startsWith(prefix) || !file.endsWith('.tgz') || file.length <= prefix.length + '.tgz'.length) return undefined;
  return file.slice(prefix.length, -'.tgz'.length);
}

/** `/@scope/name/-/name-1.0.0.tgz`: npm's allowScripts derives name@version from exactly this layout. */
export function tarballPath(name: PackageName, version: string): string {
  return `/${name}/-/${tarballFileName(name, version)}`;
}

/** Keeps attacker-chosen names from putting control characters into messages and logs. */
export function printable(text: string): string {
  const clipped = text.length > 240 ? `${text.slice(0, 240)}…` : text;
  return clipped.replace(/[\u0000-\u001f\u007f]/g, '?');
}
