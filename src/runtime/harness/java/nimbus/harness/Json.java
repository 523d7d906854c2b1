package nimbus.harness;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A small JSON reader/writer (no external jars in the sandbox). Reading gives LinkedHashMap,
 * ArrayList, String, Boolean, Integer/Long/BigInteger (integers, the smallest that fits), Double
 * and null. Writing accepts those plus arrays, Iterables, enums, Optionals, records and POJOs
 * (public getters and public fields).
 */
public final class Json {
  private Json() {}

  /** Raised for malformed input or an unserializable value. */
  public static final class JsonException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public JsonException(String message) {
      super(message);
    }
  }

  // ---- reading ----

  public static Object parse(String text) {
    Reader r = new Reader(text);
    r.ws();
    Object v = r.value(0);
    r.ws();
    if (r.i != text.length()) throw r.fail("unexpected trailing text");
    return v;
  }

  private static final class Reader {
    final String s;
    int i;

    Reader(String s) {
      this.s = s;
    }

    JsonException fail(String what) {
      return new JsonException("invalid JSON at offset " + i + ": " + what);
    }

    void ws() {
      while (i < s.length()) {
        char c = s.charAt(i);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') i++;
        else break;
      }
    }

    Object value(int depth) {
      if (depth > 512) throw fail("nested too deeply");
      if (i >= s.length()) throw fail("unexpected end");
      char c = s.charAt(i);
      switch (c) {
        case '{':
          return object(depth);
        case '[':
          return array(depth);
        case '"':
          return string();
        case 't':
          return literal("true", Boolean.TRUE);
        case 'f':
          return literal("false", Boolean.FALSE);
        case 'n':
          return literal("null", null);
        default:
          if (c == '-' || (c >= '0' && c <= '9')) return number();
          throw fail("unexpected character '" + c + "'");
      }
    }

    Object literal(String word, Object v) {
      if (!s.startsWith(word, i)) throw fail("expected " + word);
      i += word.length();
      return v;
    }

    Map<String, Object> object(int depth) {
      Map<String, Object> m = new LinkedHashMap<>();
      i++;
      ws();
      if (i < s.length() && s.charAt(i) == '}') {
        i++;
        return m;
      }
      while (true) {
        ws();
        if (i >= s.length() || s.charAt(i) != '"') throw fail("expected a key");
        String k = string();
        ws();
        if (i >= s.length() || s.charAt(i) != ':') throw fail("expected ':'");
        i++;
        ws();
        m.put(k, value(depth + 1));
        ws();
        if (i >= s.length()) throw fail("unexpected end");
        char c = s.charAt(i++);
        if (c == '}') return m;
        if (c != ',') throw fail("expected ',' or '}'");
      }
    }

    List<Object> array(int depth) {
      List<Object> a = new ArrayList<>();
      i++;
      ws();
      if (i < s.length() && s.charAt(i) == ']') {
        i++;
        return a;
      }
      while (true) {
        ws();
        a.add(value(depth + 1));
        ws();
        if (i >= s.length()) throw fail("unexpected end");
        char c = s.charAt(i++);
        if (c == ']') return a;
        if (c != ',') throw fail("expected ',' or ']'");
      }
    }

    String string() {
      i++;
      StringBuilder b = new StringBuilder();
      while (true) {
        if (i >= s.length()) throw fail("unterminated string");
        char c = s.charAt(i++);
        if (c == '"') return b.toString();
        if (c < 0x20) throw fail("control character in string");
        if (c != '\\') {
          b.append(c);
          continue;
        }
        if (i >= s.length()) throw fail("unterminated escape");
        char e = s.charAt(i++);
        switch (e) {
          case '"':
          case '\\':
          case '/':
            b.append(e);
            break;
          case 'b':
            b.append('\b');
            break;
          case 'f':
            b.append('\f');
            break;
          case 'n':
            b.append('\n');
            break;
          case 'r':
            b.append('\r');
            break;
          case 't':
            b.append('\t');
            break;
          case 'u':
            if (i + 4 > s.length()) throw fail("bad \\u escape");
            try {
              b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
            } catch (NumberFormatException x) {
              throw fail("bad \\u escape");
            }
            i += 4;
            break;
          default:
            throw fail("bad escape \\" + e);
        }
      }
    }

    Object number() {
      int start = i;
      boolean decimal = false;
      if (s.charAt(i) == '-') i++;
      while (i < s.length()) {
        char c = s.charAt(i);
        if (c >= '0' && c <= '9') i++;
        else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
          decimal = true;
          i++;
        } else break;
      }
      String t = s.substring(start, i);
      try {
        if (decimal) return Double.parseDouble(t);
        BigInteger n = new BigInteger(t);
        if (n.bitLength() < 32) return n.intValue();
        if (n.bitLength() < 64) return n.longValue();
        return n;
      } catch (NumberFormatException x) {
        throw fail("bad number " + t);
      }
    }
  }

  // ---- writing ----

  public static String write(Object v) {
    StringBuilder b = new StringBuilder();
    new Writer(b).value(v, 0);
    return b.toString();
  }

  private static final class Writer {
    final StringBuilder b;
    final IdentityHashMap<Object, Boolean> seen = new IdentityHashMap<>();

    Writer(StringBuilder b) {
      this.b = b;
    }

    void value(Object v, int depth) {
      if (depth > 256) throw new JsonException("value nested too deeply (a cycle?)");
      if (v == null) {
        b.append("null");
      } else if (v instanceof String || v instanceof Character || v instanceof Enum) {
        string(v instanceof Enum ? ((Enum<?>) v).name() : v.toString());
      } else if (v instanceof Boolean) {
        b.append(v.toString());
      } else if (v instanceof Double || v instanceof Float) {
        double d = ((Number) v).doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) b.append("null");
        else if (d == Math.rint(d) && Math.abs(d) < 1e15) b.append((long) d);
        else b.append(v.toString());
      } else if (v instanceof BigDecimal) {
        b.append(((BigDecimal) v).toPlainString());
      } else if (v instanceof Number) {
        b.append(v.toString());
      } else if (v instanceof Optional) {
        value(((Optional<?>) v).orElse(null), depth + 1);
      } else {
        if (seen.put(v, Boolean.TRUE) != null) throw new JsonException("cannot serialize a cyclic value");
        try {
          container(v, depth);
        } finally {
          seen.remove(v);
        }
      }
    }

    void container(Object v, int depth) {
      if (v instanceof Map) {
        b.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
          if (!first) b.append(',');
          first = false;
          string(String.valueOf(e.getKey()));
          b.append(':');
          value(e.getValue(), depth + 1);
        }
        b.append('}');
      } else if (v instanceof Iterable) {
        b.append('[');
        boolean first = true;
        for (Object o : (Iterable<?>) v) {
          if (!first) b.append(',');
          first = false;
          value(o, depth + 1);
        }
        b.append(']');
      } else if (v.getClass().isArray()) {
        b.append('[');
        int n = Array.getLength(v);
        for (int k = 0; k < n; k++) {
          if (k > 0) b.append(',');
          value(Array.get(v, k), depth + 1);
        }
        b.append(']');
      } else {
        Map<String, Object> props = properties(v);
        value(props, depth);
      }
    }

    void string(String s) {
      b.append('"');
      for (int k = 0; k < s.length(); k++) {
        char c = s.charAt(k);
        switch (c) {
          case '"':
            b.append("\\\"");
            break;
          case '\\':
            b.append("\\\\");
            break;
          case '\n':
            b.append("\\n");
            break;
          case '\r':
            b.append("\\r");
            break;
          case '\t':
            b.append("\\t");
            break;
          case '\b':
            b.append("\\b");
            break;
          case '\f':
            b.append("\\f");
            break;
          default:
            if (c < 0x20 || c == '\u2028' || c == '\u2029') b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
      }
      b.append('"');
    }
  }

  /** A POJO's JSON properties: record components, else public getters (getX/isX) and public fields. */
  static Map<String, Object> properties(Object v) {
    Class<?> c = v.getClass();
    Map<String, Object> out = new TreeMap<>();
    try {
      if (c.isRecord()) {
        Map<String, Object> rec = new LinkedHashMap<>();
        for (RecordComponent rc : c.getRecordComponents()) {
          Method m = rc.getAccessor();
          m.setAccessible(true);
          rec.put(rc.getName(), m.invoke(v));
        }
        return rec;
      }
      for (Method m : c.getMethods()) {
        if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers())) continue;
        if (m.getDeclaringClass() == Object.class) continue;
        String n = m.getName();
        String prop;
        if (n.startsWith("get") && n.length() > 3 && m.getReturnType() != void.class) prop = n.substring(3);
        else if (n.startsWith("is")
            && n.length() > 2
            && (m.getReturnType() == boolean.class || m.getReturnType() == Boolean.class)) prop = n.substring(2);
        else continue;
        prop = Character.toLowerCase(prop.charAt(0)) + prop.substring(1);
        m.setAccessible(true);
        out.put(prop, m.invoke(v));
      }
      for (Field f : c.getFields()) {
        if (Modifier.isStatic(f.getModifiers()) || out.containsKey(f.getName())) continue;
        out.put(f.getName(), f.get(v));
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      Throwable t = e instanceof java.lang.reflect.InvocationTargetException ? e.getCause() : e;
      throw new JsonException("cannot serialize " + c.getName() + ": " + t);
    }
    return out;
  }
}
