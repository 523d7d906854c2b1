// TypeScript handler with an npm dependency (`ms`), bundled by Nimbus with esbuild at deploy.
import ms from 'ms';

interface HelloEvent {
  name?: string;
}

export const hello = async (
  event: HelloEvent,
  context: { functionName: string; getRemainingTimeInMillis(): number },
) => {
  return {
    message: `Hello, ${event.name ?? 'world'}!`,
    function: context.functionName,
    timeLeft: ms(context.getRemainingTimeInMillis(), { long: true }),
  };
};
