// A Lambda-style Node handler: `handler(event, context)` returning a JSON-serializable value.
export const handler = async (event, context) => {
  console.log(`greeting ${event.name ?? 'world'} from ${context.functionName}`);
  return { message: `Hello, ${event.name ?? 'world'}!` };
};
