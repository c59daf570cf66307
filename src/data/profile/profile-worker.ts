// Worker thread of profileTable: for each task, profiles one range of a Parquet file's row
// groups and answers with the profile's JSON form (or the error, with its code).
import { parentPort } from 'node:worker_threads';
import { isRampartError } from '../../core/index.js';
import { openTable } from '../table/open.js';
import { profileToJson } from './json.js';
import { profileBatches, type ProfileReply, type ProfileTask } from './parallel.js';

async function run(task: ProfileTask): Promise<ProfileReply> {
  try {
    const reader = await openTable(task.path, task.options);
    return { profile: profileToJson(await profileBatches(reader.batches())) };
  } catch (error) {
    if (isRampartError(error)) {
      return {
        error: {
          code: error.code,
          message: error.message,
          hint: error.hint,
          details: { ...error.details },
        },
      };
    }
    return { error: { code: 'RAMPART_INTERNAL', message: String(error) } };
  }
}

parentPort?.on('message', (task: ProfileTask) => {
  void run(task).then((reply) => parentPort?.postMessage(reply));
});
