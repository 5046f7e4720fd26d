"""NAT gateways with AWS's state sequence: moto 5.2.5 makes a NAT gateway
`available` at once and `deleted` at once, and fails with an internal error when
DeleteNatGateway names an unknown gateway; it also never removes the network
interface a gateway makes, nor disassociates its Elastic IP.

Here a new gateway is `pending` for the `nat_gateway_create` delay, a deleted one
`deleting` for `nat_gateway_delete` (controls/delays.py), and an unknown id is AWS's
`NatGatewayNotFound`; once `deleted`, the gateway's network interface is gone and
its Elastic IP free, as in AWS. The state is computed when read, so no request has to run
the transition.
"""

import time

from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models.nat_gateways import NatGateway, NatGatewayBackend

from controls import delays


def _get_state(self) -> str:
    state = self.__dict__.get("_state", "available")
    due = self.__dict__.get("_due", 0.0)
    if state == "pending" and time.monotonic() >= due:
        state = self.__dict__["_state"] = "available"
    elif state == "deleting" and time.monotonic() >= due:
        state = self.__dict__["_state"] = "deleted"
        _release(self)
    return state


def _release(gateway) -> None:
    """AWS removes a deleted gateway's interface and frees its address."""
    eni = getattr(gateway, "_eni", None)
    if eni is None:
        return
    backend = gateway.ec2_backend
    for address in backend.addresses:
        if getattr(address, "eni", None) is eni:
            address.eni = None
            address.association_id = None
    backend.enis.pop(eni.id, None)


def _set_state(self, value: str) -> None:
    # moto's constructor says "available" and its delete says "deleted": both
    # start the transition instead.
    if value == "available" and "_state" not in self.__dict__:
        value, delay = "pending", delays.get("nat_gateway_create")
    elif value == "deleted" and self.__dict__.get("_state") not in ("deleting", "deleted"):
        value, delay = "deleting", delays.get("nat_gateway_delete")
    else:
        delay = 0.0
    self.__dict__["_state"] = value
    self.__dict__["_due"] = time.monotonic() + delay
    if value == "deleted":
        _release(self)


_original_delete = NatGatewayBackend.delete_nat_gateway


def _delete_nat_gateway(self, nat_gateway_id: str):
    if nat_gateway_id not in self.nat_gateways:
        raise EC2ClientError("NatGatewayNotFound", f"NAT gateway {nat_gateway_id} was not found")
    return _original_delete(self, nat_gateway_id)


def install() -> None:
    NatGateway.state = property(_get_state, _set_state)
    NatGatewayBackend.delete_nat_gateway = _delete_nat_gateway
