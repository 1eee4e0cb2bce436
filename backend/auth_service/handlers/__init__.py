"""Lambda entry points: one module per endpoint, ``handler(event, context)`` in each."""
