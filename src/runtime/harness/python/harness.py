# Nimbus Python harness: runs INSIDE the sandbox, stdlib only. Protocol: ../../PROTOCOL.md
# (length-prefixed JSON frames over fd 3).
import importlib.util
import io
import json
import logging
import os
import resource
import socket
import struct
import sys
import time
import traceback

chan = socket.socket(fileno=3)
current = {"id": None}


def send(msg):
    body = json.dumps(msg).encode("utf-8")
    chan.sendall(struct.pack(">I", len(body)) + body)


def recv_exact(n):
    data = b""
    while len(data) < n:
        chunk = chan.recv(n - len(data))
        if not chunk:
            sys.exit(0)
        data += chunk
    return data


def recv():
    (n,) = struct.unpack(">I", recv_exact(4))
    return json.loads(recv_exact(n).decode("utf-8"))


class LogStream(io.TextIOBase):
    def __init__(self, stream):
        self.stream = stream
        self.pending = ""

    def writable(self):
        return True

    def write(self, s):
        self.pending += s
        while "\n" in self.pending:
            line, self.pending = self.pending.split("\n", 1)
            send({"t": "log", "requestId": current["id"], "stream": self.stream, "ts": int(time.time() * 1000), "message": line})
        return len(s)

    def flush(self):
        if self.pending:
            line, self.pending = self.pending, ""
            send({"t": "log", "requestId": current["id"], "stream": self.stream, "ts": int(time.time() * 1000), "message": line})


sys.stdout = LogStream("stdout")
sys.stderr = LogStream("stderr")


class LambdaLogHandler(logging.Handler):
    """The root logger's handler, as on Lambda: `[LEVEL]\t<time>\t<request id>\t<message>`, one
    log event per record (a traceback stays with its message). The root level stays WARNING, as
    there: `logging.getLogger().setLevel(logging.INFO)` shows info records."""

    def emit(self, record):
        try:
            msg = self.format(record)
            when = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + ".%03dZ" % record.msecs
            line = "[%s]\t%s\t%s\t%s" % (record.levelname, when, current["id"] or "", msg)
            send({"t": "log", "requestId": current["id"], "stream": "stdout", "ts": int(record.created * 1000), "message": line, "level": record.levelname})
        except Exception:  # noqa: BLE001 - logging must never break the function
            self.handleError(record)


logging.getLogger().addHandler(LambdaLogHandler())


def rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def error_payload(e, error_type=None):
    out = {
        "errorType": error_type or type(e).__name__,
        "errorMessage": str(e),
        # The function's frames only, as Lambda shows them (not the harness's own).
        "trace": traceback.format_list([f for f in traceback.extract_tb(e.__traceback__) if f.filename != __file__]),
    }
    # NonRetriableError / RetryAfterError are recognised by class name; retry_after_ms is read here.
    ms = getattr(e, "retry_after_ms", None)
    if isinstance(ms, (int, float)):
        out["retryAfterMs"] = ms
    return out


class NimbusCallError(Exception):
    def __init__(self, error):
        super().__init__((error or {}).get("message", "context call failed"))
        self.code = (error or {}).get("code")
        self.status = (error or {}).get("status")


_call_seq = [0]


def _call(request_id, op, args):
    """Context-client call: one `call` frame, then read frames until its `reply` (handlers are sync)."""
    _call_seq[0] += 1
    call_id = _call_seq[0]
    send({"t": "call", "requestId": request_id, "callId": call_id, "op": op, "args": args})
    while True:
        m = recv()
        if m.get("t") == "reply" and m.get("callId") == call_id:
            if m.get("ok"):
                return m.get("value")
            raise NimbusCallError(m.get("error"))


class Timers:
    def __init__(self, request_id):
        self._id = request_id

    def schedule(self, target, payload=None, delay_seconds=None, at=None, idempotency_key=None):
        args = {"target": target, "payload": payload}
        if delay_seconds is not None:
            args["delaySeconds"] = delay_seconds
        if at is not None:
            args["at"] = at
        if idempotency_key is not None:
            args["idempotencyKey"] = idempotency_key
        return _call(self._id, "timer.schedule", args)

    def cancel(self, timer_id):
        return _call(self._id, "timer.cancel", {"id": timer_id})


class Workflows:
    def __init__(self, request_id):
        self._id = request_id

    def start(self, state_machine, input=None, name=None):
        return _call(self._id, "workflow.start", {"stateMachine": state_machine, "input": input, "name": name})

    def send_task_success(self, task_token, output=None):
        return _call(self._id, "workflow.taskSuccess", {"taskToken": task_token, "output": output})

    def send_task_failure(self, task_token, error=None, cause=None):
        return _call(self._id, "workflow.taskFailure", {"taskToken": task_token, "error": error, "cause": cause})

    def send_task_heartbeat(self, task_token):
        return _call(self._id, "workflow.taskHeartbeat", {"taskToken": task_token})


class ContextClient:
    """`context.nimbus`: async invoke and timers, scoped to this function's tenant."""

    def __init__(self, request_id):
        self._id = request_id
        self.timers = Timers(request_id)
        self.workflows = Workflows(request_id)

    def invoke(self, function_name, payload=None, delay_seconds=None, idempotency_key=None, qualifier=None):
        args = {"functionName": function_name, "payload": payload}
        if delay_seconds is not None:
            args["delaySeconds"] = delay_seconds
        if idempotency_key is not None:
            args["idempotencyKey"] = idempotency_key
        if qualifier is not None:
            args["qualifier"] = qualifier
        return _call(self._id, "invoke", args)

    def publish(self, topic, event):
        return _call(self._id, "publish", {"topic": topic, "event": event})


class Context:
    def __init__(self, init, msg):
        self.aws_request_id = msg["requestId"]
        self.function_name = init["functionName"]
        self.function_version = init["functionVersion"]
        self.invoked_function_arn = msg.get("invokedFunctionArn")
        self.memory_limit_in_mb = str(init["memoryMb"])
        self.log_group_name = init["logGroupName"]
        self.log_stream_name = init["logStreamName"]
        self.identity = None
        self.client_context = _client_context(msg.get("clientContext"))
        self.nimbus = ContextClient(msg["requestId"])
        self._deadline = msg["deadline"]

    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline - time.time() * 1000))


def _xray_of(traceparent):
    """Lambda's `_X_AMZN_TRACE_ID` from a W3C traceparent (None for anything else)."""
    if not isinstance(traceparent, str) or len(traceparent) != 55:
        return None
    parts = traceparent.split("-")
    hexdigits = set("0123456789abcdef")
    if len(parts) != 4 or parts[0] != "00" or len(parts[1]) != 32 or len(parts[2]) != 16 or len(parts[3]) != 2:
        return None
    if not all(set(p) <= hexdigits for p in parts):
        return None
    sampled = int(parts[3], 16) & 1
    return "Root=1-%s-%s;Parent=%s;Sampled=%d" % (parts[1][:8], parts[1][8:], parts[2], sampled)


def _client_context(b64):
    if not b64:
        return None
    try:
        import base64

        return json.loads(base64.b64decode(b64).decode("utf-8"))
    except Exception:  # noqa: BLE001 - a bad client context is ignored like Lambda does
        return None


class _EndpointShim:
    """botocore older than 1.31.58 (Debian bookworm ships 1.29) ignores AWS_ENDPOINT_URL and
    AWS_ENDPOINT_URL_<SERVICE>: when such a botocore is imported, its Session.create_client learns
    them, as newer versions read them, so an unmodified boto3.client('s3') reaches the platform."""

    def find_spec(self, name, path=None, target=None):
        if name != "botocore.session":
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None and spec.loader is not None:
                run = spec.loader.exec_module

                def exec_module(module, run=run):
                    run(module)
                    _teach_endpoints(module)

                spec.loader.exec_module = exec_module
                return spec
        return None


def _teach_endpoints(session_module):
    try:
        import botocore

        if tuple(int(x) for x in botocore.__version__.split(".")[:3]) >= (1, 31, 58):
            return
    except Exception:  # noqa: BLE001 - an unreadable version: leave botocore as it is
        return
    create = session_module.Session.create_client

    def create_client(self, service_name, region_name=None, api_version=None, use_ssl=True, verify=None, endpoint_url=None, *args, **kwargs):
        if endpoint_url is None:
            endpoint_url = os.environ.get("AWS_ENDPOINT_URL_" + service_name.upper().replace("-", "_")) or os.environ.get("AWS_ENDPOINT_URL")
        return create(self, service_name, region_name, api_version, use_ssl, verify, endpoint_url, *args, **kwargs)

    session_module.Session.create_client = create_client


def main():
    sys.meta_path.insert(0, _EndpointShim())
    send({"t": "booted", "pid": os.getpid()})
    init = recv()
    t0 = time.perf_counter()
    os.environ.update(init.get("env", {}))
    os.environ.update(
        {
            "AWS_LAMBDA_FUNCTION_NAME": init["functionName"],
            "AWS_LAMBDA_FUNCTION_VERSION": init["functionVersion"],
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(init["memoryMb"]),
            "AWS_LAMBDA_LOG_GROUP_NAME": init["logGroupName"],
            "AWS_LAMBDA_LOG_STREAM_NAME": init["logStreamName"],
            "AWS_REGION": init["region"],
            "AWS_DEFAULT_REGION": init["region"],
            "LAMBDA_TASK_ROOT": init["codeRoot"],
            "TZ": ":UTC",
        }
    )
    root = init["codeRoot"]
    os.chdir(root)
    sys.path.insert(0, root)
    try:
        path = os.path.join(root, init["entry"])
        # The handler module must be a file of the code (a version stored before the deploy-time
        # check could name an absolute path or `../`).
        real_root = os.path.realpath(root)
        if os.path.commonpath([real_root, os.path.realpath(path)]) != real_root:
            raise ImportError("handler module %s is outside the code root" % init["entry"])
        name = init["entry"][:-3].replace("/", ".")
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    except SyntaxError as e:
        send({"t": "init-error", "error": error_payload(e, "Runtime.UserCodeSyntaxError")})
        return
    except BaseException as e:  # noqa: BLE001 - any import failure is the function's init error
        send({"t": "init-error", "error": error_payload(e, "Runtime.ImportModuleError")})
        return
    handler = getattr(module, init["exportName"], None)
    if not callable(handler):
        send({"t": "init-error", "error": {"errorType": "Runtime.HandlerNotFound", "errorMessage": "Handler '%s' missing on module '%s'" % (init["exportName"], name), "trace": []}})
        return
    send({"t": "ready", "initMs": (time.perf_counter() - t0) * 1000})
    while True:
        msg = recv()
        if msg.get("t") != "invoke":
            continue
        current["id"] = msg["requestId"]
        # As Lambda's Python runtime: the invocation's X-Ray trace header, or none.
        xray = _xray_of(msg.get("traceparent"))
        if xray is not None:
            os.environ["_X_AMZN_TRACE_ID"] = xray
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        try:
            result = handler(json.loads(msg["payload"]), Context(init, msg))
            try:
                payload = json.dumps(result)
            except (TypeError, ValueError) as e:
                sys.stdout.flush()
                sys.stderr.flush()
                send({"t": "error", "requestId": msg["requestId"], "error": error_payload(e, "Runtime.MarshalError"), "rss": rss()})
                continue
            sys.stdout.flush()
            sys.stderr.flush()
            send({"t": "result", "requestId": msg["requestId"], "payload": payload, "rss": rss()})
        except SystemExit:
            raise
        except BaseException as e:  # noqa: BLE001 - the function's error goes back as data
            sys.stdout.flush()
            sys.stderr.flush()
            send({"t": "error", "requestId": msg["requestId"], "error": error_payload(e), "rss": rss()})
        finally:
            current["id"] = None


main()
