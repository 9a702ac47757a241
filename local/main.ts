// `npm start` (= `eco-bots up`) and the eco-bots CLI. See local/cli/main.ts for the commands.
import { main } from './cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
