"""A Lambda-style Python handler: handler(event, context)."""


def handler(event, context):
    name = event.get("name", "world")
    print(f"greeting {name}")
    return {"message": f"Hello, {name}!", "function": context.function_name}
