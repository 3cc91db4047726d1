export {
  errorCatalogue,
  isPipewatchError,
  PipewatchError,
  type ErrorCode,
  type ErrorKind,
} from './errors.js';
