// The official SBOM schemas, compiled with ajv: CycloneDX 1.6 as the @cyclonedx/cyclonedx-library
// package ships it (with the SPDX license list and JSF schemas it references, registered under the
// URIs its $refs name, as that library's own validator does), and SPDX 2.3 as published by the SPDX
// project (test/client/sbom-spdx-2.3.schema.json: schemas/spdx-schema.json of spdx/spdx-spec at tag
// v2.3, commit aadf3b0b8dbbabdb4d880b0fc714255fea436ff7, unmodified, sha256 239208b7…b89b; no npm
// package ships it). Both are JSON Schema draft-07.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';

const require = createRequire(import.meta.url);
const CDX = join(dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json')), 'res', 'schema');
const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
// ajv-formats is CommonJS with `exports.default`: under ESM the function is that property.
const addFormats = (addFormatsModule as unknown as { default: (ajv: Ajv) => Ajv }).default;

function compiler(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, addUsedSchema: false });
  addFormats(ajv);
  // ajv-formats has no IRI or IDN formats; the CycloneDX library's own validator accepts any
  // iri-reference too. Our SBOMs contain no e-mail addresses.
  ajv.addFormat('iri-reference', true);
  ajv.addFormat('idn-email', true);
  return ajv;
}

const cdx = compiler();
cdx.addSchema(read(join(CDX, 'spdx.SNAPSHOT.schema.json')), 'http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json');
cdx.addSchema(read(join(CDX, 'jsf-0.82.SNAPSHOT.schema.json')), 'http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json');
const validateCdx = cdx.compile(read(join(CDX, 'bom-1.6.SNAPSHOT.schema.json')));
const validateSpdx = compiler().compile(read(new URL('./sbom-spdx-2.3.schema.json', import.meta.url).pathname));

const describe = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params).slice(0, 200)}`);

/** The schema's complaints about a CycloneDX 1.6 document; [] when it is valid. */
export function cycloneDxErrors(doc: unknown): string[] {
  return validateCdx(doc) ? [] : describe(validateCdx.errors);
}

/** The schema's complaints about an SPDX 2.3 document; [] when it is valid. */
export function spdxErrors(doc: unknown): string[] {
  return validateSpdx(doc) ? [] : describe(validateSpdx.errors);
}
