import { parentPort, workerData } from 'node:worker_threads';
import { type ScanSetup, countTotals } from './scan.js';

// Entry of the scan worker: counts the files and bytes a backup will walk, for the progress
// display's totals and ETA, and posts them once. See scanTotals in scan.ts.
const setup = workerData as ScanSetup;
if (!parentPort) throw new Error('scan-worker must run in a worker thread');
parentPort.postMessage(countTotals(setup.sources, new Set(setup.skip)));
