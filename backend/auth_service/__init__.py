"""The iOS app's authentication API as plain AWS Lambda handlers.

Layout (CodeUri is ``backend/``, so handlers are ``auth_service.handlers.<name>.handler``):

- ``handlers/``: thin Lambda entry points (parse the API Gateway event, call a service, shape
  the response);
- ``services/``: the use cases (register, login, refresh, logout, profile, Google sign-in...);
- ``repositories/``: every DynamoDB / Secrets Manager call lives here and nowhere else;
- the top-level modules are pure logic (validation, passwords, tokens, lockout schedule,
  authorizer policy, HTTP shaping, config) and are unit-tested without AWS.
"""
