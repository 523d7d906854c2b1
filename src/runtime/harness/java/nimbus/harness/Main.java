package nimbus.harness;

import com.amazonaws.services.lambda.runtime.Client;
import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Nimbus Java harness: runs INSIDE the sandbox. Protocol: ../../../PROTOCOL.md (length-prefixed
 * JSON frames). The JVM cannot open fd 3 (a socket) through /proc/self/fd, so the host hands the
 * channel over as stdin and we take it with System.inheritedChannel().
 *
 * The JVM is booted generic (pre-warmed pool); `init` adds /var/task (classes and every jar under
 * it) with a URLClassLoader, initializes the handler class and creates the handler instance.
 */
public final class Main {
  private Main() {}

  private static SocketChannel chan;
  private static final Object SEND_LOCK = new Object();
  private static volatile String currentId;
  private static LineSink out;
  private static LineSink err;

  // ---- frames ----

  static void send(Map<String, Object> msg) {
    byte[] body = Json.write(msg).getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(4 + body.length);
    b.putInt(body.length).put(body).flip();
    synchronized (SEND_LOCK) {
      try {
        while (b.hasRemaining()) chan.write(b);
      } catch (IOException e) {
        Runtime.getRuntime().halt(0);
      }
    }
  }

  private static void readFully(ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      if (chan.read(b) < 0) Runtime.getRuntime().halt(0);
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> recv() throws IOException {
    ByteBuffer head = ByteBuffer.allocate(4);
    readFully(head);
    head.flip();
    int n = head.getInt();
    if (n < 0 || n > 16 * 1024 * 1024) Runtime.getRuntime().halt(2);
    ByteBuffer body = ByteBuffer.allocate(n);
    readFully(body);
    return (Map<String, Object>) Json.parse(new String(body.array(), StandardCharsets.UTF_8));
  }

  static Map<String, Object> frame(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int k = 0; k < kv.length; k += 2) m.put((String) kv[k], kv[k + 1]);
    return m;
  }

  static void log(String stream, String line) {
    send(frame("t", "log", "requestId", currentId, "stream", stream, "ts", System.currentTimeMillis(), "message", line));
  }

  /** System.out / System.err: every line becomes a `log` frame tagged with the current request. */
  static final class LineSink extends OutputStream {
    private final String stream;
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

    LineSink(String stream) {
      this.stream = stream;
    }

    @Override
    public synchronized void write(int b) {
      if (b == '\n') emit();
      else {
        buf.write(b);
        if (buf.size() >= 256 * 1024) emit();
      }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      for (int k = off; k < off + len; k++) {
        if (b[k] == '\n') emit();
        else buf.write(b[k]);
      }
      if (buf.size() >= 256 * 1024) emit();
    }

    /** Sends a partial last line (end of an invocation). */
    synchronized void drain() {
      if (buf.size() > 0) emit();
    }

    private void emit() {
      String line = buf.toString(StandardCharsets.UTF_8);
      buf.reset();
      if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
      log(stream, line);
    }
  }

  // ---- environment ----

  /**
   * Java's environment map is read once at start-up and is immutable; the process was booted with
   * a clean environment before its function was known, so the function's variables are put into
   * the JDK's own map (needs --add-opens java.base/java.lang and java.base/java.util). ProcessBuilder
   * copies that map, so child processes see them too.
   */
  @SuppressWarnings("unchecked")
  static void putEnv(Map<String, String> vars) {
    try {
      Class<?> pe = Class.forName("java.lang.ProcessEnvironment");
      Field f = pe.getDeclaredField("theUnmodifiableEnvironment");
      f.setAccessible(true);
      Object unmodifiable = f.get(null);
      Field m = Class.forName("java.util.Collections$UnmodifiableMap").getDeclaredField("m");
      m.setAccessible(true);
      ((Map<String, String>) m.get(unmodifiable)).putAll(vars);
    } catch (ReflectiveOperationException | RuntimeException e) {
      System.err.println("nimbus: could not set the function environment: " + e);
    }
  }

  // ---- errors ----

  static Map<String, Object> errorOf(Throwable e, String type) {
    List<String> trace = new ArrayList<>();
    int budget = 100;
    for (Throwable t = e; t != null && budget > 0; t = t.getCause() == t ? null : t.getCause()) {
      if (t != e) trace.add("Caused by: " + t);
      for (StackTraceElement s : t.getStackTrace()) {
        if (budget-- <= 0) break;
        if (s.getClassName().startsWith("nimbus.harness.")) break;
        if (s.getClassName().startsWith("jdk.internal.reflect.")) continue;
        trace.add(frameOf(s));
      }
    }
    String simple = e.getClass().getSimpleName();
    return frame(
        "errorType", type != null ? type : simple.isEmpty() ? e.getClass().getName() : simple,
        "errorMessage", e.getMessage() == null ? "" : e.getMessage(),
        "trace", trace);
  }

  /** Lambda's frame format, without the class loader / module prefix of StackTraceElement.toString(). */
  static String frameOf(StackTraceElement s) {
    String where = s.isNativeMethod()
        ? "Native Method"
        : s.getFileName() == null ? "Unknown Source" : s.getLineNumber() >= 0 ? s.getFileName() + ":" + s.getLineNumber() : s.getFileName();
    return s.getClassName() + "." + s.getMethodName() + "(" + where + ")";
  }

  static Throwable unwrap(Throwable e) {
    while ((e instanceof InvocationTargetException || e instanceof ExceptionInInitializerError) && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  static long rss() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (l.startsWith("VmHWM:")) return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
      }
    } catch (IOException | RuntimeException ignored) {
      // not Linux
    }
    return 0;
  }

  // ---- handler resolution ----

  /** How one invocation calls the function. */
  interface Invoker {
    String call(String payload, Context ctx) throws Throwable;
  }

  static final class InitError extends Exception {
    private static final long serialVersionUID = 1L;
    final String type;

    InitError(String type, String message) {
      super(message);
      this.type = type;
    }
  }

  static Invoker resolve(ClassLoader loader, String className, String methodName) throws Throwable {
    Class<?> cls;
    try {
      cls = Class.forName(className, true, loader);
    } catch (ClassNotFoundException | NoClassDefFoundError e) {
      throw new InitError("Runtime.HandlerNotFound", "Class not found: " + className);
    }
    Method method;
    if (methodName.isEmpty()) {
      String want = RequestStreamHandler.class.isAssignableFrom(cls)
          ? "stream"
          : RequestHandler.class.isAssignableFrom(cls) ? "request" : null;
      if (want == null) {
        throw new InitError(
            "Runtime.HandlerNotFound",
            "Class " + className + " does not implement RequestHandler or RequestStreamHandler; name a method as "
                + className + "::method");
      }
      method = find(cls, "handleRequest", want.equals("stream"));
    } else {
      method = find(cls, methodName, null);
    }
    if (method == null) {
      throw new InitError("Runtime.HandlerNotFound", "No public method named " + (methodName.isEmpty() ? "handleRequest" : methodName) + " with a supported signature in class " + className);
    }
    method.setAccessible(true);
    Object target = null;
    if (!Modifier.isStatic(method.getModifiers())) {
      Constructor<?> ctor;
      try {
        ctor = cls.getDeclaredConstructor();
      } catch (NoSuchMethodException e) {
        throw new InitError("Runtime.HandlerNotFound", "Class " + className + " has no public no-argument constructor");
      }
      ctor.setAccessible(true);
      target = ctor.newInstance();
    }
    return invoker(method, target);
  }

  private static boolean isStream(Class<?>[] p) {
    return p.length >= 2 && p[0] == InputStream.class && p[1] == OutputStream.class
        && (p.length == 2 || p[2] == Context.class);
  }

  private static boolean isPlain(Class<?>[] p) {
    return p.length <= 1 || (p.length == 2 && p[1] == Context.class);
  }

  /** The method to call: non-bridge, public, with a Lambda-supported signature; the most specific wins. */
  static Method find(Class<?> cls, String name, Boolean stream) {
    Method best = null;
    for (Method m : cls.getMethods()) {
      if (!m.getName().equals(name) || m.isBridge() || m.isSynthetic()) continue;
      Class<?>[] p = m.getParameterTypes();
      boolean ok = stream == null ? isStream(p) || isPlain(p) : stream ? isStream(p) : isPlain(p) && p.length == 2;
      if (!ok) continue;
      if (best == null || p.length > best.getParameterCount()) best = m;
    }
    return best;
  }

  static Invoker invoker(Method m, Object target) {
    Class<?>[] p = m.getParameterTypes();
    if (isStream(p)) {
      return (payload, ctx) -> {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        InputStream in = new ByteArrayInputStream(payload.getBytes(StandardCharsets.UTF_8));
        if (p.length == 3) m.invoke(target, in, o, ctx);
        else m.invoke(target, in, o);
        String text = o.toString(StandardCharsets.UTF_8);
        if (text.isEmpty()) return "null";
        try {
          Json.parse(text);
          return text;
        } catch (Json.JsonException notJson) {
          return Json.write(text); // Lambda passes non-JSON output through as text
        }
      };
    }
    Type inputType = p.length >= 1 ? m.getGenericParameterTypes()[0] : Object.class;
    return (payload, ctx) -> {
      Object input;
      try {
        input = p.length >= 1 ? Coerce.to(Json.parse(payload), inputType) : null;
      } catch (RuntimeException e) {
        throw new MarshalException("Runtime.DeserializationError", e);
      }
      Object result = p.length == 2 ? m.invoke(target, input, ctx) : p.length == 1 ? m.invoke(target, input) : m.invoke(target);
      try {
        return m.getReturnType() == void.class ? "null" : Json.write(result);
      } catch (RuntimeException e) {
        throw new MarshalException("Runtime.SerializationError", e);
      }
    };
  }

  static final class MarshalException extends Exception {
    private static final long serialVersionUID = 1L;
    final String type;

    MarshalException(String type, Throwable cause) {
      super(cause.getMessage(), cause);
      this.type = type;
    }
  }

  // ---- context ----

  static Context context(Map<String, Object> init, Map<String, Object> msg, LambdaLogger logger) {
    String requestId = String.valueOf(msg.get("requestId"));
    long deadline = ((Number) msg.get("deadline")).longValue();
    Object arn = msg.get("invokedFunctionArn");
    ClientContext client = clientContext((String) msg.get("clientContext"));
    // As Lambda's Java runtime: the invocation's X-Ray trace header in a system property (read by
    // the X-Ray SDK and OpenTelemetry's Lambda propagator), cleared for one without a trace.
    String xray = xRayOf(msg.get("traceparent"));
    if (xray != null) System.setProperty(TRACE_PROPERTY, xray);
    else System.clearProperty(TRACE_PROPERTY);
    return new Context() {
      @Override public String getAwsRequestId() { return requestId; }
      @Override public String getLogGroupName() { return (String) init.get("logGroupName"); }
      @Override public String getLogStreamName() { return (String) init.get("logStreamName"); }
      @Override public String getFunctionName() { return (String) init.get("functionName"); }
      @Override public String getFunctionVersion() { return (String) init.get("functionVersion"); }
      @Override public String getInvokedFunctionArn() { return arn == null ? (String) init.get("functionArn") : arn.toString(); }
      @Override public CognitoIdentity getIdentity() { return null; }
      @Override public ClientContext getClientContext() { return client; }
      @Override public int getRemainingTimeInMillis() { return (int) Math.max(0, deadline - System.currentTimeMillis()); }
      @Override public int getMemoryLimitInMB() { return ((Number) init.get("memoryMb")).intValue(); }
      @Override public LambdaLogger getLogger() { return logger; }
    };
  }

  static final String TRACE_PROPERTY = "com.amazonaws.xray.traceHeader";
  static final java.util.regex.Pattern TRACEPARENT =
      java.util.regex.Pattern.compile("^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$");

  /** `Root=1-<8 hex>-<24 hex>;Parent=<16 hex>;Sampled=0|1` from a W3C traceparent, else null. */
  static String xRayOf(Object traceparent) {
    if (!(traceparent instanceof String)) return null;
    java.util.regex.Matcher m = TRACEPARENT.matcher((String) traceparent);
    if (!m.matches()) return null;
    String t = m.group(1);
    int sampled = Integer.parseInt(m.group(3), 16) & 1;
    return "Root=1-" + t.substring(0, 8) + "-" + t.substring(8) + ";Parent=" + m.group(2) + ";Sampled=" + sampled;
  }

  @SuppressWarnings("unchecked")
  static ClientContext clientContext(String b64) {
    if (b64 == null || b64.isEmpty()) return null;
    Map<String, Object> cc;
    try {
      cc = (Map<String, Object>) Json.parse(new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      return null; // a bad client context is ignored, like Lambda does
    }
    Map<String, Object> c = cc.get("client") instanceof Map ? (Map<String, Object>) cc.get("client") : Map.of();
    Map<String, String> custom = strings(cc.get("custom"));
    Map<String, String> env = strings(cc.get("env"));
    Client cl = new Client() {
      @Override public String getInstallationId() { return str(c.get("installation_id")); }
      @Override public String getAppTitle() { return str(c.get("app_title")); }
      @Override public String getAppVersionName() { return str(c.get("app_version_name")); }
      @Override public String getAppVersionCode() { return str(c.get("app_version_code")); }
      @Override public String getAppPackageName() { return str(c.get("app_package_name")); }
    };
    return new ClientContext() {
      @Override public Client getClient() { return cl; }
      @Override public Map<String, String> getCustom() { return custom; }
      @Override public Map<String, String> getEnvironment() { return env; }
    };
  }

  private static String str(Object o) {
    return o == null ? null : o.toString();
  }

  private static Map<String, String> strings(Object o) {
    Map<String, String> out = new LinkedHashMap<>();
    if (o instanceof Map) for (Map.Entry<?, ?> e : ((Map<?, ?>) o).entrySet()) out.put(String.valueOf(e.getKey()), str(e.getValue()));
    return Collections.unmodifiableMap(out);
  }

  // ---- main ----

  /** A built-in handler run at boot, so the pooled JVM has loaded and compiled the invoke path. */
  public static final class WarmUp implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    public List<Integer> items;

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> in, Context ctx) {
      Map<String, Object> out = new LinkedHashMap<>(in);
      out.put("left", ctx.getRemainingTimeInMillis());
      out.put("self", this);
      return out;
    }
  }

  /**
   * Class loading, reflection and the JSON code paths are exercised before `booted`, while the
   * JVM waits in the pool, instead of during the function's cold start.
   */
  static void warmUp() {
    try {
      String event = "{\"a\":[1,2.5,\"x\",true,null],\"b\":{\"c\":\"d\\n\"},\"n\":12345678901}";
      Map<String, Object> init = frame("functionName", "warmup", "functionVersion", "$LATEST", "memoryMb", 128,
          "logGroupName", "", "logStreamName", "", "functionArn", "");
      Map<String, Object> msg = frame("requestId", "warmup", "deadline", System.currentTimeMillis() + 1000);
      Invoker inv = invoker(find(WarmUp.class, "handleRequest", false), new WarmUp());
      for (int k = 0; k < 200; k++) {
        inv.call(event, context(init, msg, null));
        Coerce.to(Json.parse("{\"items\":[1,2]}"), WarmUp.class);
      }
      new URLClassLoader("warmup", classpath("/tmp"), Main.class.getClassLoader()).close();
    } catch (Throwable e) {
      // Only a speed-up: a failure here shows up again, properly, at init.
    }
  }

  static URL[] classpath(String root) throws IOException {
    List<URL> urls = new ArrayList<>();
    urls.add(new File(root).toURI().toURL());
    try (Stream<Path> s = Files.walk(Path.of(root), 8)) {
      for (Path p : (Iterable<Path>) s.filter(f -> f.toString().endsWith(".jar")).sorted()::iterator) {
        urls.add(p.toUri().toURL());
      }
    }
    return urls.toArray(new URL[0]);
  }

  @SuppressWarnings("unchecked")
  public static void main(String[] args) throws Exception {
    Channel c = System.inheritedChannel();
    if (!(c instanceof SocketChannel)) {
      System.err.println("nimbus: stdin is not the host channel (" + c + ")");
      System.exit(1);
    }
    chan = (SocketChannel) c;
    out = new LineSink("stdout");
    err = new LineSink("stderr");
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    System.setIn(new ByteArrayInputStream(new byte[0]));
    if (!"false".equals(System.getProperty("nimbus.warmup"))) warmUp();
    send(frame("t", "booted", "pid", ProcessHandle.current().pid()));

    Map<String, Object> init = recv();
    long t0 = System.nanoTime();
    Map<String, String> env = new LinkedHashMap<>();
    if (init.get("env") instanceof Map) {
      for (Map.Entry<String, Object> e : ((Map<String, Object>) init.get("env")).entrySet()) env.put(e.getKey(), String.valueOf(e.getValue()));
    }
    String root = (String) init.get("codeRoot");
    String className = (String) init.get("entry");
    String methodName = (String) init.get("exportName");
    env.put("AWS_LAMBDA_FUNCTION_NAME", (String) init.get("functionName"));
    env.put("AWS_LAMBDA_FUNCTION_VERSION", (String) init.get("functionVersion"));
    env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", String.valueOf(init.get("memoryMb")));
    env.put("AWS_LAMBDA_LOG_GROUP_NAME", (String) init.get("logGroupName"));
    env.put("AWS_LAMBDA_LOG_STREAM_NAME", (String) init.get("logStreamName"));
    env.put("AWS_REGION", (String) init.get("region"));
    env.put("AWS_DEFAULT_REGION", (String) init.get("region"));
    env.put("LAMBDA_TASK_ROOT", root);
    env.put("_HANDLER", methodName.isEmpty() ? className : className + "::" + methodName);
    env.put("TZ", ":UTC");
    putEnv(env);

    Invoker invoker;
    try {
      URLClassLoader loader = new URLClassLoader("function", classpath(root), Main.class.getClassLoader());
      Thread.currentThread().setContextClassLoader(loader);
      invoker = resolve(loader, className, methodName);
    } catch (InitError e) {
      out.drain();
      err.drain();
      send(frame("t", "init-error", "error", frame("errorType", e.type, "errorMessage", e.getMessage(), "trace", List.of())));
      return;
    } catch (Throwable e) {
      out.drain();
      err.drain();
      send(frame("t", "init-error", "error", errorOf(unwrap(e), null)));
      return;
    }
    out.drain();
    err.drain();
    send(frame("t", "ready", "initMs", (System.nanoTime() - t0) / 1e6));

    LambdaLogger logger = new LambdaLogger() {
      @Override
      public void log(String message) {
        for (String line : String.valueOf(message).split("\n", -1)) {
          if (!line.isEmpty()) Main.log("stdout", line);
        }
      }

      @Override
      public void log(byte[] message) {
        log(new String(message, StandardCharsets.UTF_8));
      }
    };
    while (true) {
      Map<String, Object> msg = recv();
      if (!"invoke".equals(msg.get("t"))) continue;
      String id = String.valueOf(msg.get("requestId"));
      currentId = id;
      Map<String, Object> reply;
      try {
        String payload = invoker.call(String.valueOf(msg.get("payload")), context(init, msg, logger));
        reply = frame("t", "result", "requestId", id, "payload", payload);
      } catch (MarshalException e) {
        reply = frame("t", "error", "requestId", id, "error", errorOf(e.getCause(), e.type));
      } catch (Throwable e) {
        reply = frame("t", "error", "requestId", id, "error", errorOf(unwrap(e), null));
      }
      out.drain();
      err.drain();
      reply.put("rss", rss());
      send(reply);
      currentId = null;
    }
  }
}
