"""The whole suite's plugins: the emulator's own pytest plugin (the SAM app under test, used by
``tests/integration``; see the README, "Testing your own handlers") and pytester (its tests).

Listed here, in the top-level conftest, because this project is not an installed package: there
is no distribution to carry a ``pytest11`` entry point, and pytest only honours
``pytest_plugins`` in a top-level conftest.
"""

pytest_plugins = ["emulator.pytest_plugin", "pytester"]
