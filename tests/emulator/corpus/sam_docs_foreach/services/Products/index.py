# Stand-in handler: the documentation example has none.


def handler(event, context):
    return {"service": "Products"}
