// Builds dist/docs/ (the gateway serves it at /docs/): the page and init script of docs/ plus
// swagger-ui-dist's bundle and stylesheet, vendored from node_modules (no CDN). Runs after
// `vite build`, which empties dist/.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const web = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(web, 'dist', 'docs');
const swagger = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
mkdirSync(out, { recursive: true });
for (const file of readdirSync(join(web, 'docs'))) copyFileSync(join(web, 'docs', file), join(out, file));
for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css', 'LICENSE', 'NOTICE']) copyFileSync(join(swagger, file), join(out, file));
console.log(`docs: ${out}`);
