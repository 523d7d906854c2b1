package nimbus.harness;

import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Converts parsed JSON (see {@link Json}) to a handler's declared input type. */
final class Coerce {
  private Coerce() {}

  static Object to(Object v, Type type) {
    if (type instanceof TypeVariable || type instanceof WildcardType) return v;
    if (type instanceof GenericArrayType) {
      Type el = ((GenericArrayType) type).getGenericComponentType();
      return array(v, raw(el), el);
    }
    Class<?> raw = raw(type);
    if (raw == Object.class) return v;
    if (v == null) {
      if (raw.isPrimitive()) throw mismatch(null, raw);
      return null;
    }
    if (raw == String.class) {
      if (v instanceof String) return v;
      throw mismatch(v, raw);
    }
    if (raw == boolean.class || raw == Boolean.class) {
      if (v instanceof Boolean) return v;
      throw mismatch(v, raw);
    }
    if (raw == char.class || raw == Character.class) {
      if (v instanceof String && ((String) v).length() == 1) return ((String) v).charAt(0);
      throw mismatch(v, raw);
    }
    if (raw.isPrimitive() || Number.class.isAssignableFrom(raw)) return number(v, raw);
    if (raw.isEnum()) {
      if (!(v instanceof String)) throw mismatch(v, raw);
      for (Object c : raw.getEnumConstants()) if (((Enum<?>) c).name().equals(v)) return c;
      throw new IllegalArgumentException("no " + raw.getSimpleName() + " constant named " + v);
    }
    if (raw.isArray()) return array(v, raw.getComponentType(), raw.getComponentType());
    Type[] args = type instanceof ParameterizedType ? ((ParameterizedType) type).getActualTypeArguments() : null;
    if (Map.class.isAssignableFrom(raw)) {
      if (!(v instanceof Map)) throw mismatch(v, raw);
      Type valueType = args != null && args.length == 2 ? args[1] : Object.class;
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) out.put((String) e.getKey(), to(e.getValue(), valueType));
      return out;
    }
    if (Collection.class.isAssignableFrom(raw) || raw == Iterable.class) {
      if (!(v instanceof List)) throw mismatch(v, raw);
      Type el = args != null && args.length == 1 ? args[0] : Object.class;
      Collection<Object> out = Set.class.isAssignableFrom(raw)
          ? (raw == HashSet.class ? new HashSet<>() : new LinkedHashSet<>())
          : new ArrayList<>();
      for (Object o : (List<?>) v) out.add(to(o, el));
      return out;
    }
    if (raw.isInterface() || Modifier.isAbstract(raw.getModifiers())) {
      throw new IllegalArgumentException("cannot deserialize into the abstract type " + raw.getName());
    }
    if (!(v instanceof Map)) throw mismatch(v, raw);
    return pojo((Map<?, ?>) v, raw);
  }

  static Class<?> raw(Type t) {
    if (t instanceof Class) return (Class<?>) t;
    if (t instanceof ParameterizedType) return (Class<?>) ((ParameterizedType) t).getRawType();
    if (t instanceof GenericArrayType) {
      return Array.newInstance(raw(((GenericArrayType) t).getGenericComponentType()), 0).getClass();
    }
    return Object.class;
  }

  private static IllegalArgumentException mismatch(Object v, Class<?> target) {
    String got = v == null ? "null" : v instanceof Map ? "an object" : v instanceof List ? "an array" : v instanceof String ? "a string" : v instanceof Boolean ? "a boolean" : "a number";
    return new IllegalArgumentException("cannot deserialize " + got + " into " + target.getName());
  }

  private static Object number(Object v, Class<?> raw) {
    if (!(v instanceof Number)) throw mismatch(v, raw);
    Number n = (Number) v;
    if (raw == int.class || raw == Integer.class) return n.intValue();
    if (raw == long.class || raw == Long.class) return n.longValue();
    if (raw == double.class || raw == Double.class) return n.doubleValue();
    if (raw == float.class || raw == Float.class) return n.floatValue();
    if (raw == short.class || raw == Short.class) return n.shortValue();
    if (raw == byte.class || raw == Byte.class) return n.byteValue();
    if (raw == BigDecimal.class) return new BigDecimal(n.toString());
    if (raw == BigInteger.class) return n instanceof BigInteger ? n : BigInteger.valueOf(n.longValue());
    if (raw.isInstance(n)) return n;
    throw mismatch(v, raw);
  }

  private static Object array(Object v, Class<?> el, Type elType) {
    if (!(v instanceof List)) throw mismatch(v, Array.newInstance(el, 0).getClass());
    List<?> l = (List<?>) v;
    Object out = Array.newInstance(el, l.size());
    for (int k = 0; k < l.size(); k++) Array.set(out, k, to(l.get(k), elType));
    return out;
  }

  private static Object pojo(Map<?, ?> m, Class<?> raw) {
    try {
      if (raw.isRecord()) {
        RecordComponent[] rcs = raw.getRecordComponents();
        Class<?>[] types = new Class<?>[rcs.length];
        Object[] vals = new Object[rcs.length];
        for (int k = 0; k < rcs.length; k++) {
          types[k] = rcs[k].getType();
          Object raw0 = m.get(rcs[k].getName());
          vals[k] = raw0 == null && types[k].isPrimitive() ? defaultOf(types[k]) : to(raw0, rcs[k].getGenericType());
        }
        Constructor<?> ctor = raw.getDeclaredConstructor(types);
        ctor.setAccessible(true);
        return ctor.newInstance(vals);
      }
      Constructor<?> ctor = raw.getDeclaredConstructor();
      ctor.setAccessible(true);
      Object o = ctor.newInstance();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        String k = (String) e.getKey();
        if (k.isEmpty()) continue;
        String setter = "set" + Character.toUpperCase(k.charAt(0)) + k.substring(1);
        Method s = null;
        for (Method cand : raw.getMethods()) {
          if (cand.getName().equals(setter) && cand.getParameterCount() == 1 && !Modifier.isStatic(cand.getModifiers())) {
            s = cand;
            break;
          }
        }
        if (s != null) {
          s.setAccessible(true);
          s.invoke(o, to(e.getValue(), s.getGenericParameterTypes()[0]));
          continue;
        }
        try {
          Field f = raw.getField(k);
          if (!Modifier.isStatic(f.getModifiers()) && !Modifier.isFinal(f.getModifiers())) {
            f.set(o, to(e.getValue(), f.getGenericType()));
          }
        } catch (NoSuchFieldException ignored) {
          // Unknown properties are ignored, like Lambda's serializer does.
        }
      }
      return o;
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException("cannot deserialize into " + raw.getName() + ": it needs a no-argument constructor");
    } catch (ReflectiveOperationException e) {
      Throwable t = e.getCause() != null ? e.getCause() : e;
      throw new IllegalArgumentException("cannot deserialize into " + raw.getName() + ": " + t, t);
    }
  }

  private static Object defaultOf(Class<?> p) {
    if (p == boolean.class) return false;
    if (p == char.class) return '\0';
    return number(0, p);
  }
}
