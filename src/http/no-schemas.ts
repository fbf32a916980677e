// Gatehouse's routes declare no schemas: each handler checks its own input and answers with its
// own error codes. Fastify would still load its schema compilers at start (three copies of ajv and
// fast-json-stringify, about 2 MB of heap and more of code, held for as long as the server runs);
// given these instead, it loads none. A route that declared a schema fails the first time it is
// compiled, at start, with this message.
export const schemaController = {
  compilersFactory: { buildValidator: () => noSchemas, buildSerializer: () => noSchemas },
};

function noSchemas(): never {
  throw new Error('Gatehouse routes declare no schemas (src/http/no-schemas.ts): check the input in the handler');
}
