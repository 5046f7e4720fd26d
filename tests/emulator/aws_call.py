"""One AWS API call against the emulator, for tests that act behind Terraform's back
or inspect what exists: `aws_call.py ENDPOINT SERVICE OPERATION [JSON_PARAMS [REGION]]` (us-east-1 unless
REGION is given).
Prints the response as JSON; when AWS refuses the call, prints
`{"Error": {"Code": ..., "Message": ...}}` and exits with 3 (tests that show the
emulator refusing what the provider refuses at plan time). Only ever used with a
loopback endpoint."""

import json
import sys

import boto3
from botocore.exceptions import ClientError


def main() -> int:
    endpoint, service, operation = sys.argv[1:4]
    if not endpoint.startswith(("http://127.", "http://localhost")):
        print(f"refusing non-loopback endpoint {endpoint}", file=sys.stderr)
        return 2
    params = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
    region = sys.argv[5] if len(sys.argv) > 5 else "us-east-1"
    client = boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    try:
        response = getattr(client, operation)(**params)
    except ClientError as e:
        error = e.response.get("Error", {})
        print(json.dumps({"Error": {"Code": error.get("Code"), "Message": error.get("Message")}}))
        return 3
    response.pop("ResponseMetadata", None)
    print(json.dumps(response, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
