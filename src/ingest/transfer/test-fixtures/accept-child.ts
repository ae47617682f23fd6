/**
 * Accepts one transfer in a process of its own, printing a line per item filed, so the kill
 * test can SIGKILL it part-way. Arguments: database URL, data directory, username, transfer id.
 */
import { openDatabase } from '../../../db/database.js';
import { defaultConfig } from '../../../platform/config.js';
import { actorNamed } from '../transfer-testkit.js';
import { acceptTransfer } from '../transfer.service.js';

const [url, dataDir, username, id] = process.argv.slice(2) as [string, string, string, string];
const database = await openDatabase(url);
const ctx = { database, config: { ...defaultConfig(dataDir), databaseUrl: url } };
await acceptTransfer(ctx, await actorNamed(ctx, username), Number(id), { onProgress: (done, total) => process.stdout.write(`progress ${done}/${total}\n`) });
await database.close();
process.stdout.write('finished\n');
