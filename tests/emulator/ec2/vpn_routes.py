"""Route propagation from a virtual private gateway, which moto 5.2.5 lacks: the
objects hashicorp/aws makes when a VPN is attached to a network's route tables
(`aws_vpn_gateway_route_propagation`, `aws_vpn_connection_route`).

From the EC2 API reference:
- EnableVgwRoutePropagation: "Enables a virtual private gateway (VGW) to propagate
  routes to the specified route table of a VPC." GatewayId: "The virtual private
  gateway must be attached to the same VPC that the routing tables are associated
  with." DisableVgwRoutePropagation undoes it.
- CreateVpnConnectionRoute: "Creates a static route associated with a VPN
  connection between an existing virtual private gateway and a VPN customer
  gateway. The static route allows traffic to be routed from the virtual private
  gateway to the VPN customer gateway." DeleteVpnConnectionRoute removes it.
- Route.Origin: "EnableVgwRoutePropagation - The route was propagated by route
  propagation." RouteTable.PropagatingVgws: "Any virtual private gateway (VGW)
  propagating routes."
- VPC user guide ("How route priority works"): "If you've attached a virtual
  private gateway to the VPC and enabled route propagation on your subnet route
  table, routes representing your Site-to-Site VPN connection automatically appear
  as propagated routes in your route table", and a static route wins over a
  propagated route with the same destination; its example table lists both
  (172.31.0.0/24 to a vgw, propagated, beside 172.31.0.0/24 to an igw, static).
  Site-to-Site VPN user guide ("Route tables and VPN route priority"): "A virtual
  private gateway does not support IPv6 traffic."

So a route table with propagation from an attached gateway lists, for every static
route of every live VPN connection of that gateway, a route with that destination,
`GatewayId` the gateway and `Origin` `EnableVgwRoutePropagation`. Propagated routes
live beside the table's own routes: DeleteRoute and ReplaceRoute do not see them
(moto answers InvalidRoute.NotFound), as only disabling propagation or deleting the
VPN route removes them. A propagated route is listed even when a static route has
the same destination, as in the user guide's example. VPN static routes are IPv4
only (CreateVpnConnectionRoute refuses an IPv6 block with InvalidParameterValue,
the emulator's code: the guide says the gateway carries no IPv6).
"""

import ipaddress

from moto.core.responses import EmptyResult
from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models.route_tables import RouteTable
from moto.ec2.models.vpn_connections import VPNConnection
from moto.ec2.responses import EC2Response

_original_routes = RouteTable.routes


class PropagatedRoute:
    """A route as DescribeRouteTables shows it, made by propagation."""

    origin = "EnableVgwRoutePropagation"
    state = "active"
    local = False
    destination_prefix_list_id = None
    nat_gateway_id = None
    egress_only_internet_gateway_id = None
    transit_gateway_id = None
    vpc_peering_connection_id = None
    network_interface_id = None
    instance_id = None
    carrier_gateway_id = None

    destination_ipv6_cidr_block = None

    def __init__(self, destination: str, gateway_id: str) -> None:
        self.gateway_id = gateway_id
        self.destination_cidr_block = destination


def _propagating(table: RouteTable) -> list:
    return table.__dict__.setdefault("_propagating_vgws", [])


def _static_routes(connection: VPNConnection) -> list:
    return connection.__dict__.setdefault("_vpn_static_routes", [])


def _attached(backend, gateway_id: str, vpc_id: str) -> bool:
    gateway = backend.vpn_gateways.get(gateway_id)
    if gateway is None or gateway.state == "deleted":
        return False
    attachment = gateway.attachments.get(vpc_id)
    return attachment is not None and attachment.state == "attached"


def _routes(self):  # type: ignore[no-untyped-def]
    own = _original_routes.fget(self)
    backend = self.ec2_backend
    for gateway_id in _propagating(self):
        if not _attached(backend, gateway_id, self.vpc_id):
            continue
        for connection in backend.vpn_connections.values():
            if connection.vpn_gateway_id != gateway_id or connection.state == "deleted":
                continue
            for destination in _static_routes(connection):
                own.append(PropagatedRoute(destination, gateway_id))
    return own


def _propagating_vgws(self):  # type: ignore[no-untyped-def]
    return [{"GatewayId": g} for g in _propagating(self)]


def _vpn_routes(self):  # type: ignore[no-untyped-def]
    return [
        {"DestinationCidrBlock": d, "Source": "Static", "State": "available"}
        for d in _static_routes(self)
    ]


def _table_and_gateway(response):  # type: ignore[no-untyped-def]
    backend = response.ec2_backend
    gateway_id = response._get_param("GatewayId")
    table = backend.get_route_table(response._get_param("RouteTableId"))
    backend.get_vpn_gateway(gateway_id)
    return backend, table, gateway_id


def _enable_vgw_route_propagation(self):  # type: ignore[no-untyped-def]
    backend, table, gateway_id = _table_and_gateway(self)
    if not _attached(backend, gateway_id, table.vpc_id):
        raise EC2ClientError(
            "Gateway.NotAttached",
            f"The virtual private gateway {gateway_id} is not attached to {table.vpc_id}, "
            f"the VPC of route table {table.id}.",
        )
    if gateway_id not in _propagating(table):
        _propagating(table).append(gateway_id)
    return EmptyResult()


def _disable_vgw_route_propagation(self):  # type: ignore[no-untyped-def]
    _, table, gateway_id = _table_and_gateway(self)
    if gateway_id in _propagating(table):
        _propagating(table).remove(gateway_id)
    return EmptyResult()


def _connection(response):  # type: ignore[no-untyped-def]
    backend = response.ec2_backend
    connection_id = response._get_param("VpnConnectionId")
    found = backend.describe_vpn_connections(vpn_connection_ids=[connection_id])
    return found[0], response._get_param("DestinationCidrBlock")


def _create_vpn_connection_route(self):  # type: ignore[no-untyped-def]
    connection, destination = _connection(self)
    try:
        ipaddress.IPv4Network(destination)
    except ValueError:
        raise EC2ClientError(
            "InvalidParameterValue",
            f"{destination!r} is not an IPv4 CIDR block; a virtual private gateway "
            "does not support IPv6 traffic.",
        ) from None
    if destination in _static_routes(connection):
        raise EC2ClientError(
            "RouteAlreadyExists",
            f"The route {destination} already exists on {connection.id}.",
        )
    _static_routes(connection).append(destination)
    return EmptyResult()


def _delete_vpn_connection_route(self):  # type: ignore[no-untyped-def]
    connection, destination = _connection(self)
    if destination not in _static_routes(connection):
        raise EC2ClientError(
            "InvalidRoute.NotFound",
            f"No route {destination} on {connection.id}.",
        )
    _static_routes(connection).remove(destination)
    return EmptyResult()


def install() -> None:
    RouteTable.routes = property(_routes)
    RouteTable.propagating_vgws = property(_propagating_vgws)
    VPNConnection.routes = property(_vpn_routes)
    EC2Response.enable_vgw_route_propagation = _enable_vgw_route_propagation
    EC2Response.disable_vgw_route_propagation = _disable_vgw_route_propagation
    EC2Response.create_vpn_connection_route = _create_vpn_connection_route
    EC2Response.delete_vpn_connection_route = _delete_vpn_connection_route
