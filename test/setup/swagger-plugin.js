// Runs the @nestjs/swagger CLI plugin inside ts-jest, so the OpenAPI document under test
// is the one `nest build` produces.
const transformer = require('@nestjs/swagger/plugin');

module.exports.name = 'nestjs-swagger-transformer';
module.exports.version = 1;
module.exports.factory = (cs) =>
  transformer.before(
    { introspectComments: true, classValidatorShim: true, dtoFileNameSuffix: ['.dto.ts'] },
    cs.program,
  );
