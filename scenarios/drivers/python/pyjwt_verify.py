"""Verifies tokens with PyJWT and PyJWKClient, exactly as an app would.

Input (stdin): [{name, issuer, jwks_uri, token, audience}]
Output (stdout): [{name, ok: true, claims} | {name, ok: false, error: "<ExceptionType>: <message>"}]
"""
import json
import sys

import jwt

results = []
for case in json.load(sys.stdin):
    try:
        key = jwt.PyJWKClient(case["jwks_uri"]).get_signing_key_from_jwt(case["token"])
        claims = jwt.decode(
            case["token"],
            key.key,
            algorithms=["RS256"],
            audience=case["audience"],
            issuer=case["issuer"],
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
        results.append({"name": case["name"], "ok": True, "claims": claims})
    except Exception as error:  # every failure is an answer, reported with its type
        results.append({"name": case["name"], "ok": False, "error": f"{type(error).__name__}: {error}"})
json.dump(results, sys.stdout)
