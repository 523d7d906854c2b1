// GET/PUT/DELETE /user/{userId}. The store is this instance's memory, to keep the example
// self-contained: a real API keeps users in a database.
interface User {
  id: string;
  name: string;
  email?: string;
  updatedBy?: string;
}

interface HttpEvent {
  routeKey: string;
  pathParameters?: { userId?: string };
  body?: string;
  isBase64Encoded?: boolean;
  requestContext: { authorizer?: { jwt?: { claims: { sub?: string } } } };
}

const users = new Map<string, User>();

const json = (statusCode: number, body: unknown) => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

export const handler = async (event: HttpEvent) => {
  const id = event.pathParameters?.userId ?? '';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id))
    return json(400, { message: 'userId must be 1-64 letters, digits, _ or -' });
  switch (event.routeKey) {
    case 'GET /user/{userId}': {
      const u = users.get(id);
      return u ? json(200, u) : json(404, { message: `user ${id} not found` });
    }
    case 'PUT /user/{userId}': {
      let input: { name?: unknown; email?: unknown };
      try {
        const raw = event.isBase64Encoded
          ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
          : (event.body ?? '');
        input = JSON.parse(raw);
      } catch {
        return json(400, { message: 'body must be JSON' });
      }
      if (typeof input.name !== 'string' || input.name.length === 0)
        return json(400, { message: 'name is required' });
      const existed = users.has(id);
      const user: User = {
        id,
        name: input.name,
        ...(typeof input.email === 'string' ? { email: input.email } : {}),
        updatedBy: event.requestContext.authorizer?.jwt?.claims.sub,
      };
      users.set(id, user);
      return json(existed ? 200 : 201, user);
    }
    case 'DELETE /user/{userId}':
      return users.delete(id) ? { statusCode: 204 } : json(404, { message: `user ${id} not found` });
    default:
      return json(405, { message: `unsupported route ${event.routeKey}` });
  }
};
