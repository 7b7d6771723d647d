/** @module Process entry of the CLI: runs main() with the process arguments and sets the exit code. */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
