"""One AWS API call against the emulator, for tests that act behind Terraform's back
or inspect what exists: `aws_call.py ENDPOINT SERVICE OPERATION [JSON_PARAMS]`.
Prints the response as JSON. Only ever used with a loopback endpoint."""

import json
import sys

import boto3


def main() -> int:
    endpoint, service, operation = sys.argv[1:4]
    if not endpoint.startswith(("http://127.", "http://localhost")):
        print(f"refusing non-loopback endpoint {endpoint}", file=sys.stderr)
        return 2
    params = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
    client = boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    response = getattr(client, operation)(**params)
    response.pop("ResponseMetadata", None)
    print(json.dumps(response, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
