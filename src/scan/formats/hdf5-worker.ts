// Worker thread entry for HDF5 reading: the HDF5 C library can loop or leak on hostile files,
// so it runs here, where the scanner can time it out and replace it (hdf5-client.ts).
import { parentPort } from 'node:worker_threads';
import { readHdf5, type Hdf5Request } from './hdf5-reader.js';

parentPort?.on('message', (message: { id: number; request: Hdf5Request }) => {
  void readHdf5(message.request).then((result) => {
    parentPort?.postMessage({ id: message.id, result });
  });
});
