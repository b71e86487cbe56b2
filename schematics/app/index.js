// @ts-check
/**
 * `nest g app <name>`: a generation app in src/apps/<name> with its next free APP_ID, and its
 * starter pipeline (the pipeline schematic) as type 0; the module is registered in AppModule
 * and the APP_ID variable added to .env.example and the README.
 */
const { strings } = require('@angular-devkit/core');
const { apply, chain, mergeWith, move, schematic, SchematicsException, template, url } = require('@angular-devkit/schematics');
const { addEnvVariable, addReadmeRow, appIdsInUse, checkName, declareInModule, nextFree } = require('../shared/project');

/** @param {{ name: string; pipeline?: string }} options */
function app(options) {
  const name = checkName(options.name, 'app');
  const pipeline = checkName(options.pipeline ?? 'ideas', 'pipeline');
  const appDir = `/src/apps/${name}`;
  const variable = `${strings.underscore(name).toUpperCase()}_APP_ID`;
  return (tree) => {
    if (tree.exists(`${appDir}/${name}.module.ts`)) throw new SchematicsException(`The app "${name}" already exists (${appDir}).`);
    const appId = nextFree(appIdsInUse(tree));
    return chain([
      mergeWith(apply(url('./files'), [template({ ...strings, name, appId, variable }), move('/')])),
      (next) => {
        declareInModule(next, '/src/app.module.ts', `${strings.classify(name)}Module`, `${appDir}/${name}.module`, 'imports');
        addEnvVariable(next, variable, appId, `The APP_ID under which the ${name} app answers /generate.`);
        addReadmeRow(next, variable, appId, `the APP_ID of the ${name} app`);
        return next;
      },
      schematic('pipeline', { name: pipeline, path: name }),
    ]);
  };
}

module.exports = { app };
