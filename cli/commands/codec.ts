import { Command, Option } from 'commander';
import { startCodecServer } from '../../client/codec-server';
import { type AesGcmPayloadCodec, payloadCodecFromFile } from '../../client/payload-codec';
import { WORKER_ENV } from '../../worker/settings';
import { commandGroup, emit, untilStopped, withExamples } from '../context';
import { usageError } from '../errors';
import { collect, parsePort } from '../parse';

/** `stagecoach codec serve`: the Web UI's codec endpoint (docs/security.md "Encrypted payloads"). */
export function registerCodecCommands(program: Command): void {
  commandGroup(program, 'codec', 'encrypted payloads: the codec endpoint the Web UI decodes through', [registerServe]);
}

function registerServe(group: Command): void {
  const command = group
    .command('serve')
    .description('serve /encode and /decode for the Temporal Web UI until Ctrl-C (keys from STAGECOACH_PAYLOAD_KEYS)')
    .addOption(new Option('--keys <file>', 'payload key file').env(WORKER_ENV.payloadKeys))
    .addOption(new Option('--port <port>', 'port').argParser(parsePort).default(8089))
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .requiredOption('--ui-origin <urls>', 'Web UI origin(s) allowed to call it (repeat or comma-separate)', collect)
    .action(async (options: { keys?: string; port: number; host: string; uiOrigin: string[] }, cmd: Command) => {
      if (!options.keys)
        throw usageError(`codec serve needs the payload keys: --keys <file> or ${WORKER_ENV.payloadKeys}`);
      let codec: AesGcmPayloadCodec;
      try {
        codec = payloadCodecFromFile(options.keys);
      } catch (error) {
        throw usageError((error as Error).message);
      }
      const server = await startCodecServer({
        codec,
        port: options.port,
        host: options.host,
        uiOrigins: options.uiOrigin,
      });
      emit(cmd, { codecEndpoint: server.url }, (s) => `Codec endpoint on ${s.codecEndpoint} (Ctrl-C stops it)`);
      await untilStopped();
      await server.close();
    });
  withExamples(command, [
    'STAGECOACH_PAYLOAD_KEYS=/etc/stagecoach/payload-keys.yaml stagecoach codec serve --ui-origin http://localhost:8233',
    'stagecoach server --ui-codec-endpoint http://127.0.0.1:8089',
  ]);
}
