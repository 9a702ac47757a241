// `npm start` (= `eco-bots up`) and the eco-bots CLI. See local/cli/main.ts for the commands.
import { main } from './cli/main.ts';

const args = process.argv.slice(2);
const code = await main(args);
if (args[0] === 'up') {
  // Everything `up` started is closed by now; exit even if a library (the tsx loader's esbuild
  // service, a keep-alive socket) still holds the event loop, so Ctrl+C always ends the command.
  process.exit(code);
}
process.exitCode = code;
