"""EC2 subnet behaviour moto 5.2.5 lacks or gets wrong, made to behave like AWS:
attributes ModifySubnetAttribute lacks, the IPv6 association state and address
count that break strict SDK parsing, and route table associations that outlive
their subnet.

moto's ModifySubnetAttribute handles only MapPublicIpOnLaunch,
AssignIpv6AddressOnCreation and EnableResourceNameDnsARecordOnLaunch, and its
subnets have no EnableDns64. AWS also accepts exactly ONE attribute per call. This
module adds EnableDns64, EnableResourceNameDnsAAAARecordOnLaunch and
PrivateDnsHostnameTypeOnLaunch, enforces the one-attribute rule, and makes
IPv6-native subnets start with the hostname type AWS gives them (resource-name).
"""

from moto.core.responses import EmptyResult
from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models.subnets import Subnet, SubnetBackend
from moto.ec2.responses.subnets import Subnets as SubnetResponse

_BOOL_ATTRIBUTES = {
    "MapPublicIpOnLaunch": ("attr", "map_public_ip_on_launch"),
    "AssignIpv6AddressOnCreation": ("attr", "assign_ipv6_address_on_creation"),
    "EnableDns64": ("attr", "enable_dns64"),
    "EnableResourceNameDnsARecordOnLaunch": ("dns", "EnableResourceNameDnsARecord"),
    "EnableResourceNameDnsAAAARecordOnLaunch": ("dns", "EnableResourceNameDnsAAAARecord"),
}


class InvalidParameterCombination(EC2ClientError):
    def __init__(self, message: str):
        super().__init__("InvalidParameterCombination", message)


def _modify_subnet_attribute(self):  # type: ignore[no-untyped-def]
    subnet_id = self._get_param("SubnetId")
    subnet = self.ec2_backend.get_subnet(subnet_id)
    changes = []
    for name, target in _BOOL_ATTRIBUTES.items():
        raw = self._get_param(f"{name}.Value")
        if raw is not None:
            changes.append((target, str(raw).lower() == "true"))
    hostname_type = self._get_param("PrivateDnsHostnameTypeOnLaunch")
    if hostname_type is not None:
        if getattr(subnet, "ipv6_native", False) and hostname_type != "resource-name":
            raise InvalidParameterCombination(
                "IPv6-only subnets support only the resource-name hostname type."
            )
        changes.append((("dns", "HostnameType"), hostname_type))
    if len(changes) != 1:
        raise InvalidParameterCombination(
            "Specify exactly one attribute to modify per ModifySubnetAttribute call."
        )
    (kind, key), value = changes[0]
    if kind == "attr":
        setattr(subnet, key, value)
    else:
        subnet.private_dns_name_options_on_launch[key] = value
    return EmptyResult()


_original_init = Subnet.__init__


def _subnet_init(self, *args, **kwargs):  # type: ignore[no-untyped-def]
    _original_init(self, *args, **kwargs)
    self.enable_dns64 = False
    if getattr(self, "ipv6_native", False):
        self.private_dns_name_options_on_launch["HostnameType"] = "resource-name"


def _ipv6_cidr_block_association_set(self):  # type: ignore[no-untyped-def]
    # moto nests the state dict one level too deep ({"state": {"State": ...}}),
    # which serializes as a Python repr; AWS sends {"State": "associated"}.
    return [
        {
            "ipv6CidrBlock": a["ipv6CidrBlock"],
            "associationId": a["associationId"],
            "ipv6CidrBlockState": {"State": a["ipv6CidrBlockState"]["State"]},
        }
        for a in self.ipv6_cidr_block_associations.values()
        if a["ipv6CidrBlockState"]["State"] == "associated"
    ]


_original_available = Subnet.available_ip_address_count


def _available_ip_address_count(self):  # type: ignore[no-untyped-def]
    # AWS counts IPv4 addresses: an IPv6-only subnet reports 0 (moto reports
    # 2^64 - 5, which overflows the API's 32-bit integer).
    if getattr(self, "ipv6_native", False):
        return 0
    return _original_available.fget(self)


_original_delete_subnet = SubnetBackend.delete_subnet


def _delete_subnet(self, subnet_id):  # type: ignore[no-untyped-def]
    # AWS drops a subnet's route table association with the subnet; moto keeps it,
    # which then blocks DeleteRouteTable with DependencyViolation forever.
    subnet = _original_delete_subnet(self, subnet_id)
    for table in self.route_tables.values():
        for association_id, target in list(table._associations.items()):
            if target == subnet_id:
                table._associations.pop(association_id, None)
    return subnet


def install() -> None:
    SubnetBackend.delete_subnet = _delete_subnet
    SubnetResponse.modify_subnet_attribute = _modify_subnet_attribute
    Subnet.__init__ = _subnet_init
    Subnet.ipv6_cidr_block_association_set = property(_ipv6_cidr_block_association_set)
    Subnet.available_ip_address_count = property(_available_ip_address_count)
