// @ts-check
/**
 * `nest g pipeline <pipeline> <app>`: a pipeline of the app as its next free type — a GPT list
 * step, then one image per item — with its prompt template, image style and e2e test, added
 * to the app's module.
 */
const { strings } = require('@angular-devkit/core');
const { apply, chain, mergeWith, move, SchematicsException, template, url } = require('@angular-devkit/schematics');
const { checkName, declareInModule, nextFree, typesInUse } = require('../shared/project');

/** @param {{ name: string; path: string }} options */
function pipeline(options) {
  const name = checkName(options.name, 'pipeline');
  // The Nest CLI passes the second argument as `path`; here it names the app.
  const app = checkName((options.path ?? '').replace(/^.*\//, ''), 'app');
  const appDir = `/src/apps/${app}`;
  return (tree) => {
    const modulePath = `${appDir}/${app}.module.ts`;
    if (!tree.exists(modulePath)) throw new SchematicsException(`There is no app "${app}" (${modulePath}); create it with: nest g app ${app}`);
    if (tree.exists(`${appDir}/pipelines/${name}.pipeline.ts`)) throw new SchematicsException(`The ${app} app already has a pipeline "${name}".`);
    const type = nextFree(typesInUse(tree, appDir));
    const config = /export const (\w+)\s*=\s*defineConfig\(/.exec(tree.readText(`${appDir}/${app}.config.ts`) ?? '')?.[1];
    const variables = /export class (\w+Variables)\b/.exec(tree.readText(`${appDir}/${app}.config.ts`) ?? '')?.[1];
    const variable = /\b([A-Z][A-Z0-9_]*_APP_ID)\s*=/.exec(tree.readText(`${appDir}/${app}.config.ts`) ?? '')?.[1];
    if (!config || !variables || !variable) throw new SchematicsException(`${appDir}/${app}.config.ts does not declare the app's <NAME>_APP_ID variable.`);
    return chain([
      mergeWith(apply(url('./files'), [template({ ...strings, name, app, type, variables, variable }), move('/')])),
      (next) => {
        declareInModule(next, modulePath, `${strings.classify(name)}Pipeline`, `${appDir}/pipelines/${name}.pipeline`, 'providers');
        return next;
      },
    ]);
  };
}

module.exports = { pipeline };
