import { defineErrors } from '../core/errors.ts';

export const DeployErrors = defineErrors('DEPLOY', {
  INVALID_CONFIG: {
    status: 400,
    kind: 'user',
    message: 'invalid function configuration:\n{problems}',
    hint: 'fix the settings listed above',
  },
  BUILD_FAILED: {
    status: 400,
    kind: 'user',
    message: 'bundling failed:\n{messages}',
    hint: 'fix the errors above (file:line:column) and deploy again',
  },
  COMPILE_FAILED: {
    status: 400,
    kind: 'user',
    message: 'compiling the {language} sources failed:\n{messages}',
    hint: 'fix the errors above (file:line) and deploy again',
  },
  HANDLER_FILE_NOT_FOUND: {
    status: 400,
    kind: 'user',
    message: 'handler {handler}: none of {tried} exists in the code',
    hint: 'set the handler to <file path without extension>.<exported function>, e.g. index.handler',
  },
  BAD_ARCHIVE: {
    status: 400,
    kind: 'user',
    message: 'the code archive is not usable: {reason}',
    hint: 'upload a zip or tar(.gz) of the function directory',
  },
  ISOLATE_INCOMPATIBLE: {
    status: 400,
    kind: 'user',
    message: 'the function imports {imports}, which the isolate runtime does not provide',
    hint: 'isolate functions get no Node.js modules (fs, net, child_process, …): remove those imports or deploy with isolation: process',
  },
  PATH_OUTSIDE_ROOT: {
    status: 400,
    kind: 'user',
    message: 'the function refers to files outside its code root:\n{paths}',
    hint: 'a function may only use files inside its own code (the uploaded directory or archive): copy what it needs into it and import it with a relative path (@nimbus/sdk is the one exception)',
  },
  BUILD_TIMEOUT: {
    status: 400,
    kind: 'user',
    message: 'the {step} step did not finish within {seconds} s and was stopped',
    hint: 'make the build smaller (fewer or smaller dependencies), or deploy again if the platform was busy',
  },
  BUILD_OUT_OF_MEMORY: {
    status: 400,
    kind: 'user',
    message: 'the {step} step ran out of memory (limit {limitMb} MB) and was stopped',
    hint: 'make the build smaller (fewer or smaller dependencies)',
  },
  BUILD_CRASHED: {
    status: 500,
    kind: 'system',
    message: 'the {step} step exited unexpectedly ({reason})',
  },
  ARCHIVE_TOO_LARGE: {
    status: 413,
    kind: 'user',
    message: 'the unpacked code is larger than {limit} bytes',
    hint: 'exclude files the function does not need (tests, caches)',
  },
});
