package com.amazonaws.services.lambda.runtime;

/** Writes to the invocation's log (attributed to the request, like System.out). */
public interface LambdaLogger {
  void log(String message);

  void log(byte[] message);
}
