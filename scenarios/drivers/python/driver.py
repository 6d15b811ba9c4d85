"""One scenario step through boto3, the way an application makes it.

stdin: {"endpoint", "region", "action", "pool", "logins", "identity", "custom_role_arn",
        "role_arn", "web_identity_token", "session_name", "duration_seconds"}
stdout: {"ok": {...}} | {"error": {"type", "message"}} | {"client_refused": "why"} (botocore's
        parameter validation refused the call before sending it) | {"failed": "why"}

The client is made with region_name and endpoint_url, as boto3 documents. GetId,
GetCredentialsForIdentity, GetOpenIdToken and AssumeRoleWithWebIdentity are unsigned operations
in botocore's service models, so no AWS credentials are needed.
"""

import json
import sys

import boto3
import botocore.exceptions
from botocore.config import Config


def drop_none(**params):
    return {k: v for k, v in params.items() if v not in (None, {})}


def main():
    req = json.load(sys.stdin)
    config = Config(retries={"max_attempts": 1, "mode": "standard"})
    kwargs = dict(region_name=req["region"], endpoint_url=req["endpoint"], config=config)
    action = req["action"]
    logins = req.get("logins") or None
    if action == "assume_role":
        out = boto3.client("sts", **kwargs).assume_role_with_web_identity(
            **drop_none(
                RoleArn=req.get("role_arn"),
                RoleSessionName=req.get("session_name"),
                WebIdentityToken=req.get("web_identity_token"),
                DurationSeconds=req.get("duration_seconds"),
            )
        )
        return {
            "access_key_id": out["Credentials"]["AccessKeyId"],
            "secret_access_key": out["Credentials"]["SecretAccessKey"],
            "session_token": out["Credentials"]["SessionToken"],
            "subject": out.get("SubjectFromWebIdentityToken"),
            "audience": out.get("Audience"),
            "provider": out.get("Provider"),
        }
    cognito = boto3.client("cognito-identity", **kwargs)
    if action == "get_id":
        out = cognito.get_id(**drop_none(IdentityPoolId=req.get("pool"), Logins=logins))
        return {"identity_id": out["IdentityId"]}
    if action == "get_credentials":
        out = cognito.get_credentials_for_identity(
            **drop_none(
                IdentityId=req.get("identity"),
                Logins=logins,
                CustomRoleArn=req.get("custom_role_arn"),
            )
        )
        creds = out["Credentials"]
        return {
            "identity_id": out["IdentityId"],
            "access_key_id": creds["AccessKeyId"],
            "secret_access_key": creds["SecretKey"],
            "session_token": creds["SessionToken"],
        }
    if action == "get_open_id_token":
        out = cognito.get_open_id_token(**drop_none(IdentityId=req.get("identity"), Logins=logins))
        return {"identity_id": out["IdentityId"], "token": out["Token"]}
    raise ValueError(f"unknown action {action}")


if __name__ == "__main__":
    try:
        result = {"ok": main()}
    except botocore.exceptions.ClientError as err:
        error = err.response.get("Error", {})
        result = {"error": {"type": error.get("Code", ""), "message": error.get("Message", "")}}
    except botocore.exceptions.ParamValidationError as err:
        result = {"client_refused": "ParamValidationError: " + " ".join(str(err).split())}
    except Exception as err:  # a call that could not be made: connection, a bad step
        result = {"failed": f"{type(err).__name__}: {err}"}
    sys.stdout.write(json.dumps(result))
