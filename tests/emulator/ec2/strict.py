"""EC2 as strict as AWS where moto 5.2.5 is lenient: tag keys and values, subnet
sizes, NAT gateways in IPv6-only subnets, and IPv6 blocks in RFC 5952 form.

Each rule comes from the AWS documentation (quoted in README.md):
- Tags. EC2 API reference, Tag: "Constraints: Tag keys are case-sensitive and
  accept a maximum of 127 Unicode characters. May not begin with aws:." and "Tag
  values are case-sensitive and accept a maximum of 256 Unicode characters." The
  EC2 user guide (Tag restrictions) says "Maximum key length - 128 Unicode
  characters in UTF-8" and "The aws: prefix is reserved for AWS use"; the two
  texts differ by one on the key, and the emulator takes the user guide's 128 so
  it never refuses a key AWS may accept. The tagging guide ("Tagging best
  practices") reserves "aws:, AWS:, or any upper or lowercase combination". moto
  already counts 50 tags per resource (TagLimitExceeded), leaving aws: tags out.
  Checked on every request that writes tags: CreateTags and any TagSpecification
  (and DeleteTags for the aws: prefix: "You can't edit or delete tag keys or
  values prefixed with aws:"). Code InvalidParameterValue, as for other invalid
  parameter values; the message is the emulator's.
- Subnet size. CreateSubnet: "The allowed size for an IPv4 subnet is between a /28
  netmask (16 IP addresses) and a /16 netmask (65,536 IP addresses)." moto accepts
  any size. Code InvalidSubnet.Range (moto's code for a CIDR outside the VPC).
- NAT gateway subnet. CreateNatGateway: "This action creates a network interface in
  the specified subnet with a private IP address from the IP address range of the
  subnet." An IPv6-only subnet has no IPv4 range, so it cannot host a NAT gateway
  (the VPC user guide's NAT64 setup puts the gateway in a dual-stack public
  subnet). moto creates one anyway. Code InvalidSubnet (the emulator's choice).
- IPv6 notation. AWS answers IPv6 blocks in RFC 5952's canonical text (lowercase,
  no leading zeros, the longest run of zero groups as ::); moto makes
  Amazon-provided blocks with leading zeros ("2400:6500:0a3f:0000::/56") and echoes
  whatever a client sent. Both are normalized here.
- Egress-only internet gateway filters. DescribeEgressOnlyInternetGateways, Filter.N:
  "tag:<key> - The key/value combination of a tag assigned to the resource. Use the
  tag key in the filter name and the tag value as the filter value." and "tag-key -
  The key of a tag assigned to the resource." moto 5.2.5 ignores Filters for this
  action ("The Filters-argument is not yet supported") and answers every gateway;
  these two are applied here (trustchain_ipv6_network finds its gateway by tag).
"""

import ipaddress
import re

from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult, BaseResponse
from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models import vpcs as moto_vpcs
from moto.ec2.models.subnets import Subnet
from moto.ec2.models.vpcs import VPC
from moto.ec2.responses import EC2Response
from moto.ec2.responses.egress_only_internet_gateways import (
    EgressOnlyInternetGateway as EgressOnlyInternetGatewayResponse,
)
from moto.ec2.utils import tag_filter_matches

MAX_KEY = 128
MAX_VALUE = 256
RESERVED_PREFIX = "aws:"

# CreateTags/DeleteTags send Tag.N.Key; a TagSpecification sends
# TagSpecification.M.Tag.N.Key (and the plural forms some SDKs use).
_TAG_KEY = re.compile(r"^(?:TagSpecifications?\.\d+\.)?Tags?\.\d+\.Key$")


def canonical_ipv6(cidr: str) -> str:
    """An IPv6 block in RFC 5952 form; anything else unchanged."""
    try:
        return str(ipaddress.IPv6Network(cidr, strict=False))
    except ValueError:
        return cidr


def tag_problem(key: str, value: str | None, deleting: bool = False) -> str | None:
    """Why AWS refuses this tag, or None."""
    if key.lower().startswith(RESERVED_PREFIX):
        return f"Tag key {key!r} starts with aws:, a prefix reserved for AWS use."
    if deleting:
        return None
    if len(key) > MAX_KEY:
        return f"Tag key {key[:40]!r}... has {len(key)} characters; the maximum is {MAX_KEY}."
    if value is not None and len(value) > MAX_VALUE:
        return f"The value of tag {key!r} has {len(value)} characters; the maximum is {MAX_VALUE}."
    return None


def _check_tags(response: BaseResponse) -> None:
    action = response._get_action()
    deleting = action == "DeleteTags"
    for name, values in response.querystring.items():
        if not _TAG_KEY.match(name):
            continue
        key = values[0] if values else ""
        value = (response.querystring.get(name[: -len("Key")] + "Value") or [None])[0]
        problem = tag_problem(key, value, deleting)
        if problem:
            raise EC2ClientError("InvalidParameterValue", problem)


def _check_subnet_size(response: BaseResponse) -> None:
    if response._get_action() != "CreateSubnet":
        return
    cidr = response._get_param("CidrBlock")
    if not cidr:
        return
    try:
        length = ipaddress.IPv4Network(cidr, strict=False).prefixlen
    except ValueError:
        return  # moto answers InvalidParameterValue for a malformed block
    if not 16 <= length <= 28:
        raise EC2ClientError(
            "InvalidSubnet.Range",
            f"The CIDR '{cidr}' is invalid: an IPv4 subnet is between a /28 and a /16.",
        )


def _check_nat_subnet(response: BaseResponse) -> None:
    if response._get_action() != "CreateNatGateway":
        return
    subnet_id = response._get_param("SubnetId")
    subnet = response.ec2_backend.subnets_by_id().get(subnet_id) if subnet_id else None
    if subnet is not None and getattr(subnet, "ipv6_native", False):
        raise EC2ClientError(
            "InvalidSubnet",
            f"Subnet {subnet_id} is IPv6-only: a NAT gateway needs a private IPv4 "
            "address from its subnet. Use a dual-stack subnet.",
        )


_original_call_action = BaseResponse.call_action


def _call_action(self):  # type: ignore[no-untyped-def]
    # Checked before the action touches the backend; a refusal is answered the
    # way moto answers an EC2ClientError raised by the action itself.
    if isinstance(self, EC2Response):
        try:
            _check_tags(self)
            _check_subnet_size(self)
            _check_nat_subnet(self)
        except ServiceException as refused:
            status, headers, body = self.serialized(ActionResult(refused))
            headers["status"] = status
            status, headers, body = self._transform_response(self.response_headers, (body, headers))
            headers, body = self._enrich_response(headers, body)
            return status, headers, body
    return _original_call_action(self)


_original_random_ipv6_cidr = moto_vpcs.random_ipv6_cidr
_original_vpc_associate = VPC.associate_vpc_cidr_block
_original_subnet_attach = Subnet.attach_ipv6_cidr_block_associations


def _random_ipv6_cidr() -> str:
    return canonical_ipv6(_original_random_ipv6_cidr())


def _vpc_associate(self, cidr_block, *args, **kwargs):  # type: ignore[no-untyped-def]
    if cidr_block and ":" in cidr_block:
        cidr_block = canonical_ipv6(cidr_block)
    return _original_vpc_associate(self, cidr_block, *args, **kwargs)


def _subnet_attach(self, ipv6_cidr_block):  # type: ignore[no-untyped-def]
    return _original_subnet_attach(self, canonical_ipv6(ipv6_cidr_block))


def _subnets_by_id(self):  # type: ignore[no-untyped-def]
    return {s.id: s for zone in self.subnets.values() for s in zone.values()}


def _describe_egress_only_internet_gateways(self):  # type: ignore[no-untyped-def]
    ids = self._get_param("EgressOnlyInternetGatewayIds", [])
    gateways = self.ec2_backend.describe_egress_only_internet_gateways(ids)
    for name, values in self._filters_from_querystring().items():
        if name == "tag-key" or name.startswith("tag:"):
            gateways = [g for g in gateways if tag_filter_matches(g, name, values)]
    return ActionResult({"EgressOnlyInternetGateways": gateways})


def install() -> None:
    EgressOnlyInternetGatewayResponse.describe_egress_only_internet_gateways = (
        _describe_egress_only_internet_gateways
    )
    BaseResponse.call_action = _call_action
    moto_vpcs.random_ipv6_cidr = _random_ipv6_cidr
    VPC.associate_vpc_cidr_block = _vpc_associate
    Subnet.attach_ipv6_cidr_block_associations = _subnet_attach
    from moto.ec2.models import EC2Backend

    EC2Backend.subnets_by_id = _subnets_by_id
