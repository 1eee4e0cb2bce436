"""TOKEN authorizer: "allow-<principal>" allows, "deny" denies, anything else is Unauthorized."""


def handler(event, context):
    token = event.get("authorizationToken") or ""
    if token.startswith("Bearer "):
        token = token[len("Bearer ") :]
    if token == "deny":
        effect, principal = "Deny", "denied-user"
    elif token.startswith("allow-"):
        effect, principal = "Allow", token[len("allow-") :]
    else:
        raise Exception("Unauthorized")
    return {
        "principalId": principal,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}],
        },
        "context": {"tier": "gold", "count": 3},
    }
