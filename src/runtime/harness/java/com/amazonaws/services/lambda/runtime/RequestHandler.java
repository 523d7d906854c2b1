package com.amazonaws.services.lambda.runtime;

/** A handler whose input is deserialized from the event JSON and whose output is serialized to JSON. */
public interface RequestHandler<I, O> {
  O handleRequest(I input, Context context);
}
