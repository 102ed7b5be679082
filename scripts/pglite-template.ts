/** Makes the migrated PGlite template for the current migrations (run by `npm run build`; first starts make it too). */
import { pgliteDatabase, prepareTemplate } from '../server/db';
import { ensurePgliteTemplate } from '../server/db/template';

ensurePgliteTemplate((client) => prepareTemplate(pgliteDatabase(client)))
  .then((dir) => process.stdout.write(`PGlite template: ${dir}\n`))
  .catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
