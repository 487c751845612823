// `pnpm migrate [up|down [count]]` against DATABASE_URL; in the image `node dist/migrate-cli.js`.
import { loadConfig } from '../config.js';
import { migrateDown, migrateUp } from './migrate.js';

const config = loadConfig();
if (!config.DATABASE_URL) {
  console.error('DATABASE_URL is required for pnpm migrate (pnpm start migrates the embedded database itself).');
  process.exit(2);
}
const [direction = 'up', count = '1'] = process.argv.slice(2);
const names =
  direction === 'down'
    ? await migrateDown(config.DATABASE_URL, Number(count), config.MIGRATIONS_DIR)
    : await migrateUp(config.DATABASE_URL, { info: (m) => console.log(m) }, config.MIGRATIONS_DIR);
console.log(`${direction}: ${names.length ? names.join(', ') : 'nothing to do'}`);
