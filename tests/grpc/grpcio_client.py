"""A non-Terraform gRPC client of the provider, as Python provider test tools are:
grpcio over the plugin's unix socket (plain, or mTLS with the client certificate the
provider was started with). Calls Health.Check and GetMetadata with hand-encoded
protobuf (no generated stubs needed) and prints one JSON line per call.

usage: grpcio_client.py SOCKET [CLIENT_CERT_PEM CLIENT_KEY_PEM SERVER_CERT_PEM]
"""

import json
import sys

import grpc


def call(channel, method, request):
    fn = channel.unary_unary(
        method,
        request_serializer=lambda b: b,
        response_deserializer=lambda b: b,
    )
    try:
        response = fn(request, timeout=10)
        return {"method": method, "ok": True, "response_hex": response.hex()}
    except grpc.RpcError as e:
        return {
            "method": method,
            "ok": False,
            "code": e.code().name,
            "details": e.details(),
        }


def main():
    socket = sys.argv[1]
    target = "unix:" + socket
    if len(sys.argv) == 5:
        cert, key, server = (open(p, "rb").read() for p in sys.argv[2:5])
        creds = grpc.ssl_channel_credentials(
            root_certificates=server, private_key=key, certificate_chain=cert
        )
        # The provider's certificate is for localhost; the authority is untouched.
        channel = grpc.secure_channel(
            target, creds, options=[("grpc.ssl_target_name_override", "localhost")]
        )
    else:
        channel = grpc.insecure_channel(target)
    with channel:
        # HealthCheckRequest{service: "plugin"}
        print(json.dumps(call(channel, "/grpc.health.v1.Health/Check", b"\x0a\x06plugin")))
        print(json.dumps(call(channel, "/tfplugin6.Provider/GetMetadata", b"")))


if __name__ == "__main__":
    main()
