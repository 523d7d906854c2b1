package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;

/** A Lambda-style Java handler; Nimbus compiles the sources at deploy (no build tool needed). */
public class Hello implements RequestHandler<Map<String, Object>, Map<String, Object>> {
  @Override
  public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
    Object name = event.getOrDefault("name", "world");
    context.getLogger().log("greeting " + name);
    return Map.of("message", "Hello, " + name + "!", "function", context.getFunctionName());
  }
}
