"""Returns its event unchanged (the benchmark's handler too)."""


def handler(event, context):
    return event
