/** @module Process entry of the CLI: runs main() with the process arguments and sets the exit code. */
import { main } from './main.js';

// A reader that closes early (`bindy-loadtest burst --help | head`) is not an error of ours: the rest
// of the output is dropped, and a run still cleans up and writes its files.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

process.exitCode = await main(process.argv.slice(2));
